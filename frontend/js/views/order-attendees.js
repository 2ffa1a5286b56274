// One order's attendees on its page: who each seat is for and what they answered to the event's
// questions (labels from the event's public questions; an answer to a question since removed is
// not shown). Nothing while the order is not completed: attendees are made when it is.

import * as api from '../api.js';
import { h } from '../dom.js';

function answerText(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  return String(value);
}

/** Where an order page shows its attendees: `update(order)` loads them once the order is no longer
 * pending (and again when its status changes, e.g. refunded). */
export function attendeesPanel(signal) {
  const node = h('div', {});
  let shownFor = null;
  const update = (order) => {
    if (order.status === 'pending' || shownFor === order.status) return;
    shownFor = order.status;
    attendeesSection(order, signal).then((section) => node.replaceChildren(...[section].filter(Boolean)), (error) => {
      if (!signal.aborted) node.replaceChildren(h('p', { class: 'error-box' }, `The attendees could not be shown: ${api.describeError(error)}`));
    });
  };
  return { node, update };
}

/** The attendees section of an order page, or null when the order has none. */
async function attendeesSection(order, signal) {
  const [attendees, asked] = await Promise.all([
    api.get(`/orders/${order.id}/attendees`, { signal }),
    api.get(`/public/events/${encodeURIComponent(order.event_id)}/questions`, { auth: false, signal }).catch(() => null),
  ]);
  if (!attendees.length) return null;
  const questions = asked?.questions || [];
  return h('section', { class: 'card', dataset: { attendees: '' } },
    h('h2', {}, 'Attendees'),
    h('ol', { class: 'attendees' }, attendees.map((attendee) => {
      const answered = questions.filter((question) => attendee.answers?.[question.id] !== undefined);
      return h('li', { dataset: { attendeeId: attendee.id, attendeeStatus: attendee.status } },
        h('strong', {}, attendee.name), ` · ${attendee.email} · ${attendee.ticket_name}`,
        attendee.status === 'revoked' ? h('span', { class: 'muted' }, ' (no longer valid)') : null,
        answered.length ? h('dl', { class: 'facts' }, answered.map((question) => [
          h('dt', {}, question.label),
          h('dd', { dataset: { answerTo: question.id } }, answerText(attendee.answers[question.id])),
        ])) : null);
    })));
}
