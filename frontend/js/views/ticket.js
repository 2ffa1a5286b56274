// The ticket in the attendee's hand: #/orders/{id}/tickets/{attendee_id} (one ticket) and
// #/orders/{id}/tickets (every ticket of the order, for printing: one per page). Each shows the
// event, when (in the event's time zone, named) and where, who and which ticket, the order, the
// status and the QR code that the door scans.
//
// The QR code needs the bearer token, which an <img src> cannot send: it is fetched through the
// API client and shown from a blob: URL (an SVG shown as an image runs no script and loads nothing).

import * as api from '../api.js';
import { h } from '../dom.js';
import { formatDateTimeWithZone, formatRange } from '../time.js';

export default async function render({ root, params, route, signal }) {
  const orderId = params.id;
  const order = await api.get(`/orders/${orderId}`, { signal });
  const [attendees, event] = await Promise.all([
    route.page === 'one'
      ? api.get(`/orders/${orderId}/attendees/${params.attendee}`, { signal }).then((one) => [one])
      : api.get(`/orders/${orderId}/attendees`, { signal }),
    publicEvent(order.event_id, signal),
  ]);
  if (signal.aborted) return;
  const urls = [];
  signal.addEventListener('abort', () => urls.forEach((url) => URL.revokeObjectURL(url)), { once: true });
  const eventName = event?.name || order.event_name;
  document.title = `${route.page === 'one' ? 'Ticket' : 'Tickets'} · ${eventName} · Marquee`;

  const toolbar = h('div', { class: 'actions ticket-toolbar no-print', dataset: { ticketToolbar: '' } },
    h('button', { type: 'button', class: 'primary', dataset: { action: 'print' }, onclick: () => window.print() },
      route.page === 'one' ? 'Print this ticket' : 'Print all tickets'),
    h('a', { href: `#/orders/${orderId}` }, 'Back to the order'),
    route.page === 'one' && h('a', { href: `#/orders/${orderId}/tickets`, dataset: { allTickets: '' } }, 'All tickets of this order'));

  if (route.page === 'all') {
    root.append(h('h1', { class: 'ticket-title no-print' }, `Your tickets · ${eventName}`), toolbar);
    if (!attendees.length) {
      root.append(h('p', { class: 'muted', dataset: { noTickets: '' } },
        'This order has no tickets yet: they are issued once it is paid.'));
      return;
    }
  } else {
    root.append(toolbar);
  }
  const sheets = attendees.map((attendee) => ticketSheet({
    order, attendee, event, eventName, heading: route.page === 'one' ? 'h1' : 'h2',
  }));
  root.append(...sheets.map((sheet) => sheet.node));
  await Promise.all(sheets.map((sheet) => sheet.loadQr(signal, urls)));
}

/** The public event (for its dates, zone and venue); null when it is not public any more. */
async function publicEvent(eventId, signal) {
  try {
    return await api.get(`/public/events/${eventId}`, { signal, auth: false });
  } catch (error) {
    if (error.name === 'AbortError' || error.status !== 404) throw error;
    return null;
  }
}

function whenText(event) {
  if (!event) return 'The event’s details are not public at the moment.';
  return formatRange(event.starts_at, event.ends_at, event.timezone);
}

function statusOf(attendee, timeZone) {
  if (attendee.status === 'revoked') {
    return { kind: 'revoked', text: 'Revoked: this ticket no longer admits anyone (its order was cancelled or refunded).' };
  }
  if (attendee.checked_in_at) {
    return { kind: 'checked-in', text: `Checked in at ${formatDateTimeWithZone(attendee.checked_in_at, timeZone)}` };
  }
  return { kind: 'valid', text: 'Valid' };
}

function ticketSheet({ order, attendee, event, eventName, heading }) {
  const timeZone = event?.timezone;
  const status = statusOf(attendee, timeZone);
  const qrBox = h('div', { class: 'ticket-qr', dataset: { qrBox: '' } },
    h('p', { class: 'muted' }, status.kind === 'revoked' ? 'No QR code: this ticket was revoked.' : 'Loading the QR code…'));
  const node = h('article', {
    class: `ticket-sheet ${status.kind}`, 'aria-labelledby': `ticket-${attendee.id}-title`,
    dataset: { ticket: attendee.id, ticketStatus: status.kind },
  },
  h('header', { class: 'ticket-head' },
    h('p', { class: 'ticket-kicker' }, 'Ticket'),
    h(heading, { id: `ticket-${attendee.id}-title`, dataset: { ticketEvent: '' } }, eventName),
    h('p', { dataset: { ticketWhen: '' } }, whenText(event)),
    timeZone ? h('p', { class: 'muted', dataset: { ticketZone: '' } }, `Times are in the ${timeZone.replace(/_/g, ' ')} time zone.`) : null,
    event?.location_name ? h('p', { dataset: { ticketVenue: '' } }, event.location_name) : null),
  h('div', { class: 'ticket-body' },
    qrBox,
    h('dl', { class: 'facts ticket-facts' },
      h('dt', {}, 'Name'), h('dd', { dataset: { ticketName: '' } }, attendee.name),
      h('dt', {}, 'Ticket'), h('dd', { dataset: { ticketType: '' } }, attendee.ticket_name),
      h('dt', {}, 'Order'), h('dd', { class: 'ticket-order', dataset: { ticketOrder: '' } }, order.id),
      h('dt', {}, 'Status'), h('dd', { class: `ticket-status ${status.kind}`, dataset: { ticketState: status.kind } }, status.text))));

  async function loadQr(signal, urls) {
    if (status.kind === 'revoked') return;
    try {
      const svg = await api.get(`/orders/${order.id}/attendees/${attendee.id}/qr.svg`, { signal });
      if (signal.aborted) return;
      if (!isSvg(svg)) throw new Error('not an SVG');
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      urls.push(url);
      qrBox.replaceChildren(
        h('img', { src: url, alt: `QR code of the ticket for ${attendee.name}`, dataset: { ticketQr: '' } }),
        h('p', { class: 'ticket-code', dataset: { ticketCode: '' } }, attendee.code));
    } catch (error) {
      if (error.name === 'AbortError' || signal.aborted) return;
      const message = error.code === 'ticket_revoked' ? error.message : 'The QR code could not be loaded; reload to try again.';
      qrBox.replaceChildren(h('p', { class: 'error-box', role: 'alert', dataset: { qrError: '' } }, message));
    }
  }
  return { node, loadQr };
}

/** A served QR code is an <svg> document; anything else is not shown. */
function isSvg(text) {
  if (typeof text !== 'string') return false;
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  return parsed.documentElement.localName === 'svg' && !parsed.querySelector('parsererror');
}
