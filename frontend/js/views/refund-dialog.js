// The organizer's refund dialog: which attendees (their seats go back on sale), an amount (empty:
// what their tickets cost, or everything left when nobody is chosen) and a reason.

import * as api from '../api.js';
import { errorBox, field, h, modal, showFieldError, toast } from '../dom.js';
import { formatMoney } from '../money.js';

/** What is left to refund of `order` (its total less `refunded_total`, when the API says it). */
export function refundable(order) {
  const left = Number(order.total) - Number(order.refunded_total || 0);
  return Number.isFinite(left) ? Math.max(0, left) : Number(order.total);
}

function seatPrice(order, attendee) {
  return order.items.find((item) => item.ticket_id === attendee.ticket_id)?.unit_price;
}

function attendeePicker(order, attendees) {
  const valid = attendees.filter((attendee) => attendee.status === 'valid');
  if (valid.length < 2) return { wrap: null, chosen: () => [] };
  const boxes = valid.map((attendee) => {
    const box = h('input', { type: 'checkbox', value: attendee.id, dataset: { refundAttendee: attendee.id } });
    const price = seatPrice(order, attendee);
    return h('label', { class: 'check' }, box,
      ` ${attendee.name || 'Unnamed'} · ${attendee.ticket_name}${price !== undefined ? ` · ${formatMoney(price, order.currency)}` : ''}`);
  });
  const wrap = h('fieldset', { class: 'choices', dataset: { refundAttendees: '' } },
    h('legend', {}, 'Only some attendees? Their tickets stop working and go back on sale.'), ...boxes);
  return { wrap, chosen: () => boxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value) };
}

export async function openRefundDialog(event, order, onRefunded) {
  const left = refundable(order);
  const attendees = await api.get(`/orders/${order.id}/attendees`).catch(() => []);
  const picker = attendeePicker(order, attendees);
  const fields = {
    amount: field(`Amount (${order.currency})`, h('input', { type: 'text', inputmode: 'decimal', dataset: { refundAmount: '' } }),
      { name: 'amount', hint: `Leave empty to refund what the chosen attendees paid, or everything left: ${formatMoney(left, order.currency)}.` }),
    reason: field('Reason (optional)', h('textarea', { rows: 3, maxlength: 500, dataset: { refundReason: '' } }), { name: 'reason' }),
  };
  const problem = errorBox('refund-error');
  const form = h('form', { novalidate: true, id: `refund-${order.id}`, dataset: { form: 'refund' } },
    h('p', {}, `${order.buyer?.name || 'The buyer'}: ${order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ')}, `
      + `${formatMoney(order.total, order.currency)} paid`
      + `${Number(order.refunded_total) ? `, ${formatMoney(order.refunded_total, order.currency)} refunded already` : ''}.`),
    order.payment?.provider === 'stripe'
      ? h('p', { class: 'muted' }, 'The money goes back to the buyer\'s card through Stripe.')
      : h('p', { class: 'muted' }, 'This order was paid outside Marquee: the refund is recorded here; pay it back yourself.'),
    picker.wrap, fields.amount.wrap, fields.reason.wrap, problem);
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'danger', form: form.id, dataset: { action: 'confirm-refund' } }, 'Refund');
  const dialog = modal({ title: 'Refund order', body: form, actions: [cancel, submit], hook: 'refund' });
  cancel.addEventListener('click', () => dialog.close());
  fields.amount.input.focus();
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    const amount = fields.amount.input.value.trim();
    const reason = fields.reason.input.value.trim();
    const chosen = picker.chosen();
    const body = { ...(amount ? { amount } : {}), ...(reason ? { reason } : {}), ...(chosen.length ? { attendee_ids: chosen } : {}) };
    submit.disabled = true;
    try {
      const refund = await api.post(`/events/${event.id}/orders/${order.id}/refunds`, body);
      dialog.close();
      toast(`Refund of ${formatMoney(refund?.amount ?? (amount || left), order.currency)} ${refund?.status === 'pending' ? 'requested' : 'made'}.`);
      onRefunded(await api.get(`/events/${event.id}/orders/${order.id}`));
    } catch (error) {
      let placed = false;
      const others = [];
      for (const [name, message] of Object.entries(error.details || {})) {
        if (fields[name] && typeof message === 'string') {
          showFieldError(fields[name], message);
          placed = true;
        } else if (typeof message === 'string') {
          others.push(message);
        }
      }
      problem.show(others.length ? others.join(' ') : placed ? 'Please correct the marked fields.' : api.describeError(error));
    } finally {
      submit.disabled = false;
    }
  });
}
