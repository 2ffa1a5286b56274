// The order form of a public event page (signed-in visitors), built into the ticket cards of
// site-tickets.js: a stepper (- n +) beside each ticket on sale, a donation's amount (a decimal comma
// is fine), who each seat is for with the event's questions (order-seats.js), a running total in the
// event's currency and a button that says what it does ("Get 2 tickets – €98.00"). The server checks
// everything again; its 422 details (`items[0].attendees[1].answers.<id>`) appear beside the fields
// they name, in plain words (messages.js). The confirmation appears at the top, scrolled to and focused.

import * as api from '../api.js';
import { errorBox, field, h, showFieldError, useStylesheet } from '../dom.js';
import { friendlyFieldMessage, friendlyMessage } from '../messages.js';
import { formatMoney, fromMinor, parseAmount, priceLabel, toMinor } from '../money.js';
import { newKey, orderResult } from './orders.js';
import { seatFields } from './order-seats.js';

// What one order may name (the API's limit): more seats than this are refused anyway.
const MAX_SEATS = 500;

const ORDER_STYLES = new URL('../../css/order.css', import.meta.url);

const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

function stepper(ticket, onChange) {
  const input = h('input', {
    type: 'number', min: 0, step: 1, value: '0', inputmode: 'numeric', class: 'stepper-count',
    dataset: { orderQuantity: ticket.id },
  });
  const quantity = field(`${ticket.name}: number of tickets`, input, { name: `quantity-${ticket.id}` });
  quantity.wrap.querySelector('label').className = 'visually-hidden';
  const count = () => Math.max(0, Math.floor(Number(input.value) || 0));
  const most = () => Math.max(0, Math.min(ticket.max_order, Number(ticket.available)));
  const set = (value) => {
    input.value = String(value);
    onChange();
  };
  const fewer = h('button', { type: 'button', class: 'stepper-button', 'aria-label': `One ${ticket.name} ticket fewer`, dataset: { action: 'fewer' } }, '−');
  const more = h('button', { type: 'button', class: 'stepper-button', 'aria-label': `One ${ticket.name} ticket more`, dataset: { action: 'more' } }, '+');
  // From 0, "+" goes straight to the ticket's minimum per order; below the minimum, "−" goes to 0.
  fewer.addEventListener('click', () => set(count() <= ticket.min_order ? 0 : count() - 1));
  more.addEventListener('click', () => set(count() === 0 ? ticket.min_order : Math.min(most(), count() + 1)));
  input.addEventListener('input', onChange);
  const refresh = () => {
    input.max = String(most());
    fewer.disabled = count() === 0;
    more.disabled = count() >= most();
  };
  const node = h('div', { class: 'stepper-field' },
    h('div', { class: 'stepper', role: 'group', 'aria-label': `${ticket.name}: how many` }, fewer, quantity.wrap, more),
    h('p', { class: 'hint' }, ticket.min_order > 1 ? `${ticket.min_order} to ${ticket.max_order} per order` : `Up to ${ticket.max_order} per order`),
    quantity.error);
  return { node, quantity, count, refresh, reset: () => { input.value = '0'; } };
}

function donationField(ticket, currency) {
  const input = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', dataset: { orderAmount: ticket.id } });
  input.defaultValue = ticket.suggested_price || ticket.price;  // what the form's reset() comes back to
  return field(`Your donation per ticket (${currency})`, input,
    { name: `amount-${ticket.id}`, hint: `At least ${formatMoney(ticket.price, currency)}` });
}

