// The "People" tab of event management: who holds which role, pending invitations, and the invite
// form; only for whom the event's `allowed` lets manage the team (its organizers, and staff).

import * as api from '../api.js';
import { confirmDialog, errorBox, field, formValues, h, showFieldError } from '../dom.js';
import { EVENT_ROLES, roleLabel } from '../roles.js';
import { store } from '../store.js';

export default async function renderPeople(section, event, signal) {
  const failure = errorBox('people-error');
  if (!event.allowed.team.manage) {
    section.append(h('h2', {}, 'People'), h('p', { class: 'muted', dataset: { noAccess: '' } },
      'Only the event\'s organizers manage its team.'));
    return;
  }
  const body = h('tbody');
  section.append(h('h2', {}, 'People'), failure,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { roles: '' } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'E-mail'),
        h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body)));
  async function load() {
    const roles = await api.get(`/events/${event.id}/roles`);
    body.replaceChildren(...roles.map((entry) => {
      const remove = h('button', { type: 'button', class: 'danger', dataset: { action: 'remove-role' },
        'aria-label': `Remove ${entry.user.name || entry.user.email}` }, 'Remove');
      remove.addEventListener('click', async () => {
        if (!await confirmDialog(`Remove ${entry.user.email} from this event?`, { confirmLabel: 'Remove' })) return;
        try {
          await api.del(`/events/${event.id}/roles/${encodeURIComponent(entry.user.id)}`);
          await load();
        } catch (error) {
          failure.show(api.describeError(error));
        }
      });
      return h('tr', { dataset: { memberEmail: entry.user.email, memberRole: entry.role } },
        h('td', { dataset: { primary: '' } }, entry.user.name || entry.user.email),
        h('td', { dataset: { label: 'E-mail' } }, entry.user.email),
        h('td', { dataset: { label: 'Role' } }, roleLabel(entry.role)),
        h('td', { class: 'row-actions' }, remove));
    }));
  }
  await load();
  const pendingList = h('ul', { class: 'pending-list', dataset: { pendingInvites: '' } });
  section.append(h('h3', {}, 'Pending invitations'), pendingList);
  async function loadPending() {
    const invites = (await api.get(`/events/${event.id}/invites`).catch(() => []))
      .filter((invite) => invite.status === 'pending');
    pendingList.replaceChildren(...invites.map((invite) => h('li', { dataset: { inviteEmail: invite.email } },
      h('span', {}, invite.email), h('span', { class: 'badge' }, roleLabel(invite.role)))));
    if (!invites.length) pendingList.append(h('li', { class: 'muted' }, 'None.'));
  }
  await loadPending();
  // An accepted invite is pushed to the organizers' tabs (a notification): the team and the
  // pending list follow without a reload.
  const onNotifications = (pushed) => {
    const joined = (pushed.detail || []).some((notification) => notification.action === 'invite_accepted'
      && notification.link === `/events/${event.id}/manage/people`);
    if (joined) Promise.all([load(), loadPending()]).catch((error) => failure.show(api.describeError(error)));
  };
  store.addEventListener('notifications', onNotifications);
  signal?.addEventListener('abort', () => store.removeEventListener('notifications', onNotifications), { once: true });
  const email = field('E-mail', h('input', { type: 'email', required: true, autocomplete: 'off' }), { name: 'email' });
  const roleField = field('Role', h('select', {}, EVENT_ROLES.map((name) => h('option', { value: name, selected: name === 'coorganizer' }, roleLabel(name)))), { name: 'role' });
  const sent = h('p', { class: 'notice', role: 'status', hidden: true, dataset: { inviteSent: '' } });
  const inviteFailure = errorBox('invite-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'send-invite' } }, 'Send invitation');
  const form = h('form', { novalidate: true, dataset: { form: 'invite' } },
    h('h2', {}, 'Invite someone'), h('div', { class: 'field-row' }, email.wrap, roleField.wrap),
    inviteFailure, sent, h('div', { class: 'actions' }, submit));
  section.append(form);
  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    showFieldError(email, '');
    inviteFailure.show('');
    sent.hidden = true;
    const values = formValues(form);
    submit.disabled = true;
    try {
      const invite = await api.post(`/events/${event.id}/invites`, { email: values.email.trim(), role: values.role });
      sent.textContent = `Invitation sent to ${invite.email} as ${roleLabel(invite.role)}.`;
      sent.hidden = false;
      form.reset();
      await loadPending();
    } catch (error) {
      if (error.details?.email) showFieldError(email, error.details.email);
      inviteFailure.show(error.message);
    } finally {
      submit.disabled = false;
    }
  });
}
