// The event site's tickets: one card per visible ticket with its price (and the price with a code),
// where its sale stands (on sale with how many are left, "On sale from <date, zone>", "Sales ended",
// "Sold out"; the counts live over the event's WebSocket while online), "Have a code?"
// (public-code.js), and for a signed-in visitor the order form's steppers inside the cards
// (order-form.js), with a "Get tickets" bar on phones while the tickets are out of view; behind the
// waiting room while the organizer has it on (site-queue.js).

import * as api from '../api.js';
import { h } from '../dom.js';
import { formatMoney, priceLabel } from '../money.js';
import { store } from '../store.js';
import { formatDateTimeWithZone } from '../time.js';
import { LiveSocket } from '../ws.js';
import { codeBox, priceNode } from './public-code.js';

export function priceText(ticket, currency) {
  if (ticket.type === 'donation') return `From ${formatMoney(ticket.price, currency)}`;
  return priceLabel(ticket.price, currency);
}

/** on_sale, sold_out, not_yet (sales start later) or ended. */
export function saleState(ticket, now = Date.now()) {
  if (ticket.sales_open === false) {
    const starts = ticket.sales_starts_at ? new Date(ticket.sales_starts_at).getTime() : null;
    return starts !== null && starts > now ? 'not_yet' : 'ended';
  }
  return Number(ticket.available) > 0 ? 'on_sale' : 'sold_out';
}

function statusText(ticket, state, timeZone) {
  if (state === 'not_yet') return `On sale from ${formatDateTimeWithZone(ticket.sales_starts_at, timeZone)}`;
  if (state === 'ended') return 'Sales ended';
  if (state === 'sold_out') return 'Sold out';
  return `${ticket.available} available`;
}

/** The lowest price of the tickets on sale, for the phone's bar ("from €29.00", "Free"). */
function fromText(tickets, currency) {
  const prices = tickets.map((ticket) => Number(ticket.price_with_code ?? ticket.price)).sort((a, b) => a - b);
  if (!prices.length) return '';
  if (prices[prices.length - 1] === 0) return 'Free';
  return prices[0] === 0 ? 'Free and paid tickets' : `From ${formatMoney(prices[0], currency)}`;
}

function ticketCard(ticket, event) {
  const status = h('p', { class: 'ticket-sale', dataset: { available: '' } });
  const slot = h('div', { class: 'ticket-choose' });
  const extra = h('div', { class: 'ticket-extra' });
  const node = h('li', { class: 'ticket-card', dataset: { ticketName: ticket.name, ticketId: ticket.id, ticketType: ticket.type } },
    h('div', { class: 'ticket-info' },
      h('h3', { class: 'ticket-name' }, ticket.name),
      ticket.type === 'donation' ? h('p', { class: 'ticket-kind' }, 'Pay what you want') : null,
      ticket.description ? h('p', { class: 'ticket-description' }, ticket.description) : null,
      status,
      ticket.sales_ends_at && saleState(ticket) === 'on_sale'
        ? h('p', { class: 'hint' }, `Sales end ${formatDateTimeWithZone(ticket.sales_ends_at, event.timezone)}`) : null),
    h('div', { class: 'ticket-buy' }, priceNode(ticket, event.currency, priceText(ticket, event.currency)), slot),
    extra);
  const card = {
    ticket, node, slot, extra,
    state: null,
    /** Shows where the sale stands; the order form listens to hear when a ticket sells out or comes back. */
    update(available) {
      if (available !== undefined) ticket.available = available;
      card.state = saleState(ticket);
      node.dataset.saleState = card.state;
      status.textContent = statusText(ticket, card.state, event.timezone);
      status.className = `ticket-sale ${card.state.replace('_', '-')}`;
      card.onChange?.(card.state);
    },
  };
  card.update();
  return card;
}

