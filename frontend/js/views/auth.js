// Sign in and sign up. A successful answer stores the session (it survives reloads) and goes to `next`.

import * as api from '../api.js';
import { errorBox, field, formValues, h, showFieldError } from '../dom.js';
import { store } from '../store.js';

export default async function render({ root, route, query, navigate }) {
  const signup = route.mode === 'signup';
  const next = safeNext(query.get('next'));
  if (store.token) {
    navigate(next, { replace: true });
    return;
  }
  document.title = signup ? 'Sign up · Marquee' : 'Sign in · Marquee';
  const fields = {};
  if (signup) fields.name = field('Your name', h('input', { autocomplete: 'name', required: true }), { name: 'name' });
  fields.email = field('E-mail', h('input', { type: 'email', autocomplete: 'email', required: true }), { name: 'email' });
  fields.password = field('Password', h('input', {
    type: 'password', required: true, minlength: signup ? 8 : null,
    autocomplete: signup ? 'new-password' : 'current-password',
  }), { name: 'password', hint: signup ? 'At least 8 characters.' : null });
  const failure = errorBox('form-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: signup ? 'sign-up' : 'sign-in' } },
    signup ? 'Create account' : 'Sign in');
  const inviteToken = query.get('invite');
  const form = h('form', { novalidate: true, dataset: { form: signup ? 'signup' : 'signin' } },
    Object.values(fields).map((f) => f.wrap), failure, h('div', { class: 'actions' }, submit));
  const message = signup ? '' : store.signInMessage;
  root.append(h('section', { class: 'card narrow' },
    h('h1', {}, signup ? 'Create your account' : 'Sign in'),
    message ? h('p', { class: 'session-message', role: 'alert', dataset: { signinMessage: '' } }, message) : null,
    inviteToken ? h('p', { class: 'notice' }, 'Create an account to accept your invitation.') : null,
    form,
    signup ? null : h('p', {}, h('a', { href: '#/forgot-password', dataset: { nav: 'forgot-password' } }, 'Forgot password?')),
    h('p', {}, signup ? 'Already have an account? ' : 'New here? ',
      h('a', { href: `#/${signup ? 'signin' : 'signup'}${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}` },
        signup ? 'Sign in' : 'Create an account'))));
  (fields.name || fields.email).input.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    failure.show('');
    const values = formValues(form);
    const body = { email: values.email.trim(), password: values.password };
    if (signup) {
      body.name = values.name.trim();
      if (inviteToken) body.invite_token = inviteToken;
    }
    submit.disabled = true;
    try {
      const session = await api.post(signup ? '/auth/signup' : '/auth/login', body, { auth: false });
      store.signIn(session);
      navigate(next, { replace: true });
    } catch (error) {
      let shown = false;
      for (const [name, text] of Object.entries(error.details || {})) {
        if (fields[name]) {
          showFieldError(fields[name], text);
          shown = true;
        }
      }
      failure.show(shown ? 'Please correct the marked fields.' : api.describeError(error));
    } finally {
      submit.disabled = false;
    }
  });
}

function safeNext(value) {
  return value && value.startsWith('/') && !value.startsWith('//') && !/^\/(signin|signup)/.test(value) ? value : '/';
}
