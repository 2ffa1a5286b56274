// Dashboard: my events with my role on each, pending invitations, and "Create event".

import * as api from '../api.js';
import { h } from '../dom.js';
import { formatRange } from '../time.js';
import { DOOR_ROLE, EDITOR_ROLES, roleLabel, scannerPath } from '../roles.js';
import { organizerStyles } from './event-nav.js';

export default async function render({ root }) {
  document.title = 'My events · Marquee';
  const list = h('ul', { class: 'grid', dataset: { myEvents: '' } });
  await organizerStyles();
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'My events'),
      h('a', { href: '#/events/new', class: 'button primary', dataset: { action: 'create-event' } }, 'Create event')),
    list,
  );
  const [events, invites] = await Promise.all([api.get('/me/events'), api.get('/me/invites').catch(() => [])]);
  const pending = invites.filter((invite) => !invite.status || invite.status === 'pending');
  if (pending.length) {
    list.before(h('p', { class: 'notice', dataset: { pendingInvites: String(pending.length) } },
      pending.length === 1 ? 'You have a pending invitation. ' : `You have ${pending.length} pending invitations. `,
      h('a', { href: '#/invites' }, 'Review')));
  }
  if (!events.length) {
    list.replaceWith(h('p', { class: 'muted empty-state', dataset: { myEvents: '', empty: '' } },
      'You have no events yet. Create one to get started: details, a background image, tickets, publish.'));
  }
  for (const event of events) list.append(eventCard(event));
}

function eventCard(event) {
  const canEdit = EDITOR_ROLES.includes(event.role);
  const atTheDoor = event.role === DOOR_ROLE;
  return h('li', { class: 'card event-card', dataset: { eventId: event.id, eventName: event.name } },
    h('h2', {}, event.name),
    h('p', {},
      h('span', { class: 'badge', dataset: { role: event.role } }, roleLabel(event.role)), ' ',
      h('span', { class: `badge ${event.state === 'draft' ? 'draft' : ''}`, dataset: { state: event.state } },
        event.state === 'published' ? 'Published' : 'Draft')),
    h('p', { class: 'muted' }, formatRange(event.starts_at, event.ends_at, event.timezone)),
    event.location_name ? h('p', {}, event.location_name) : null,
    h('div', { class: 'actions' },
      canEdit ? h('a', { class: 'button', href: `#/events/${event.id}/edit`, dataset: { action: 'edit' } }, 'Edit') : null,
      atTheDoor
        ? h('a', { class: 'button primary', href: scannerPath(event.id), dataset: { action: 'scan' } }, 'Open the scanner')
        : h('a', { class: 'button', href: `#/events/${event.id}/manage`, dataset: { action: 'manage' } }, 'Manage'),
      canEdit ? h('a', { class: 'button', href: `#/events/${event.id}/orders`, dataset: { action: 'sales' } }, 'Sales') : null,
      event.state === 'published'
        ? h('a', { href: `#/e/${event.id}`, dataset: { action: 'view-public' } }, 'Public page')
        : null));
}
