// Invitations addressed to me: accept (the event appears on my dashboard) or decline.
// Answering needs the invite's token: listed once my address is verified, else it comes with the
// invitation e-mail's link (#/invites?invite=<id>&token=<token>).

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';
import { roleLabel } from '../roles.js';
import { store } from '../store.js';
import { resendVerificationButton } from './verification.js';

export default async function render({ root, query, navigate }) {
  document.title = 'Invitations · Marquee';
  const failure = errorBox('invites-error');
  root.append(h('h1', {}, 'Invitations'), failure);
  const linked = { id: query.get('invite'), token: query.get('token') };
  const invites = (await api.get('/me/invites')).filter((invite) => invite.status === 'pending' || !invite.status);
  if (linked.token && !invites.some((invite) => invite.id === linked.id)) {
    root.append(h('p', { class: 'notice', role: 'status', dataset: { linkNotFound: '' } },
      'The invitation of this link is not waiting for an answer from this account: it was answered already, '
      + 'has expired, or was sent to another e-mail address than the one you signed in with.'));
  }
  const verified = Boolean(store.user?.email_verified);
  const tokenOf = (invite) => invite.token || (invite.id === linked.id ? linked.token : null);
  if (invites.some((invite) => !tokenOf(invite))) {
    root.append(h('section', { class: 'notice', dataset: { needsProof: '' } },
      h('p', {}, 'To answer an invitation, open the link in the invitation e-mail we sent you',
        verified ? '.' : ', or verify your e-mail address: then you can answer here.'),
      verified ? null : resendVerificationButton()));
  } else if (!verified) {
    root.append(h('section', { class: 'notice', dataset: { verifyHint: '' } },
      h('p', {}, 'Your e-mail address is not verified yet. Once it is, you can answer invitations here '
        + 'without the link of the invitation e-mail.'),
      resendVerificationButton()));
  }
  if (!invites.length) {
    root.append(h('p', { class: 'muted', dataset: { noInvites: '' } }, 'You have no pending invitations.'));
    return;
  }
  root.append(h('ul', { class: 'grid', dataset: { invites: '' } }, invites.map((invite) => {
    const token = tokenOf(invite);
    const card = h('li', { class: 'card', dataset: { inviteId: invite.id } },
      h('h2', {}, invite.event?.name || 'An event'),
      h('p', {}, 'You are invited as ', h('strong', {}, roleLabel(invite.role)), '.'));
    if (!token) {
      card.append(h('p', { class: 'muted', dataset: { inviteNeedsLink: '' } },
        'Use the link in the invitation e-mail to answer.'));
      return card;
    }
    const accept = h('button', { type: 'button', class: 'primary', dataset: { action: 'accept-invite' } }, 'Accept');
    const decline = h('button', { type: 'button', dataset: { action: 'decline-invite' } }, 'Decline');
    card.append(h('div', { class: 'actions' }, accept, decline));
    const answer = async (verb) => {
      accept.disabled = true;
      decline.disabled = true;
      failure.show('');
      try {
        await api.post(`/invites/${encodeURIComponent(token)}/${verb}`, {});
        // Accepting marks the invitation's notification read: the bell follows.
        api.get('/notifications/unread-count').then(({ count }) => store.setUnread(count)).catch(() => null);
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
