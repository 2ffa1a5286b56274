// The "Messages" tab of event management: what the organizers wrote to the attendees (newest first,
// how many it reached), and the compose dialog (message-dialog.js).

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';
import { safeFragment } from '../safe-html.js';
import { formatDateTimeWithZone } from '../time.js';
import { openMessageDialog } from './message-dialog.js';

function audience(message, names) {
  if (!message.ticket_ids) return 'Every attendee';
  return message.ticket_ids.map((id) => names.get(id) || 'a deleted ticket').join(', ');
}

function reach(message) {
  if (message.status !== 'sent') return 'Sending…';
  return `${message.recipients} e-mail${message.recipients === 1 ? '' : 's'} sent`;
}

export default async function renderMessages(section, event) {
  section.append(h('h2', {}, 'Messages to attendees'));
  if (!event.allowed.messages?.send) {
    section.append(h('p', { class: 'muted', dataset: { noAccess: '' } }, 'Only the event\'s organizers write to its attendees.'));
    return;
  }
  const failure = errorBox('messages-error');
  const list = h('ol', { class: 'message-list', dataset: { messages: '' } });
  const empty = h('p', { class: 'muted', dataset: { messagesEmpty: '' } },
    'No messages yet. Write to every attendee, or to those of some tickets; each gets one e-mail.');
  const tickets = await api.get(`/events/${event.id}/tickets`);
  const names = new Map(tickets.map((ticket) => [ticket.id, ticket.name]));

  async function load() {
    try {
      const messages = await api.get(`/events/${event.id}/messages`);
      empty.hidden = messages.length > 0;
      list.replaceChildren(...messages.map((message) => h('li', { class: 'message-item', dataset: { message: message.id } },
        h('h3', {}, message.subject),
        h('p', { class: 'muted' }, `${formatDateTimeWithZone(message.created_at, event.timezone)} · ${audience(message, names)} · `,
          h('span', { dataset: { messageReach: '' } }, reach(message))),
        h('details', {}, h('summary', {}, 'Show the message'), h('div', { class: 'message-body' }, safeFragment(message.html))))));
    } catch (error) {
      failure.show(api.describeError(error));
    }
  }
  const write = h('button', { type: 'button', class: 'primary', dataset: { action: 'compose-message' } }, 'Write to attendees');
  write.addEventListener('click', () => openMessageDialog(event, tickets, async () => {
    await load();
    // The delivery runs just after the request: show its count once it is done.
    setTimeout(load, 2000);
  }));
  section.append(h('div', { class: 'actions' }, write), failure, empty, list);
  await load();
}
