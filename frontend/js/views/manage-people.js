// The "People" tab of event management: who holds which role, pending invitations, and the invite
// form; only for whom the event's `allowed` lets manage the team (its organizers, and staff).

import * as api from '../api.js';
import { confirmDialog, errorBox, field, formValues, h, showFieldError } from '../dom.js';
import { EVENT_ROLES, roleLabel } from '../roles.js';

export default async function renderPeople(section, event) {
  const failure = errorBox('people-error');
  if (!event.allowed.team.manage) {
    section.append(h('h2', {}, 'People'), h('p', { class: 'muted', dataset: { noAccess: '' } },
      'Only the event\'s organizers manage its team.'));
    return;
  }
  const body = h('tbody');
  section.append(h('h2', {}, 'People'), failure,
    h('div', { class: 'table-wrap' }, h('table', { dataset: { roles: '' } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'E-mail'),
        h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Actions'))),
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
        h('td', {}, entry.user.name || ''), h('td', {}, entry.user.email), h('td', {}, roleLabel(entry.role)),
        h('td', {}, remove));
    }));
  }
  await load();
  const pendingList = h('ul', { dataset: { pendingInvites: '' } });
  section.append(h('h3', {}, 'Pending invitations'), pendingList);
  async function loadPending() {
    const invites = (await api.get(`/events/${event.id}/invites`).catch(() => []))
      .filter((invite) => invite.status === 'pending');
    pendingList.replaceChildren(...invites.map((invite) => h('li', { dataset: { inviteEmail: invite.email } },
      `${invite.email} — ${roleLabel(invite.role)}`)));
    if (!invites.length) pendingList.append(h('li', { class: 'muted' }, 'None.'));
  }
  await loadPending();
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