function phoneBar(section, tickets, currency) {
  const bar = h('div', { class: 'get-tickets-bar', dataset: { getTicketsBar: '' } },
    h('span', { class: 'get-tickets-from' }, fromText(tickets, currency)),
    h('button', {
      type: 'button', class: 'primary', dataset: { action: 'get-tickets' },
      onclick: () => {
        section.scrollIntoView({ behavior: 'smooth', block: 'start' });
        (section.querySelector('[data-order-quantity], [data-sign-in-to-order] a') || section).focus({ preventScroll: true });
      },
    }, 'Get tickets'));
  // Shown only while the tickets are out of view (CSS shows it on narrow screens only).
  // (Tickets peeking in at the bottom of the screen do not count: only once in its upper 60 %.)
  const watcher = new IntersectionObserver(([entry]) => { bar.hidden = entry.isIntersecting; },
    { rootMargin: '0px 0px -40% 0px' });
  watcher.observe(section);
  return { bar, stop: () => watcher.disconnect() };
}

/** The tickets section; the order form and the live counts are added once it is in the page. */
export function ticketsSection(event, { signal, offline, code, refused, navigate }) {
  const tickets = (event.tickets || []).filter((ticket) => !ticket.hidden);
  const cards = tickets.map((ticket) => ticketCard(ticket, event));
  const list = tickets.length
    ? h('ul', { class: 'ticket-list', dataset: { publicTickets: '' } }, cards.map((card) => card.node))
    : h('p', { class: 'muted', dataset: { publicTickets: '', empty: '' } }, 'No tickets on sale.');
  const section = h('section', { class: 'site-section site-tickets', id: 'tickets', tabindex: -1, 'aria-labelledby': 'tickets-title', dataset: { siteTickets: '' } },
    h('h2', { id: 'tickets-title' }, 'Tickets'), list,
    offline ? null : h('details', { class: 'code-details', open: Boolean(code) },
      h('summary', {}, 'Have an access or discount code?'), codeBox(event, code, refused, navigate)));
  const applied = code && !refused ? code : null;

  const listen = () => {
    if (!store.config?.wsUrl) return null;
    const byId = new Map(cards.map((card) => [card.ticket.id, card]));
    const live = new LiveSocket(() => `${store.config.wsUrl}?event=${encodeURIComponent(event.id)}`);
    live.addEventListener('message', ({ detail }) => {
      if (detail?.meta !== 'availability' || detail.event_id !== event.id) return;
      for (const { id, available } of detail.tickets || []) byId.get(id)?.update(available);
    });
    live.start();
    signal.addEventListener('abort', () => live.stop());
    return live;
  };

  // While the waiting room is on: a number first, the form once admitted (null: the room closed).
  const admission = async (live) => {
    if (!event.waiting_room?.enabled) return null;
    const { waitingRoom } = await import('./site-queue.js');
    const room = waitingRoom(event, { signal, live });
    list.before(room.section);  // the place in line first; the form appears under it when admitted
    return room.admitted;
  };

  const start = async () => {
    if (!tickets.length) return;
    if (offline) {
      section.append(h('p', { class: 'muted' }, 'Ordering needs a connection.'));
      return;
    }
    const live = listen();
    let admit;
    try {
      admit = await admission(live);
    } catch {
      return;  // the waiting room says why
    }
    if (signal.aborted) return;
    const onSale = tickets.filter((ticket) => saleState(ticket) !== 'ended');
    if (onSale.length) {
      const { bar, stop } = phoneBar(section, onSale, event.currency);
      section.after(bar);
      signal.addEventListener('abort', () => { stop(); bar.remove(); });
    }
    if (store.token) {
      const [forms, asked] = await Promise.all([
        import('./order-form.js').catch(() => null),
        api.get(`/public/events/${encodeURIComponent(event.id)}/questions`, { auth: false, signal }).catch(() => null),
      ]);
      if (forms && !signal.aborted) {
        forms.orderForm(event, { list, cards, questions: asked?.questions || [], code: applied, admit });
      }
    } else {
      const next = encodeURIComponent(`/e/${event.id}${applied ? `?code=${encodeURIComponent(applied)}` : ''}`);
      list.after(h('p', { class: 'sign-in-to-order', dataset: { signInToOrder: '' } },
        h('a', { class: 'button primary', href: `#/signin?next=${next}` }, 'Sign in to get tickets'),
        ' ', h('a', { href: `#/signup?next=${next}` }, 'or create an account')));
    }
  };
  return { section, start };
}
