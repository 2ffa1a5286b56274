// The password reset e-mail's link: #/reset-password?token=... asks for a new password, sets it
// (every other session of the account ends) and signs in with it.

import * as api from '../api.js';
import { errorBox, field, h, showFieldErrors, toast } from '../dom.js';
import { store } from '../store.js';

export default async function render({ root, query, navigate }) {
  document.title = 'Choose a new password · Marquee';
  const card = h('section', { class: 'card narrow', dataset: { resetPassword: '' } },
    h('h1', {}, 'Choose a new password'));
  root.append(card);
  const token = query.get('token');
  if (!token) {
    deadLink(card, 'This link is incomplete. Open the link in the e-mail again, or copy all of it into the address bar.');
    return;
  }
  const password = field('New password', h('input', {
    type: 'password', autocomplete: 'new-password', required: true, minlength: 8,
  }), { name: 'password', hint: 'At least 8 characters. Every other place you are signed in will be signed out.' });
  const failure = errorBox('form-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'set-password' } },
    'Set the new password');
  const form = h('form', { novalidate: true, dataset: { form: 'reset-password' } },
    password.wrap, failure, h('div', { class: 'actions' }, submit));
  card.append(form);
  password.input.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showFieldErrors({ password }, { password: '' });
    failure.show('');
    submit.disabled = true;
    try {
      const session = await api.post('/auth/password-reset/confirm',
        { token, password: password.input.value }, { auth: false });
      store.signIn(session);
      toast('Your new password is set and you are signed in. Every other session was signed out.');
      navigate('/', { replace: true });
    } catch (error) {
      submit.disabled = false;
      if (error.details?.token) {
        form.remove();
        deadLink(card, error.details.token);
        return;
      }
      const placed = showFieldErrors({ password }, error.details);
      failure.show(placed ? '' : api.describeError(error));
    }
  });
}

function deadLink(card, message) {
  card.append(
    h('p', { class: 'error-box', role: 'alert', dataset: { resetResult: 'failed' } }, message),
    h('p', {}, h('a', { href: '#/forgot-password', class: 'button primary', dataset: { action: 'new-link' } },
      'Send me a new link')));
}
