// The organizer's pages of one event (overview, details, tickets, orders, team, program), shown on
// each of them with the page open marked: only the pages the event's `allowed` grants. Also loads
// the organizer pages' stylesheet (css/organizer.css), which the public pages never download.

import { h } from '../dom.js';

const STYLESHEET = new URL('../../css/organizer.css', import.meta.url).href;

/** Resolves once css/organizer.css applies (at once when it already does). */
export function organizerStyles() {
  const existing = [...document.querySelectorAll('link[rel=stylesheet]')].find((link) => link.href === STYLESHEET);
  if (existing) return existing.loaded || Promise.resolve();
  const link = h('link', { rel: 'stylesheet', href: STYLESHEET, dataset: { organizerCss: '' } });
  link.loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
  document.head.append(link);
  return link.loaded;
}

function pages(event) {
  const { allowed } = event;
  const id = encodeURIComponent(event.id);
  const program = ['track', 'session', 'speaker', 'sponsor', 'microlocation'].some((name) => allowed[name]?.read);
  return [
    ['manage', 'Overview', `#/events/${id}/manage`, true],
    ['edit', 'Details', `#/events/${id}/edit`, allowed.event?.update],
    ['tickets', 'Tickets', `#/events/${id}/edit/tickets`, allowed.event?.update],
    ['orders', 'Sales & orders', `#/events/${id}/orders`, allowed.orders?.read],
    ['program', 'Program', `#/events/${id}/manage/sessions`, program],
    ['public', 'Public page', `#/e/${id}`, event.state === 'published'],
  ].filter(([, , , shown]) => shown);
}

/** The event's name as the page's heading, its state, and the organizer pages' navigation. */
export function eventHeader(event, current, heading = event.name) {
  // On a phone the pages scroll sideways: the open one is brought into view.
  requestAnimationFrame(() => document.querySelector('.event-nav [aria-current="page"]')
    ?.scrollIntoView({ block: 'nearest', inline: 'center' }));
  return h('header', { class: 'event-header' },
    h('p', { class: 'event-kicker' }, h('a', { href: '#/' }, 'My events'), ' / ',
      h('span', { class: `badge ${event.state === 'draft' ? 'draft' : 'live'}`, dataset: { state: event.state } },
        event.state === 'published' ? 'Published' : 'Draft')),
    h('h1', { tabindex: '-1' }, heading),
    h('nav', { class: 'event-nav', 'aria-label': `${event.name}: organizer pages` },
      h('ul', {}, pages(event).map(([name, label, href]) => h('li', {}, h('a', {
        href, 'aria-current': name === current ? 'page' : null, dataset: { eventNav: name },
      }, label))))));
}
