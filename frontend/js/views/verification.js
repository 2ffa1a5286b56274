// "Send me a verification e-mail": one button that posts /auth/verify-email and says what happened.

import * as api from '../api.js';
import { h } from '../dom.js';

export function resendVerificationButton() {
  const result = h('p', { role: 'status', dataset: { verificationStatus: '' } });
  const button = h('button', { type: 'button', dataset: { action: 'send-verification' } },
    'Send me a verification e-mail');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.textContent = '';
    try {
      const sent = await api.post('/auth/verify-email', {});
      result.textContent = sent.email_sent
        ? `We sent a link to ${sent.email}. Open it to verify your address.`
        : 'The e-mail could not be sent just now; please try again later.';
    } catch (error) {
      result.textContent = api.describeError(error);
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'actions' }, button, result);
}
