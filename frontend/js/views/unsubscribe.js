// The page an organizer message's unsubscribe link opens (no sign-in: the signed link is enough):
// it unsubscribes at once and offers to take it back.

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';

export default async function render({ root, query }) {
  document.title = 'Unsubscribe · Marquee';
  const token = query.get('token') || '';
  const heading = h('h1', {}, 'Unsubscribe');
  const status = h('p', { role: 'status', dataset: { unsubscribeStatus: '' } }, 'One moment…');
  const problem = errorBox('unsubscribe-error');
  const toggle = h('button', { type: 'button', hidden: true, dataset: { action: 'toggle-subscription' } });
  const note = h('p', { class: 'muted' }, 'Receipts, tickets and reminders of your own orders still reach you.');
  root.append(h('section', { class: 'narrow' }, heading, status, problem, toggle, note));

  async function apply(path) {
    problem.show('');
    toggle.disabled = true;
    try {
      const answer = await api.post(path, { token });
      const name = answer.event.name;
      status.textContent = answer.subscribed
        ? `You will get messages from the organizers of ${name} again (at ${answer.email}).`
        : `You will no longer get messages from the organizers of ${name} (at ${answer.email}).`;
      toggle.textContent = answer.subscribed ? 'Unsubscribe again' : 'Undo: keep getting their messages';
      toggle.dataset.next = answer.subscribed ? '/unsubscribe' : '/unsubscribe/undo';
      toggle.hidden = false;
    } catch (error) {
      status.textContent = '';
      problem.show(error.status === 404 ? 'This event no longer exists; it sends no more messages.' : api.describeError(error));
    } finally {
      toggle.disabled = false;
    }
  }
  toggle.addEventListener('click', () => apply(toggle.dataset.next));
  await apply('/unsubscribe');
}