/** A ticket's line of the form: its stepper (and amount) in the ticket's card, its seats below. */
function orderRow(card, event, questions, changed) {
  const { ticket } = card;
  const row = { ticket, card, seats: [], seatList: h('div', { class: 'seats', dataset: { seats: ticket.id } }) };
  row.stepper = stepper(ticket, () => {
    showFieldError(row.stepper.quantity, '');
    row.syncSeats();
    changed();
  });
  row.quantity = row.stepper.quantity;
  row.amount = ticket.type === 'donation' ? donationField(ticket, event.currency) : null;
  row.amount?.input.addEventListener('input', () => { showFieldError(row.amount, ''); changed(); });
  row.count = () => (row.orderable ? row.stepper.count() : 0);
  // As many seats as tickets chosen; a seat already filled in keeps what was typed.
  row.syncSeats = () => {
    const count = Math.min(MAX_SEATS, row.count());
    while (row.seats.length < count) row.seats.push(seatFields(ticket, row.seats.length + 1, questions));
    row.seats.length = count;
    row.seatList.replaceChildren(...row.seats.map((seat) => seat.node));
    row.stepper.refresh();
  };
  /** The unit price in thousandths, null when the typed donation is no amount. */
  row.unit = () => {
    if (!row.amount) return toMinor(ticket.price_with_code ?? ticket.price);
    const typed = parseAmount(row.amount.input.value);
    return typed === null ? null : toMinor(typed);
  };
  // Only a ticket on sale has a stepper: a sold-out one (also when it sells out while the page is
  // open) or one whose sales start later or ended cannot be chosen.
  row.setState = (state) => {
    row.orderable = state === 'on_sale';
    card.slot.replaceChildren(...(row.orderable ? [row.stepper.node] : []));
    card.extra.replaceChildren(...(row.orderable && row.amount ? [row.amount.wrap] : []));
    if (!row.orderable) row.stepper.reset();
    row.syncSeats();
    changed();
  };
  return row;
}

/** Checks in the browser what a person can fix at once; true when every chosen line is fine. */
function checkRows(chosen, currency) {
  let fine = true;
  for (const row of chosen) {
    const { ticket } = row;
    const count = row.count();
    if (count < ticket.min_order || count > ticket.max_order) {
      showFieldError(row.quantity, `You can get ${ticket.min_order} to ${ticket.max_order} of these per order.`);
      fine = false;
    } else if (count > Number(ticket.available)) {
      showFieldError(row.quantity, `Only ${ticket.available} left.`);
      fine = false;
    }
    if (row.amount) {
      const typed = parseAmount(row.amount.input.value);
      if (typed === null) {
        showFieldError(row.amount, 'Enter an amount such as 25 or 29,50.');
        fine = false;
      } else if (toMinor(typed) < toMinor(ticket.price) || toMinor(typed) === 0) {
        showFieldError(row.amount, `The minimum is ${formatMoney(ticket.price, currency)}.`);
        fine = false;
      }
    }
  }
  return fine;
}

/** Builds the form around the ticket list `list` (its cards `cards`), in place; `admit`: while the
 * waiting room is on, gives the admission the order sends as X-Admission. */
