// The event site's tickets: the visible tickets with their price (and the price with a code) and
// live availability (over the event's WebSocket while online), "Have a code?" (public-code.js) and
// the order form with the event's questions for a signed-in visitor (order-form.js), behind the
// waiting room while the organizer has it on (site-queue.js).

import * as api from '../api.js';
import { h } from '../dom.js';
import { store } from '../store.js';
import { formatDateTime } from '../time.js';
import { LiveSocket } from '../ws.js';
import { codeBox, priceNode } from './public-code.js';

export function priceText(ticket, currency) {
  if (ticket.type === 'free') return 'Free';
  if (ticket.type === 'donation') return 'Donation';
  const amount = Number(ticket.price);
  if (!Number.isFinite(amount)) return String(ticket.price);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${ticket.price} ${currency}`;
  }
}

function availabilityText(available) {
  if (available === undefined || available === null) return '';
  return Number(available) > 0 ? `${available} available` : 'Sold out';
}

/** The tickets section; the order form and the live counts are added once it is in the page. */
export function ticketsSection(event, { signal, offline, code, refused, navigate }) {
  const tickets = (event.tickets || []).filter((ticket) => !ticket.hidden);
  const availability = new Map();
  const section = h('section', { class: 'site-section', 'aria-labelledby': 'tickets-title', dataset: { siteTickets: '' } },
    h('h2', { id: 'tickets-title' }, 'Tickets'),
    tickets.length
      ? h('ul', { class: 'ticket-list', dataset: { publicTickets: '' } }, tickets.map((ticket) => {
        const left = h('span', { dataset: { available: '' } }, availabilityText(ticket.available));
        if (Number(ticket.available) <= 0) left.classList.add('sold-out');
        availability.set(ticket.id, left);
        return h('li', { dataset: { ticketName: ticket.name, ticketId: ticket.id } },
          h('div', {},
            h('strong', {}, ticket.name),
            ticket.description ? h('p', { class: 'muted' }, ticket.description) : null,
            ticket.sales_ends_at ? h('p', { class: 'hint' }, `Sales end ${formatDateTime(ticket.sales_ends_at, event.timezone)}`) : null),
          h('div', {}, priceNode(ticket, event.currency, priceText(ticket, event.currency)), ' · ', left));
      }))
      : h('p', { class: 'muted', dataset: { publicTickets: '', empty: '' } }, 'No tickets on sale.'),
    offline ? null : codeBox(event, code, refused, navigate));
  const applied = code && !refused ? code : null;

  const listen = () => {
    if (!store.config?.wsUrl) return;
    const live = new LiveSocket(() => `${store.config.wsUrl}?event=${encodeURIComponent(event.id)}`);
    live.addEventListener('message', ({ detail }) => {
      if (detail?.meta !== 'availability' || detail.event_id !== event.id) return;
      for (const { id, available } of detail.tickets || []) {
        const cell = availability.get(id);
        if (!cell) continue;
        cell.textContent = availabilityText(available);
        cell.classList.toggle('sold-out', Number(available) <= 0);
      }
    });
    live.start();
    signal.addEventListener('abort', () => live.stop());
  };

  // While the waiting room is on: a number first, the form once admitted (null: the room closed).
  const admission = async () => {
    if (!event.waiting_room?.enabled) return null;
    const { waitingRoom } = await import('./site-queue.js');
    const room = waitingRoom(event, { signal });
    section.append(room.section);
    return room.admitted;
  };

  const start = async () => {
    if (!tickets.length) return;
    if (offline) {
      section.append(h('p', { class: 'muted' }, 'Ordering needs a connection.'));
      return;
    }
    listen();
    let admit;
    try {
      admit = await admission();
    } catch {
      return;  // the waiting room says why
    }
    if (signal.aborted) return;
    if (store.token) {
      const [forms, asked] = await Promise.all([
        import('./order-form.js').catch(() => null),
        api.get(`/public/events/${encodeURIComponent(event.id)}/questions`, { auth: false, signal }).catch(() => null),
      ]);
      const form = forms && !signal.aborted
        ? forms.orderForm(event, tickets, asked?.questions || [], applied, admit) : null;
      if (form) section.append(form);
    } else {
      const next = encodeURIComponent(`/e/${event.id}${applied ? `?code=${encodeURIComponent(applied)}` : ''}`);
      section.append(h('p', { dataset: { signInToOrder: '' } }, h('a', { href: `#/signin?next=${next}` }, 'Sign in to order tickets')));
    }
  };
  return { section, start };
}
