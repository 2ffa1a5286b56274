// The order form of a public event page (signed-in visitors): how many of each ticket, a donation's
// amount, and for each seat who it is for (name, e-mail) with the event's questions that apply to
// its ticket. The server checks everything again; its 422 details (`items[0].attendees[1].answers.<id>`)
// appear beside the fields they name. Loaded on demand with orders.js.

import * as api from '../api.js';
import { errorBox, field, h, showFieldError, uniqueId } from '../dom.js';
import { formatMoney as money } from '../money.js';
import { newKey, orderResult } from './orders.js';

// What one order may name (the API's limit): more seats than this are refused anyway.
const MAX_SEATS = 500;

const asks = (question, ticketId) => !question.ticket_ids || question.ticket_ids.includes(ticketId);

function requiredText(question) {
  return question.required ? `${question.label} (required)` : question.label;
}

/** A group of controls (several choices) with one legend and one error line, like a field. */
function group(legendText, controls) {
  const error = h('p', { class: 'field-error', id: uniqueId('group-error'), hidden: true });
  const set = h('fieldset', { class: 'field choices' }, h('legend', {}, legendText), controls, error);
  return { wrap: set, input: set, error };
}

/** One question's control: {wrap, input, error, value()} (value undefined: not answered). */
function answerField(question) {
  const hook = { answer: question.id };
  if (question.kind === 'choice') {
    const select = h('select', { dataset: hook, 'aria-required': String(question.required) },
      h('option', { value: '' }, 'Choose…'), question.options.map((option) => h('option', { value: option }, option)));
    const parts = field(requiredText(question), select);
    return { ...parts, value: () => select.value || undefined };
  }
  if (question.kind === 'multiple') {
    const boxes = question.options.map((option) => h('input', { type: 'checkbox', value: option, dataset: { ...hook, option } }));
    const parts = group(requiredText(question), boxes.map((box) => h('label', { class: 'check' }, box, box.value)));
    const value = () => {
      const chosen = boxes.filter((box) => box.checked).map((box) => box.value);
      return chosen.length ? chosen : undefined;
    };
    return { ...parts, value };
  }
  if (question.kind === 'checkbox') {
    const box = h('input', { type: 'checkbox', id: uniqueId('answer'), dataset: hook, 'aria-required': String(question.required) });
    const error = h('p', { class: 'field-error', id: `${box.id}-error`, hidden: true });
    const wrap = h('div', { class: 'field' }, h('label', { class: 'check', for: box.id }, box, requiredText(question)), error);
    return { wrap, input: box, error, value: () => (box.checked ? true : undefined) };
  }
  const input = h('input', { type: 'text', maxlength: 1000, dataset: hook, 'aria-required': String(question.required) });
  const parts = field(requiredText(question), input);
  return { ...parts, value: () => input.value.trim() || undefined };
}

/** One seat: name, e-mail and the answers its ticket is asked. */
function seatFields(ticket, number, questions) {
  const name = field('Name', h('input', { type: 'text', maxlength: 200, autocomplete: 'off', dataset: { attendeeName: '' } }));
  const email = field('E-mail', h('input', { type: 'email', maxlength: 254, autocomplete: 'off', dataset: { attendeeEmail: '' } }));
  const answers = questions.filter((question) => asks(question, ticket.id)).map((question) => [question.id, answerField(question)]);
  const node = h('fieldset', { class: 'seat', dataset: { seat: `${ticket.id}-${number}` } },
    h('legend', {}, `${ticket.name}, ticket ${number}`),
    h('p', { class: 'hint' }, 'Who is this ticket for? Leave name and e-mail empty if it is yours.'),
    h('div', { class: 'field-row' }, name.wrap, email.wrap), answers.map(([, parts]) => parts.wrap));
  const byPath = { name, email, ...Object.fromEntries(answers.map(([id, parts]) => [`answers.${id}`, parts])) };
  return {
    node,
    value() {
      const given = {};
      for (const [id, parts] of answers) {
        const value = parts.value();
        if (value !== undefined) given[id] = value;
      }
      const seat = { answers: given };
      if (name.input.value.trim()) seat.name = name.input.value.trim();
      if (email.input.value.trim()) seat.email = email.input.value.trim();
      return seat;
    },
    showError(path, message) {
      if (!byPath[path]) return false;
      showFieldError(byPath[path], message);
      return true;
    },
    clearErrors() { Object.values(byPath).forEach((parts) => showFieldError(parts, '')); },
  };
}

