// Public pages (no sign-in): published events and one event's page with its image, dates, location
// and visible tickets; availability updates live over the WebSocket.

import * as api from '../api.js';
import { h } from '../dom.js';
import { srcsetOf, variantList } from '../images.js';
import { store } from '../store.js';
import { formatRange, formatDateTime } from '../time.js';
import { LiveSocket } from '../ws.js';
import { codeBox, loadEvent, priceNode } from './public-code.js';

export default async function render(ctx) {
  if (ctx.route.page === 'list') return renderList(ctx);
  return renderEvent(ctx);
}

async function renderList({ root, signal }) {
  document.title = 'Events · Marquee';
  const events = await api.getAll('/public/events');
  if (signal.aborted) return;
  root.append(h('h1', {}, 'Upcoming events'));
  if (!events.length) {
    root.append(h('p', { class: 'muted', dataset: { publicEvents: '', empty: '' } }, 'No published events yet.'));
    return;
  }
  root.append(h('ul', { class: 'grid', dataset: { publicEvents: '' } }, events.map((event) => {
    const thumb = variantList(event.background_variants)[0]?.url || event.background_url;
    return h('li', { class: 'card event-card', dataset: { eventId: event.id } },
      thumb ? h('img', { class: 'hero', src: thumb, alt: '', loading: 'lazy', width: 490, height: 245 }) : null,
      h('h2', {}, h('a', { href: `#/public/events/${event.id}`, dataset: { eventLink: '' } }, event.name)),
      h('p', { class: 'muted' }, formatRange(event.starts_at, event.ends_at, event.timezone)),
      event.location_name ? h('p', {}, event.location_name) : null);
  })));
}

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

async function renderEvent({ root, params, query, signal, navigate }) {
  const code = query?.get('code') || null;
  let event;
  let refused;
  try {
    ({ event, refused } = await loadEvent(params.id, code, signal));
  } catch (error) {
    if (error.status === 404) {
      document.title = 'Event not found · Marquee';
      root.append(h('h1', {}, 'Event not found'),
        h('p', { dataset: { notFound: '' } }, 'This event does not exist or is not published.'),
        h('p', {}, h('a', { href: '#/public/events' }, 'See all events')));
      return;
    }
    throw error;
  }
  document.title = `${event.name} · Marquee`;
  const tickets = (event.tickets || []).filter((ticket) => !ticket.hidden);
  const availability = new Map();
  const article = h('article', { dataset: { publicEvent: event.id } },
    event.background_url ? h('img', {
      class: 'hero', src: event.background_url, srcset: srcsetOf(event.background_variants) || null,
      sizes: '(max-width: 1100px) 100vw, 1068px', alt: '', width: 1960, height: 980, fetchpriority: 'high',
      dataset: { eventImage: '' },
    }) : null,
    h('h1', {}, event.name),
    h('p', { class: 'event-meta' },
      h('span', { dataset: { eventDates: '' } }, formatRange(event.starts_at, event.ends_at, event.timezone)),
      event.location_name ? h('span', { dataset: { eventLocation: '' } }, event.location_name) : null),
    event.description ? h('p', { class: 'description', dataset: { eventDescription: '' } }, event.description) : null,
    h('h2', {}, 'Tickets'),
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
  );
  article.append(codeBox(event, code, refused, navigate));
  const applied = code && !refused ? code : null;
  root.append(article);
  if (tickets.length && store.token) {
    const [forms, asked] = await Promise.all([
      import('./order-form.js').catch(() => null),
      api.get(`/public/events/${encodeURIComponent(event.id)}/questions`, { auth: false, signal }).catch(() => null),
    ]);
    const form = forms && !signal.aborted ? forms.orderForm(event, tickets, asked?.questions || [], applied) : null;
    if (form) article.append(form);
  } else if (tickets.length) {
    const next = encodeURIComponent(`/public/events/${event.id}${applied ? `?code=${encodeURIComponent(applied)}` : ''}`);
    article.append(h('p', { dataset: { signInToOrder: '' } }, h('a', { href: `#/signin?next=${next}` }, 'Sign in to order tickets')));
  }

  if (store.config?.wsUrl && tickets.length) {
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
  }
}
