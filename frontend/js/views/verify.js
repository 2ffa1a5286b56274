// The verification e-mail's link: #/verify-email?token=... confirms the address and says so.
// Works signed in or not (the token is the proof); signed in, it refreshes the profile.

import * as api from '../api.js';
import { h } from '../dom.js';
import { store } from '../store.js';
import { resendVerificationButton } from './verification.js';

export default async function render({ root, query }) {
  document.title = 'Verify your e-mail · Marquee';
  const card = h('section', { class: 'card narrow', dataset: { verifyEmail: '' } }, h('h1', {}, 'Verify your e-mail'));
  root.append(card);
  const token = query.get('token');
  if (!token) {
    card.append(h('p', { class: 'error-box', role: 'alert', dataset: { verifyResult: 'failed' } },
      'This link is incomplete. Open the link in the e-mail again, or copy all of it into the address bar.'));
    return;
  }
  const status = h('p', { role: 'status', dataset: { verifyResult: 'pending' } }, 'Checking your link…');
  card.append(status);
  try {
    const result = await api.post('/auth/verify-email/confirm', { token }, { auth: false });
    status.dataset.verifyResult = 'verified';
    status.textContent = `Thank you: ${result.email} is verified.`;
    if (store.token) {
      store.setUser(await api.get('/me'));
      card.append(h('p', {}, h('a', { href: '#/invites', dataset: { nav: 'invites' } }, 'See your invitations')));
    } else {
      card.append(h('p', {}, h('a', { href: '#/signin' }, 'Sign in'), ' to continue.'));
    }
  } catch (error) {
    status.dataset.verifyResult = 'failed';
    status.className = 'error-box';
    status.setAttribute('role', 'alert');
    status.textContent = error.details?.token || api.describeError(error);
    if (store.token && !store.user?.email_verified) {
      card.append(h('p', {}, 'You can ask for a new link:'), resendVerificationButton());
    }
  }
}