export function orderForm(event, { list, cards, questions = [], code = null, admit = null }) {
  useStylesheet(ORDER_STYLES);
  const failure = errorBox('order-error');
  const result = h('div', { class: 'order-result', tabindex: -1, 'aria-live': 'polite' });
  const total = h('strong', { dataset: { orderTotal: '' } });
  const submit = h('button', { type: 'submit', class: 'primary order-button', dataset: { action: 'order' } }, 'Get tickets');
  const seatsTitle = h('h3', { class: 'seats-title' }, 'Who is coming?');
  const rows = [];
  const update = () => {
    const chosen = rows.filter((row) => row.count() > 0);
    const count = chosen.reduce((sum, row) => sum + row.count(), 0);
    const units = chosen.map((row) => row.unit());
    const known = units.every((unit) => unit !== null);
    const sum = known ? fromMinor(chosen.reduce((all, row, index) => all + units[index] * row.count(), 0)) : null;
    total.textContent = sum === null || !count ? '—' : priceLabel(sum, event.currency);
    form.dataset.chosen = String(count);
    submit.textContent = count ? `Get ${plural(count, 'ticket', 'tickets')}${sum === null ? '' : ` – ${priceLabel(sum, event.currency)}`}` : 'Get tickets';
    seatsTitle.hidden = !count;
  };
  const form = h('form', { class: 'order-form', novalidate: true, dataset: { orderForm: '' } },
    result,
    code ? h('p', { class: 'notice', dataset: { orderCode: '' } }, `Ordering with the code ${code.toUpperCase()}.`) : null);
  for (const card of cards) {
    const row = orderRow(card, event, questions, update);
    card.onChange = row.setState;
    row.setState(card.state);
    rows.push(row);
  }
  list.replaceWith(form);
  form.append(list, seatsTitle, ...rows.map((row) => row.seatList), failure,
    h('div', { class: 'order-summary', dataset: { orderSummary: '' } },
      h('p', { class: 'order-total' }, 'Total ', total), submit));
  update();
  // One key per intended order: resubmitting the same form after a lost answer never buys twice.
  let key = newKey();
  form.addEventListener('input', () => {
    key = newKey();
    failure.show('');
  });
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    result.replaceChildren();
    failure.show('');
    for (const row of rows) {
      showFieldError(row.quantity, '');
      if (row.amount) showFieldError(row.amount, '');
      row.seats.forEach((seat) => seat.clearErrors());
    }
    const chosen = rows.filter((row) => row.count() > 0);
    if (!chosen.length) {
      failure.show('Choose how many tickets you want: use + beside a ticket.');
      return;
    }
    if (!checkRows(chosen, event.currency)) return;
    const items = chosen.map((row) => {
      const seats = row.seats.map((seat) => seat.value());
      const said = seats.some((seat) => seat.name || seat.email || Object.keys(seat.answers).length);
      return {
        ticket_id: row.ticket.id,
        quantity: row.count(),
        ...(row.amount ? { amount: parseAmount(row.amount.input.value) } : {}),
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
      rows.forEach((row) => { row.stepper.reset(); row.syncSeats(); });
      result.replaceChildren(orderResult(order));
      result.scrollIntoView({ behavior: 'smooth', block: 'start' });
      result.focus({ preventScroll: true });
    } catch (error) {
      showErrors(error, chosen, failure);
    } finally {
      submit.disabled = false;
      update();
    }
  });
  return form;
}

function showErrors(error, chosen, failure) {
  let seatErrors = 0;
  for (const [path, message] of Object.entries(error.details || {})) {
    if (typeof message !== 'string') continue;
    const seat = /^items\[(\d+)\]\.attendees\[(\d+)\]\.(.+)$/.exec(path);
    if (seat) {
      const found = chosen[Number(seat[1])]?.seats[Number(seat[2])];
      if (found && found.showError(seat[3], friendlyFieldMessage(message))) seatErrors += 1;
      continue;
    }
    const line = /^items\[(\d+)\]\.(\w+)$/.exec(path);
    const row = line && chosen[Number(line[1])];
    if (row) showFieldError(line[2] === 'amount' && row.amount ? row.amount : row.quantity, friendlyFieldMessage(message));
  }
  // The server's counts are the latest: the cards show them (a sold-out ticket loses its stepper).
  for (const [ticketId, left] of Object.entries(error.details?.remaining || {})) {
    const row = chosen.find((candidate) => candidate.ticket.id === ticketId);
    if (!row) continue;
    row.card.update(left);
    if (left > 0) showFieldError(row.quantity, `Only ${left} left.`);
  }
  for (const ticketId of Array.isArray(error.details?.tickets) ? error.details.tickets : []) {
    const row = chosen.find((candidate) => candidate.ticket.id === ticketId);
    if (row) showFieldError(row.quantity, 'Sales for this ticket are not open right now.');
  }
  failure.show(seatErrors ? 'Some attendee details are missing or wrong; see the marked fields.'
    : (typeof error.details?.items === 'string' ? friendlyFieldMessage(error.details.items) : friendlyMessage(error)));
}
