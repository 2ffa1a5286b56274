// The event's site (#/e/{id}, also #/public/events/{id}): hero, dates with their zone, the venue
// with a map link, tickets, and tabs for the schedule, "My schedule", speakers and sponsors, share
// and calendar links. Works offline from the service worker's last copy, saying how old it is.

import * as api from '../api.js';
import { h, useStylesheet } from '../dom.js';
import { srcsetOf } from '../images.js';
import { keepForOffline, offlineCopyOf } from '../offline.js';
import { store } from '../store.js';
import { formatRange, relativeTime } from '../time.js';
import { loadEvent } from './public-code.js';
import { scheduleTabs } from './site-schedule.js';
import { ticketsSection } from './site-tickets.js';

const DESCRIPTION_LENGTH = 160;

function setDescription(text) {
  const meta = document.querySelector('meta[name="description"]');
  const before = meta?.getAttribute('content') ?? null;
  if (meta) meta.setAttribute('content', text);
  return () => { if (meta && before !== null) meta.setAttribute('content', before); };
}

function summary(event) {
  const text = (event.description || '').replace(/\s+/g, ' ').trim();
  const where = event.location_name ? `, ${event.location_name}` : '';
  const base = text || `${event.name}: ${formatRange(event.starts_at, event.ends_at, event.timezone)}${where}`;
  return base.length > DESCRIPTION_LENGTH ? `${base.slice(0, DESCRIPTION_LENGTH - 1)}…` : base;
}

export function mapUrl(place) {
  return `https://www.openstreetmap.org/search?${new URLSearchParams({ query: place })}`;
}

export function pageUrl(eventId, query = '') {
  return `${location.origin}${location.pathname}#/e/${encodeURIComponent(eventId)}${query}`;
}

export function calendarUrl(eventId, sessionId = null) {
  const path = `${store.config.apiUrl}/public/events/${encodeURIComponent(eventId)}/calendar.ics`;
  return sessionId ? `${path}?${new URLSearchParams({ session_id: sessionId })}` : path;
}

function hero(event) {
  const image = event.background_url ? h('img', {
    class: 'site-hero-image', src: event.background_url, srcset: srcsetOf(event.background_variants) || null,
    sizes: '(max-width: 1100px) 100vw, 1068px', alt: '', width: 1960, height: 980, fetchpriority: 'high',
    dataset: { eventImage: '' },
  }) : null;
  const place = event.location_name
    ? h('p', { class: 'site-place', dataset: { eventLocation: '' } },
      h('span', {}, event.location_name), ' · ',
      h('a', { href: mapUrl(event.location_name), target: '_blank', rel: 'noopener', dataset: { mapLink: '' } }, 'Map'))
    : null;
  return h('header', { class: `site-hero${image ? ' with-image' : ''}` }, image,
    h('div', { class: 'site-hero-text' },
      h('h1', {}, event.name),
      h('p', { class: 'site-dates', dataset: { eventDates: '' } }, formatRange(event.starts_at, event.ends_at, event.timezone)),
      place));
}

function shareLinks(event) {
  const url = pageUrl(event.id);
  const text = `${event.name}: ${formatRange(event.starts_at, event.ends_at, event.timezone)}`;
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button', dataset: { action: 'copy-link' },
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(url);
        status.textContent = 'Link copied.';
      } catch {
        status.textContent = url;
      }
    },
  }, 'Copy link');
  const native = navigator.share
    ? h('button', { type: 'button', onclick: () => navigator.share({ title: event.name, text, url }).catch(() => null) }, 'Share…')
    : null;
  const links = [
    ['E-mail', `mailto:?${new URLSearchParams({ subject: event.name, body: `${text}\n${url}` })}`.replace(/\+/g, '%20')],
    ['X', `https://x.com/intent/post?${new URLSearchParams({ text, url })}`],
    ['LinkedIn', `https://www.linkedin.com/sharing/share-offsite/?${new URLSearchParams({ url })}`],
  ];
  return h('div', { class: 'site-share', dataset: { share: '' } },
    h('h2', {}, 'Share'),
    h('div', { class: 'actions' }, copy, native,
      links.map(([label, href]) => h('a', { class: 'button', href, target: '_blank', rel: 'noopener', dataset: { shareLink: label } }, label)),
      status));
}

