// Invitations addressed to me: accept (the event appears on my dashboard) or decline.

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';
import { roleLabel } from '../roles.js';

export default async function render({ root, navigate }) {
  document.title = 'Invitations · Marquee';
  const failure = errorBox('invites-error');
  root.append(h('h1', {}, 'Invitations'), failure);
  const invites = (await api.get('/me/invites')).filter((invite) => invite.status === 'pending' || !invite.status);
  if (!invites.length) {
    root.append(h('p', { class: 'muted', dataset: { noInvites: '' } }, 'You have no pending invitations.'));
    return;
  }
  root.append(h('ul', { class: 'grid', dataset: { invites: '' } }, invites.map((invite) => {
    const accept = h('button', { type: 'button', class: 'primary', dataset: { action: 'accept-invite' } }, 'Accept');
    const decline = h('button', { type: 'button', dataset: { action: 'decline-invite' } }, 'Decline');
    const card = h('li', { class: 'card', dataset: { inviteId: invite.id } },
      h('h2', {}, invite.event?.name || 'An event'),
      h('p', {}, 'You are invited as ', h('strong', {}, roleLabel(invite.role)), '.'),
      h('div', { class: 'actions' }, accept, decline));
    const answer = async (verb) => {
      accept.disabled = true;
      decline.disabled = true;
      failure.show('');
      try {
        await api.post(`/invites/${encodeURIComponent(invite.token)}/${verb}`, {});
        if (verb === 'accept') navigate(invite.event?.id ? `/events/${invite.event.id}/manage` : '/');
        else card.remove();
      } catch (error) {
        failure.show(api.describeError(error));
        accept.disabled = false;
        decline.disabled = false;
      }
    };
    accept.addEventListener('click', () => answer('accept'));
    decline.addEventListener('click', () => answer('decline'));
    return card;
  })));
}
