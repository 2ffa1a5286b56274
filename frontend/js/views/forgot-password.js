// "Forgot password?": ask for the address, then say the same thing whatever it is (the server's
// answer never tells whether the address has an account).

import * as api from '../api.js';
import { errorBox, field, h, showFieldErrors } from '../dom.js';

export default async function render({ root }) {
  document.title = 'Forgot your password · Marquee';
  const card = h('section', { class: 'card narrow', dataset: { forgotPassword: '' } });
  root.append(card);
  ask(card);
}

function ask(card, email = '') {
  card.replaceChildren();
  const address = field('E-mail', h('input', { type: 'email', autocomplete: 'email', required: true, value: email }),
    { name: 'email', hint: 'The address you sign in with.' });
  const failure = errorBox('form-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'send-reset' } },
    'Send me a link');
  const form = h('form', { novalidate: true, dataset: { form: 'forgot-password' } },
    address.wrap, failure, h('div', { class: 'actions' }, submit));
  card.append(
    h('h1', {}, 'Forgot your password?'),
    h('p', {}, 'We will e-mail you a link to choose a new one.'),
    form,
    h('p', {}, h('a', { href: '#/signin' }, 'Back to sign in')));
  address.input.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showFieldErrors({ email: address }, { email: '' });
    failure.show('');
    submit.disabled = true;
    try {
      const sent = await api.post('/auth/password-reset', { email: address.input.value.trim() }, { auth: false });
      told(card, sent.email);
    } catch (error) {
      const placed = showFieldErrors({ email: address }, error.details);
      failure.show(placed ? '' : api.describeError(error));
      submit.disabled = false;
    }
  });
}

function told(card, email) {
  card.replaceChildren();
  const again = h('button', { type: 'button', class: 'link', dataset: { action: 'ask-again' } }, 'ask again');
  again.addEventListener('click', () => ask(card, email));
  const heading = h('h1', { tabindex: '-1' }, 'Check your inbox');
  card.append(
    heading,
    h('p', { role: 'status', dataset: { resetRequested: '' } },
      `If an account uses ${email}, we have sent it a link to choose a new password.`),
    h('p', {}, 'The link works once, for one hour. Nothing after a few minutes? Look in your spam folder, or ',
      again, '.'),
    h('p', {}, h('a', { href: '#/signin' }, 'Back to sign in')));
  heading.focus();
}
