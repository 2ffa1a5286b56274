// The list of published events (no sign-in). One event's page is its site: views/site.js.

import * as api from '../api.js';
import { h } from '../dom.js';
import { variantList } from '../images.js';
import { formatRange } from '../time.js';

export default async function renderList({ root, signal }) {
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
      h('h2', {}, h('a', { href: `#/e/${event.id}`, dataset: { eventLink: '' } }, event.name)),
      h('p', { class: 'muted' }, formatRange(event.starts_at, event.ends_at, event.timezone)),
      event.location_name ? h('p', {}, event.location_name) : null);
  })));
}
