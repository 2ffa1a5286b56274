// Orders: "My orders" (cancel while pending) and one order's page (card payment, the return from
// Stripe's checkout, its attendees and their answers: order-attendees.js). An event's orders for its
// organizers are event-orders.js; the public page's order form is order-form.js.

import * as api from '../api.js';
import { confirmDialog, errorBox, h, toast, useStylesheet } from '../dom.js';
import { friendlyMessage } from '../messages.js';
import { formatMoney, priceLabel } from '../money.js';
import { formatDateTimeWithZone } from '../time.js';
import { attendeesSection } from './order-attendees.js';

export const STATUS = {
  pending: 'Awaiting payment',
  completed: 'Completed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

const PAYMENT_ISSUES = {
  amount_mismatch: 'The amount paid did not match this order\'s total, so the order was not completed. '
    + 'The organizers have been told and will sort it out with you.',
  paid_twice: 'This order was paid for twice. The organizers have been told and will refund the second payment.',
  paid_after_release: 'The payment arrived after the hold on the seats had ended and they had gone to someone else, '
    + 'so the payment was refunded in full.',
};

// The Stripe webhook usually lands within a second of the return from checkout; after this long the
// page stops asking and says the confirmation is late.
const CONFIRM_POLL_MS = 1000;
const CONFIRM_POLL_LIMIT_MS = 30_000;

export default async function render(ctx) {
  await useStylesheet(new URL('../../css/order.css', import.meta.url));
  if (ctx.route.page === 'order') return renderOrder(ctx);
  return renderMyOrders(ctx);
}


export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function itemsText(order) {
  return order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ');
}

/** The status; a hold's end in `timeZone` (the event's, on its organizers' pages), else the browser's. */
export function statusText(order, timeZone) {
  const label = STATUS[order.status] || order.status;
  return order.status === 'pending' && order.expires_at ? `${label} until ${formatDateTimeWithZone(order.expires_at, timeZone)}` : label;
}

function paymentIssue(order) {
  const issue = order.payment?.issue;
  if (!issue) return null;
  return h('p', { class: 'error-box', dataset: { paymentIssue: issue } },
    PAYMENT_ISSUES[issue] || 'There is a problem with this order\'s payment; the organizers have been told.');
}

/** The payment issue in a table cell, under the status. */
export function issueNote(order) {
  const issue = order.payment?.issue;
  if (!issue) return null;
  return [h('br'), h('span', { class: 'muted', dataset: { paymentIssue: issue } }, PAYMENT_ISSUES[issue] || 'Payment problem.')];
}

const payable = (order) => order.status === 'pending' && order.payment?.provider === 'stripe';

/** "Pay 25.00 EUR": opens the order's card checkout and sends the buyer there. */
function payButton(order, failure) {
  const label = `Pay ${order.total} ${order.currency}`;
  const button = h('button', { type: 'button', class: 'primary pay', dataset: { action: 'pay' } }, label);
  button.addEventListener('click', async () => {
    failure.show('');
    button.disabled = true;
    button.textContent = 'Opening the payment page…';
    try {
      const checkout = await api.post(`/orders/${order.id}/checkout`, {});
      location.assign(checkout.url);
    } catch (error) {
      failure.show(friendlyMessage(error));
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}

/** The Pay button with its error box; `heldNote` adds when the hold ends (unless said nearby already). */
function payPanel(order, { heldNote = true } = {}) {
  const failure = errorBox('pay-error');
  return h('div', { class: 'pay-panel', dataset: { payPanel: '' } },
    h('div', { class: 'actions' }, payButton(order, failure)),
    heldNote ? h('p', { class: 'muted' }, `Your seats are held until ${formatDateTimeWithZone(order.expires_at)}.`) : null,
    failure);
}

/** What the order form shows once the order is placed. */
export function orderResult(order) {
  if (order.status === 'completed') {
    return h('div', { class: 'notice order-done', role: 'status', dataset: { orderResult: 'completed' } },
      h('p', { class: 'order-done-title' }, h('strong', {}, 'Your order is complete.')),
      h('p', {}, `${itemsText(order)}, ${priceLabel(order.total, order.currency)}. Your tickets are on the order's page, and we sent them by e-mail.`),
      h('p', {}, h('a', { class: 'button primary', href: `#/orders/${order.id}`, dataset: { showTickets: '' } }, 'Show my tickets'), ' ',
        h('a', { href: '#/orders' }, 'See my orders')));
  }
  return h('div', { class: 'notice warn order-done', role: 'status', dataset: { orderResult: order.status } },
    h('p', { class: 'order-done-title' }, h('strong', {}, `Your tickets are held until ${formatDateTimeWithZone(order.expires_at)}.`)),
    h('p', {}, `${itemsText(order)}, ${priceLabel(order.total, order.currency)}.`),
    order.payment?.instructions ? h('p', {}, order.payment.instructions) : null,
    h('p', {}, h('a', { href: `#/orders/${order.id}` }, 'See this order'), ' · ', h('a', { href: '#/orders' }, 'See my orders')),
    payable(order) ? payPanel(order, { heldNote: false }) : null);
}

export function cancelButton(order, onDone, failure) {
  return h('button', {
    type: 'button', dataset: { action: 'cancel-order' },
    onclick: async () => {
      const sure = await confirmDialog('Cancel this order? Its tickets go back on sale.',
        { confirmLabel: 'Cancel order', title: 'Cancel order' });
      if (!sure) return;
      try {
        onDone(await api.post(`/orders/${order.id}/cancel`));
        toast('Order cancelled.');
      } catch (error) {
        failure.show(friendlyMessage(error));
      }
    },
  }, 'Cancel');
}

function refundsList(order) {
  const refunds = Array.isArray(order.refunds) ? order.refunds : [];
  if (!refunds.length) return null;
  return h('div', { dataset: { refunds: '' } },
    h('h2', {}, 'Refunds'),
    h('ul', {}, refunds.map((refund) => h('li', { dataset: { refundId: refund.id } },
      `${formatMoney(refund.amount, order.currency)} on ${formatDateTimeWithZone(refund.created_at)}`,
      refund.status && refund.status !== 'succeeded' ? ` (${refund.status})` : '',
      refund.reason ? `: ${refund.reason}` : ''))),
    order.refunded_total ? h('p', {}, `Refunded in all: ${formatMoney(order.refunded_total, order.currency)}.`) : null);
}

function orderDetails(order) {
  return h('div', { class: 'card', dataset: { orderDetails: '', orderStatus: order.status } },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Tickets'), h('dd', {}, itemsText(order)),
      h('dt', {}, 'Total'), h('dd', {}, priceLabel(order.total, order.currency)),
      h('dt', {}, 'Ordered'), h('dd', { dataset: { orderedAt: '' } }, formatDateTimeWithZone(order.created_at)),
      h('dt', {}, 'Status'), h('dd', { dataset: { status: '' } }, h('span', { class: `status-badge ${order.status}` }, statusText(order)))),
    paymentIssue(order),
    order.status === 'pending' && order.payment?.instructions ? h('p', {}, order.payment.instructions) : null,
    refundsList(order),
    h('p', {}, h('a', { href: `#/e/${order.event_id}` }, 'The event'), ' · ',
      h('a', { href: '#/orders' }, 'My orders')));
}

function wait(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Asks for the order about every second while it is pending, up to `limitMs`; `onChange` sees each
 * new state. Resolves with the last state, or null when the page was left. */
async function pollWhilePending(order, signal, limitMs, onChange) {
  const started = Date.now();
  let current = order;
  while (current.status === 'pending' && !current.payment?.issue && Date.now() - started < limitMs) {
    await wait(CONFIRM_POLL_MS, signal);
    if (signal.aborted) return null;
    try {
      const fresh = await api.get(`/orders/${order.id}`, { signal });
      if (fresh !== current && (fresh.status !== current.status || fresh.payment?.issue !== current.payment?.issue)) {
        onChange(fresh);
      }
      current = fresh;
    } catch (error) {
      if (signal.aborted) return null;
      if (error.status) throw error;  // only a dropped connection (status 0) is worth asking again
    }
  }
  return current;
}

function checkoutNotice(kind, ...children) {
  return h('div', { class: ['cancelled', 'released', 'late'].includes(kind) ? 'notice warn' : 'notice', role: 'status',
    dataset: { checkout: kind } }, ...children);
}

/** What the return from the checkout says about `order` (null: nothing to say). */
function returnNotice(order, outcome, waiting) {
  if (order.status === 'completed' && !order.payment?.issue && outcome) {
    return checkoutNotice('confirmed', h('strong', {}, 'Payment confirmed. '), `Your order is complete: ${itemsText(order)}.`);
  }
  if (outcome === 'success' && payable(order) && !order.payment?.issue) {
    if (waiting) return checkoutNotice('confirming', h('strong', {}, 'Payment received, confirming…'));
    return checkoutNotice('late', 'Your payment has not been confirmed yet. It can take a few minutes; '
      + 'this order\'s status changes to Completed once it is, and you will get a receipt by e-mail.');
  }
  if (outcome === 'cancelled' && payable(order)) {
    return checkoutNotice('cancelled',
      h('strong', {}, `Payment cancelled — your seats are held until ${formatDateTimeWithZone(order.expires_at)}.`),
      ' You can pay until then.');
  }
  if (outcome === 'cancelled' && ['expired', 'cancelled'].includes(order.status)) {
    // A checkout that expired (the local stand-in expires it on Cancel) released the hold.
    return checkoutNotice('released', h('strong', {}, 'Payment cancelled. '), 'This order\'s seats have been released; ',
      h('a', { href: `#/public/events/${order.event_id}` }, 'order again from the event page'), '.');
  }
  return null;
}

// After a cancelled checkout the hold may still be released by a late "expired" webhook: watch a while.
const CANCELLED_WATCH_MS = 10_000;

async function renderOrder({ root, params, query, signal }) {
  document.title = 'Your order · Marquee';
  const outcome = query.get('checkout');
  const order = await api.get(`/orders/${params.id}`, { signal });
  if (signal.aborted) return;
  const status = h('div', { 'aria-live': 'polite' });
  const details = h('div', {});
  const tickets = h('div', {});
  root.append(h('div', { class: 'order-page' },
    h('p', { class: 'page-kicker' }, 'Your order'), h('h1', {}, order.event_name), status, details, tickets));
  let ticketsFor = null;
  const show = (current, waiting = false) => {
    status.replaceChildren(...[returnNotice(current, outcome, waiting)].filter(Boolean));
    // Never Pay again on the return from a payment: a slow webhook must not lead to paying twice.
    const pay = payable(current) && outcome !== 'success' ? payPanel(current, { heldNote: outcome !== 'cancelled' }) : null;
    details.replaceChildren(...[pay, orderDetails(current)].filter(Boolean));
    // The attendees (none while pending), read again when the order's status moves.
    if (current.status !== 'pending' && current.status !== ticketsFor) {
      ticketsFor = current.status;
      tickets.replaceChildren(attendeesSection(current, { signal }));
    }
  };
  if (outcome === 'success') {
    show(order, true);
    const settled = await pollWhilePending(order, signal, CONFIRM_POLL_LIMIT_MS, (fresh) => show(fresh, true));
    if (settled) show(settled);
    return;
  }
  show(order);
  if (outcome === 'cancelled') await pollWhilePending(order, signal, CANCELLED_WATCH_MS, (fresh) => show(fresh));
}

async function renderMyOrders({ root, signal }) {
  document.title = 'My orders · Marquee';
  root.append(h('h1', {}, 'My orders'));
  const orders = await api.getAll('/me/orders');
  if (signal.aborted) return;
  if (!orders.length) {
    root.append(h('p', { class: 'muted', dataset: { myOrders: '', empty: '' } }, 'No orders yet.'));
    return;
  }
  const failure = errorBox('orders-error');
  const row = (order) => {
    const tr = h('tr', { dataset: { orderId: order.id, orderStatus: order.status } },
      h('td', { dataset: { label: 'Event' } }, h('a', { href: `#/e/${order.event_id}` }, order.event_name)),
      h('td', { dataset: { label: 'Tickets' } }, h('a', { href: `#/orders/${order.id}`, dataset: { orderLink: '' } }, itemsText(order))),
      h('td', { dataset: { label: 'Total' } }, priceLabel(order.total, order.currency)),
      h('td', { dataset: { label: 'Ordered', orderedAt: '' } }, formatDateTimeWithZone(order.created_at)),
      h('td', { dataset: { label: 'Status', status: '' } }, statusText(order), issueNote(order)),
      h('td', {}, h('div', { class: 'actions' },
        payable(order) ? h('a', { class: 'button primary', href: `#/orders/${order.id}`, dataset: { action: 'go-pay' } }, 'Pay') : null,
        order.status === 'pending' ? cancelButton(order, (done) => tr.replaceWith(row(done)), failure) : null)));
    return tr;
  };
  root.append(failure, h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { myOrders: '' } },
    h('thead', {}, h('tr', {}, ['Event', 'Tickets', 'Total', 'Ordered', 'Status', ''].map((label) => h('th', {}, label)))),
    h('tbody', {}, orders.map(row)))));
}
