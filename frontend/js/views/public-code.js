// "Have a code?" on a public event page: a code (typed, or from a shared ?code= link) shows the
// hidden tickets it unlocks and the discounted prices, and goes with the order. A code the server
// refuses (422 invalid_code) is said beside the field and the page shows the usual tickets.

import * as api from '../api.js';
import { field, h, showFieldError } from '../dom.js';
import { formatMoney } from '../money.js';

/** The public event with `code` applied: {event, refused, path, answer} (refused: why the code was
 * not; path and answer, `{data, etag, headers}`, what was asked and answered). */
export async function loadEvent(eventId, code, signal) {
  const base = `/public/events/${encodeURIComponent(eventId)}`;
  const load = async (path) => ({ path, answer: await api.get(path, { auth: false, signal, withResponse: true }) });
  let loaded;
  let refused = null;
  try {
    loaded = await load(code ? `${base}?code=${encodeURIComponent(code)}` : base);
  } catch (error) {
    if (!code || error.status !== 422) throw error;
    refused = error.details?.code || error.message;
    loaded = await load(base);
  }
  return { event: loaded.answer.data, refused, ...loaded };
}

/** The ticket's price as the page shows it: with a discount, the list price struck through. */
export function priceNode(ticket, currency, plain) {
  if (ticket.price_with_code === undefined) return h('span', { class: 'price' }, plain);
  return h('span', { class: 'price', dataset: { priceWithCode: '' } },
    h('del', {}, plain), ' ', h('strong', {}, formatMoney(ticket.price_with_code, currency)));
}

/** The "Have a code?" form; applying a code reloads the page at ?code=. */
export function codeBox(event, code, refused, navigate) {
  const input = field('Have a code?', h('input', {
    type: 'text', value: code || '', maxlength: 40, autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: false, dataset: { codeInput: '' },
  }), { name: 'code', hint: code && !refused ? `Code ${code.toUpperCase()} applied.` : 'Access or discount code' });
  const apply = h('button', { type: 'submit', dataset: { action: 'apply-code' } }, 'Apply');
  const form = h('form', { class: 'code-box', novalidate: true, dataset: { codeBox: '' } },
    h('div', { class: 'inline-field' }, input.wrap, apply));
  if (refused) showFieldError(input, refused);
  form.addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    const typed = input.input.value.trim();
    navigate(`/public/events/${event.id}${typed ? `?code=${encodeURIComponent(typed)}` : ''}`);
  });
  return form;
}
