// The "Check-in" panel of event management: how many attendees are in, per ticket and in all,
// updated live. The counts come from GET /events/{id}/checkins/summary and then from the
// WebSocket's {"type": "checkins"} messages (one per batch of scans a door sends); after a
// dropped connection the panel reads the summary again, so a push missed meanwhile is not lost.

import * as api from '../api.js';
import { h } from '../dom.js';
import { scannerPath } from '../roles.js';
import { store } from '../store.js';
import { LiveSocket } from '../ws.js';

function percent(part, whole) {
  return whole ? Math.round((100 * part) / whole) : 0;
}

export default function renderCheckinPanel(event, signal) {
  const total = h('p', { class: 'checkin-total', dataset: { checkinTotal: '' } }, 'Loading…');
  const meter = h('progress', { max: 100, value: 0, 'aria-label': 'Share of attendees checked in' });
  const rows = h('tbody');
  const live = h('span', { class: 'badge draft', dataset: { checkinLive: 'off' } }, 'Not live');
  const heading = h('h2', { id: 'checkin-heading' }, 'Check-in ', live);
  const panel = h('section', { class: 'card checkin-panel', 'aria-labelledby': 'checkin-heading', dataset: { checkinPanel: '' } },
    heading,
    h('div', { 'aria-live': 'polite' }, total),
    meter,
    h('div', { class: 'table-wrap' }, h('table', { dataset: { checkinTickets: '' } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Ticket'), h('th', { scope: 'col' }, 'Checked in'),
        h('th', { scope: 'col' }, 'Valid tickets'))),
      rows)),
    event.allowed.attendee?.update
      ? h('p', {}, h('a', { class: 'button', href: scannerPath(event.id), dataset: { action: 'scan' } }, 'Open the scanner'))
      : null);

  function show(summary) {
    const { checked_in: inside, valid } = summary.total;
    total.textContent = `${inside} of ${valid} checked in`;
    meter.value = percent(inside, valid);
    rows.replaceChildren(...summary.tickets.map((ticket) => h('tr', { dataset: { ticketId: ticket.ticket_id } },
      h('th', { scope: 'row' }, ticket.name),
      h('td', { dataset: { checkedIn: String(ticket.checked_in) } }, String(ticket.checked_in)),
      h('td', {}, String(ticket.valid)))));
    if (!summary.tickets.length) rows.append(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No tickets yet.')));
  }

  async function load() {
    try {
      show(await api.get(`/events/${event.id}/checkins/summary`));
    } catch (error) {
      total.textContent = api.describeError(error);
    }
  }

  function setLive(on) {
    live.textContent = on ? 'Live' : 'Not live';
    live.className = on ? 'badge' : 'badge draft';
    live.dataset.checkinLive = on ? 'on' : 'off';
  }

  load();
  if (store.config?.wsUrl) {
    const socket = new LiveSocket(() => (store.token
      ? `${store.config.wsUrl}?token=${encodeURIComponent(store.token)}&checkins=${encodeURIComponent(event.id)}`
      : null));
    let opened = false;
    socket.addEventListener('open', () => {
      setLive(true);
      if (opened) load();
      opened = true;
    });
    socket.addEventListener('close', () => setLive(false));
    socket.addEventListener('message', ({ detail }) => {
      if (detail?.type === 'checkins' && detail.event_id === event.id) show(detail);
    });
    socket.start();
    signal?.addEventListener('abort', () => socket.stop());
  }
  return panel;
}
