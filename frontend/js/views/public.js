// The landing page (#/ for visitors, #/public/events for everyone): what Marquee is, a way in for
// organizers, and the published events (upcoming soonest first, or past), searchable, as cards with
// the date and its zone, the place and the price range. One event's page is its site: views/site.js.

import * as api from '../api.js';
import { h, useStylesheet } from '../dom.js';
import { variantList } from '../images.js';
import { friendlyMessage } from '../messages.js';
import { formatMoney } from '../money.js';
import { store } from '../store.js';
import { formatRange } from '../time.js';

const PAGE = 12;
const SEARCH_DELAY_MS = 250;

const FEATURES = [
  ['Sell tickets', 'Free, paid or pay what you want, with codes for discounts and hidden tickets. Card payments go through Stripe.'],
  ['Share a programme', 'Tracks, rooms and speakers; visitors star the sessions they want and add them to their calendar.'],
  ['Check people in', 'A phone at the door scans tickets, even when the Wi-Fi drops.'],
];

/** "Free", "€29.00", "From €29.00" or "Free – €49.00" for a card; null without tickets. */
export function priceRangeText(event) {
  const { price_from: from, price_to: to, currency } = event;
  if (from === null || from === undefined) return null;
  if (Number(to) === 0) return 'Free';
  if (Number(from) === 0) return `Free – ${formatMoney(to, currency)}`;
  return from === to ? formatMoney(from, currency) : `From ${formatMoney(from, currency)}`;
}

function dateBadge(event) {
  const parts = (options) => new Intl.DateTimeFormat(undefined, { timeZone: event.timezone, ...options }).format(new Date(event.starts_at));
  return h('span', { class: 'date-badge', 'aria-hidden': 'true' },
    h('span', { class: 'date-badge-month' }, parts({ month: 'short' })),
    h('span', { class: 'date-badge-day' }, parts({ day: 'numeric' })));
}

function eventCard(event) {
  const thumb = variantList(event.background_variants)[0]?.url || event.background_url;
  const price = priceRangeText(event);
  return h('li', { class: 'event-card listing-card', dataset: { eventId: event.id } },
    h('div', { class: 'listing-media' },
      thumb ? h('img', { src: thumb, alt: '', loading: 'lazy', width: 490, height: 245 }) : h('div', { class: 'listing-placeholder' }),
      dateBadge(event)),
    h('div', { class: 'listing-body' },
      h('h3', {}, h('a', { href: `#/e/${event.id}`, dataset: { eventLink: '' } }, event.name)),
      h('p', { class: 'listing-when', dataset: { eventWhen: '' } }, formatRange(event.starts_at, event.ends_at, event.timezone)),
      event.location_name ? h('p', { class: 'listing-where' }, event.location_name) : null,
      price ? h('p', { class: 'listing-price', dataset: { eventPrice: '' } }, price) : null));
}

function createLink(extra = '') {
  const href = store.token ? '#/events/new' : `#/signup?next=${encodeURIComponent('/events/new')}`;
  return h('a', { class: `button primary ${extra}`.trim(), href, dataset: { action: 'create-your-event' } }, 'Create your event');
}

function intro() {
  return h('section', { class: 'landing-hero', 'aria-labelledby': 'landing-title' },
    h('div', { class: 'landing-hero-text' },
      h('p', { class: 'landing-kicker' }, 'Marquee'),
      h('h1', { id: 'landing-title' }, 'Find your next event, or run your own'),
      h('p', { class: 'landing-lead' },
        'Marquee is where conferences, meetups and festivals publish their page, sell tickets and share their schedule. '
        + 'Getting a ticket takes a minute; creating an event takes five.'),
      h('div', { class: 'actions' }, createLink(),
        h('a', { class: 'button', href: '#/public/events', dataset: { action: 'browse-events' },
          onclick: (click) => {
            const target = document.getElementById('events-title');
            if (!target) return;
            click.preventDefault();
            target.scrollIntoView({ behavior: 'smooth' });
          } }, 'Browse events'))),
    h('ul', { class: 'landing-features' }, FEATURES.map(([title, text]) => h('li', {}, h('strong', {}, title), h('span', {}, text)))));
}

export default async function render({ root, signal }) {
  document.title = 'Marquee · Events, tickets and schedules';
  await useStylesheet(new URL('../../css/landing.css', import.meta.url));
  if (signal.aborted) return;
  const search = h('input', { type: 'search', id: 'event-search', placeholder: 'Name, city or topic', autocomplete: 'off', dataset: { eventSearch: '' } });
  const whenButtons = [['upcoming', 'Upcoming'], ['past', 'Past']].map(([when, label]) => h('button', {
    type: 'button', 'aria-pressed': String(when === 'upcoming'), dataset: { when },
  }, label));
  const list = h('ul', { class: 'listing-grid', dataset: { publicEvents: '' } });
  const status = h('p', { class: 'muted', role: 'status', dataset: { listingStatus: '' } });
  const more = h('button', { type: 'button', hidden: true, dataset: { action: 'more-events' } }, 'Show more events');
  root.append(intro(),
    h('section', { class: 'listing', 'aria-labelledby': 'events-title' },
      h('div', { class: 'listing-head' },
        h('h2', { id: 'events-title' }, 'Events'),
        h('div', { class: 'listing-tools' },
          h('div', { class: 'field listing-search' }, h('label', { for: 'event-search' }, 'Search events'), search),
          h('div', { class: 'segmented', role: 'group', 'aria-label': 'Which events' }, whenButtons))),
      list, status, h('div', { class: 'actions listing-more' }, more)),
    h('section', { class: 'landing-organizers card' },
      h('h2', {}, 'Organizing something?'),
      h('p', {}, 'Create the page, add free or paid tickets and publish. Attendees get their tickets by e-mail with a QR code for the door.'),
      createLink()));

  let when = 'upcoming';
  let cursor = null;
  let asked = 0;
  const load = async (append) => {
    asked += 1;
    const mine = asked;
    const params = new URLSearchParams({ when, limit: String(PAGE) });
    if (search.value.trim()) params.set('q', search.value.trim());
    if (append && cursor) params.set('cursor', cursor);
    status.textContent = 'Loading events…';
    try {
      const { data, headers } = await api.get(`/public/events?${params}`, { auth: false, signal, withResponse: true });
      if (mine !== asked || signal.aborted) return;
      if (!append) list.replaceChildren();
      list.append(...data.map(eventCard));
      cursor = headers.get('X-Next-Cursor');
      more.hidden = !cursor;
      const query = search.value.trim();
      const none = when === 'past' ? 'No past events.' : 'No upcoming events yet. Be the first to create one!';
      status.textContent = list.children.length ? '' : (query ? `No events match “${query}”.` : none);
      list.dataset.empty = String(!list.children.length);
    } catch (error) {
      if (error.name === 'AbortError' || mine !== asked) return;
      status.textContent = friendlyMessage(error);
    }
  };
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(false), SEARCH_DELAY_MS);
  });
  for (const button of whenButtons) {
    button.addEventListener('click', () => {
      when = button.dataset.when;
      whenButtons.forEach((other) => other.setAttribute('aria-pressed', String(other === button)));
      load(false);
    });
  }
  more.addEventListener('click', () => load(true));
  signal.addEventListener('abort', () => clearTimeout(timer));
  await load(false);
}