/** The order form for a public event page; null when no ticket is on sale now. */
/** `admit`: while the waiting room is on, gives the admission the order sends as X-Admission. */
export function orderForm(event, tickets, questions = [], code = null, admit = null) {
  const onSale = tickets.filter((ticket) => ticket.sales_open !== false);
  if (!onSale.length) return null;
  const failure = errorBox('order-error');
  const result = h('div', { 'aria-live': 'polite' });
  const rows = onSale.map((ticket) => {
    const quantity = field(`${ticket.name}: tickets`, h('input', {
      type: 'number', min: 0, max: ticket.max_order, step: 1, placeholder: '0', inputmode: 'numeric',
      dataset: { orderQuantity: ticket.id },
    }), { name: `quantity-${ticket.id}`, hint: `${ticket.min_order} to ${ticket.max_order} per order` });
    let amount = null;
    if (ticket.type === 'donation') {
      const input = h('input', { type: 'text', inputmode: 'decimal', dataset: { orderAmount: ticket.id } });
      input.defaultValue = ticket.price;  // what the form's reset() comes back to
      amount = field(`${ticket.name}: your donation per ticket (${event.currency})`, input,
        { name: `amount-${ticket.id}`, hint: `At least ${money(ticket.price, event.currency)}` });
    }
    const row = { ticket, quantity, amount, seats: [], seatList: h('div', { class: 'seats', dataset: { seats: ticket.id } }) };
    // As many seats as tickets chosen; a seat already filled in keeps what was typed.
    row.syncSeats = () => {
      const count = Math.min(MAX_SEATS, Math.max(0, Math.floor(Number(quantity.input.value) || 0)));
      while (row.seats.length < count) row.seats.push(seatFields(ticket, row.seats.length + 1, questions));
      row.seats.length = count;
      row.seatList.replaceChildren(...row.seats.map((seat) => seat.node));
    };
    quantity.input.addEventListener('input', row.syncSeats);
    return row;
  });
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'order' } }, 'Order');
  const form = h('form', { class: 'card', novalidate: true, dataset: { orderForm: '' } },
    h('h2', {}, 'Order tickets'),
    code ? h('p', { class: 'notice', dataset: { orderCode: '' } }, `Ordering with the code ${code.toUpperCase()}.`) : null,
    rows.map((row) => [row.quantity.wrap, row.amount?.wrap, row.seatList]), failure,
    h('div', { class: 'actions' }, submit), result);
  // One key per intended order: resubmitting the same form after a lost answer never buys twice.
  let key = newKey();
  form.addEventListener('input', () => { key = newKey(); });
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    failure.show('');
    for (const row of rows) {
      showFieldError(row.quantity, '');
      if (row.amount) showFieldError(row.amount, '');
      row.seats.forEach((seat) => seat.clearErrors());
    }
    const chosen = rows.filter((row) => row.quantity.input.value.trim() && Number(row.quantity.input.value) !== 0);
    if (!chosen.length) {
      failure.show('Choose how many tickets you want.');
      return;
    }
    const items = chosen.map((row) => {
      const seats = row.seats.map((seat) => seat.value());
      const said = seats.some((seat) => seat.name || seat.email || Object.keys(seat.answers).length);
      return {
        ticket_id: row.ticket.id,
        quantity: Number(row.quantity.input.value),
        ...(row.amount ? { amount: row.amount.input.value.trim() } : {}),
        ...(said ? { attendees: seats } : {}),
      };
    });
    submit.disabled = true;
    try {
      const body = { items, ...(code ? { code } : {}) };
      const headers = { 'Idempotency-Key': key, ...(admit ? { 'X-Admission': await admit() } : {}) };
      const order = await api.post(`/events/${event.id}/orders`, body, { headers });
      key = newKey();
      form.reset();
      rows.forEach((row) => row.syncSeats());
      result.replaceChildren(orderResult(order));
    } catch (error) {
      showErrors(error, chosen, failure);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function showErrors(error, chosen, failure) {
  let seatErrors = 0;
  for (const [path, message] of Object.entries(error.details || {})) {
    const seat = /^items\[(\d+)\]\.attendees\[(\d+)\]\.(.+)$/.exec(path);
    if (seat) {
      const found = chosen[Number(seat[1])]?.seats[Number(seat[2])];
      if (found && found.showError(seat[3], message)) seatErrors += 1;
      continue;
    }
    const line = /^items\[(\d+)\]\.(\w+)$/.exec(path);
    const row = line && chosen[Number(line[1])];
    if (row) showFieldError(line[2] === 'amount' && row.amount ? row.amount : row.quantity, message);
  }
  for (const [ticketId, left] of Object.entries(error.details?.remaining || {})) {
    const row = chosen.find((candidate) => candidate.ticket.id === ticketId);
    if (row) showFieldError(row.quantity, left > 0 ? `Only ${left} left.` : 'Sold out.');
  }
  failure.show(seatErrors ? 'Some attendee details are missing or wrong; see the marked fields.'
    : (typeof error.details?.items === 'string' ? error.details.items : error.message));
}