function calendarLinks(event) {
  const ics = calendarUrl(event.id);
  return h('div', { class: 'site-calendar' },
    h('h2', {}, 'Add to your calendar'),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: ics, dataset: { calendarLink: 'event' } }, 'Add to calendar (.ics)'),
      h('a', { class: 'button', href: ics.replace(/^https?:/, 'webcal:') }, 'Subscribe'),
      h('a', { href: `${store.config.apiUrl}/public/events/${encodeURIComponent(event.id)}/schedule.xml` }, 'Schedule for conference apps (XML)')));
}

function offlineNote(copies) {
  const note = h('p', { class: 'notice warn site-offline', role: 'status', dataset: { offlineNote: '' }, hidden: true });
  const dates = copies.filter(Boolean);
  if (!dates.length) return note;
  const oldest = new Date(Math.min(...dates.map((date) => date.getTime())));
  const ago = relativeTime(oldest.toISOString());
  note.textContent = `Offline — updated ${ago === 'now' ? 'just now' : ago}`;
  note.hidden = false;
  return note;
}

async function load(id, code, signal) {
  const base = `/public/events/${encodeURIComponent(id)}`;
  const [found, schedule] = await Promise.all([
    loadEvent(id, code, signal),
    api.get(`${base}/schedule`, { auth: false, signal, withResponse: true }).catch((error) => {
      if (error.name === 'AbortError') throw error;
      return null;
    }),
  ]);
  const answers = [[found.path, found.answer], [`${base}/schedule`, schedule]].filter(([, answer]) => answer);
  return {
    event: found.event,
    refused: found.refused,
    schedule: schedule?.data || null,
    copies: [found.answer, schedule].map((answer) => offlineCopyOf(answer?.headers)),
    // Fresh answers, handed to the service worker for the next visit (offline copies it has).
    fresh: answers.filter(([, answer]) => !offlineCopyOf(answer.headers))
      .map(([path, answer]) => ({ url: `${store.config.apiUrl}${path}`, body: JSON.stringify(answer.data), etag: answer.etag })),
  };
}

export default async function render({ root, params, query, signal, navigate }) {
  const code = query.get('code') || null;
  let loaded;
  try {
    [loaded] = await Promise.all([load(params.id, code, signal), useStylesheet(new URL('../../css/site.css', import.meta.url))]);
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
  if (signal.aborted) return;
  const { event, refused, schedule, copies, fresh } = loaded;
  document.title = `${event.name} · Marquee`;
  signal.addEventListener('abort', setDescription(summary(event)));
  const offline = copies.some(Boolean);
  const tickets = ticketsSection(event, { signal, offline, code, refused, navigate });
  // Wide screens: what it is about on the left, the tickets beside it (a column of their own).
  // Phones: about, tickets, then calendar and share links.
  const overview = h('div', { class: 'site-overview' },
    event.description
      ? h('div', { class: 'site-about' }, h('h2', {}, 'About this event'),
        h('p', { class: 'description', dataset: { eventDescription: '' } }, event.description))
      : null,
    tickets.section,
    h('div', { class: 'site-more' }, calendarLinks(event), shareLinks(event)));
  const article = h('article', { class: 'site', dataset: { publicEvent: event.id } },
    hero(event), offlineNote(copies),
    scheduleTabs(event, schedule, { overview, query, signal, calendarUrl, pageUrl }));
  root.append(article);
  // This event's data and the modules it needed are kept for the next visit, even offline.
  keepForOffline(fresh).then((kept) => {
    if (kept && !signal.aborted) document.documentElement.dataset.offlineSaved = event.id;
  }).catch(() => null);
  await tickets.start();
}
