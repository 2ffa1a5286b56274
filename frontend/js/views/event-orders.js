// An event's sales and orders for its organizers: the sales summary (event-sales.js), the orders
// with search and filters (status, ticket), mark paid, refund, cancel, CSV exports.

import * as api from '../api.js';
import { errorBox, field, h, toast } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatDateTimeWithZone } from '../time.js';
import { eventHeader, organizerStyles } from './event-nav.js';
import { salesSummary } from './event-sales.js';
import { STATUS, cancelButton, issueNote, itemsText, statusText } from './orders.js';
import { openRefundDialog, refundable } from './refund-dialog.js';

const REFUNDABLE = new Set(['completed', 'partially_refunded']);
const CLOSED = new Set(['cancelled', 'expired', 'refunded']);

async function download(path, filename, failure) {
  try {
    const text = await api.get(path);
    const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) {
    failure.show(api.describeError(error));
  }
}

function matches(order, { text, status, ticket }) {
  if (status && order.status !== status) return false;
  if (ticket && !order.items.some((item) => item.ticket_id === ticket)) return false;
  if (!text) return true;
  const haystack = [order.id, order.buyer?.name, order.buyer?.email, itemsText(order)].join(' ').toLowerCase();
  return haystack.includes(text);
}

function filters(tickets, onChange) {
  const search = field('Search', h('input', { type: 'search', placeholder: 'Buyer, e-mail or order number', dataset: { orderSearch: '' } }));
  const status = field('Status', h('select', { dataset: { orderStatusFilter: '' } }, h('option', { value: '' }, 'All statuses'),
    Object.entries(STATUS).map(([value, label]) => h('option', { value }, label))));
  const ticket = field('Ticket', h('select', { dataset: { orderTicketFilter: '' } }, h('option', { value: '' }, 'All tickets'),
    tickets.map((item) => h('option', { value: item.id }, item.name))));
  const read = () => ({ text: search.input.value.trim().toLowerCase(), status: status.input.value, ticket: ticket.input.value });
  for (const parts of [search, status, ticket]) parts.input.addEventListener('input', () => onChange(read()));
  return h('div', { class: 'filters', role: 'search' }, search.wrap, status.wrap, ticket.wrap);
}

export default async function render({ root, params, signal }) {
  const [event] = await Promise.all([api.get(`/events/${params.id}`), organizerStyles()]);
  if (signal.aborted) return;
  document.title = `Sales & orders · ${event.name} · Marquee`;
  root.append(eventHeader(event, 'orders'));
  if (!event.allowed.orders.read) {
    root.append(h('p', { class: 'muted', dataset: { noAccess: '' } }, 'Only the event\'s organizers see its orders.'));
    return;
  }
  const owner = event.allowed.orders.manage;
  const failure = errorBox('orders-error');
  const [orders, tickets] = await Promise.all([api.getAll(`/events/${event.id}/orders`),
    api.get(`/events/${event.id}/tickets`).catch(() => [])]);
  if (signal.aborted) return;
  let summary = salesSummary(event, tickets, orders);
  root.append(summary);
  // A payment, refund or cancellation moves tickets between sold, reserved and available.
  const refreshSummary = async () => {
    const fresh = salesSummary(event, await api.get(`/events/${event.id}/tickets`), orders);
    summary.replaceWith(fresh);
    summary = fresh;
  };
  const heading = h('div', { class: 'section-head' }, h('h2', {}, 'Orders'), owner ? h('div', { class: 'actions' },
    h('button', { type: 'button', dataset: { action: 'export-orders' },
      onclick: () => download(`/events/${event.id}/orders.csv`, `orders-${event.id}.csv`, failure) }, 'Export orders (CSV)'),
    h('button', { type: 'button', dataset: { action: 'export-attendees' },
      onclick: () => download(`/events/${event.id}/attendees.csv`, `attendees-${event.id}.csv`, failure) },
    'Export attendees (CSV)')) : null);
  root.append(heading, failure);
  if (!orders.length) {
    root.append(h('p', { class: 'muted empty-state', dataset: { eventOrders: '', empty: '' } }, 'No orders yet. They appear here as people order.'));
    return;
  }
  const row = (order) => {
    const replace = (done) => {
      orders[orders.indexOf(order)] = done;
      tr.replaceWith(row(done));
      refreshSummary().catch((error) => failure.show(api.describeError(error)));
    };
    const markPaid = h('button', {
      type: 'button', class: 'primary', dataset: { action: 'mark-paid' },
      onclick: async () => {
        try {
          replace(await api.post(`/events/${event.id}/orders/${order.id}/mark-paid`, {}));
          toast(`${order.buyer.name || order.buyer.email}'s order is marked as paid.`);
        } catch (error) {
          failure.show(api.describeError(error));
        }
      },
    }, 'Mark paid');
    const tr = h('tr', { dataset: { orderId: order.id, orderStatus: order.status } },
      h('td', { dataset: { primary: '' } }, order.buyer.name, h('br'), h('span', { class: 'muted' }, order.buyer.email)),
      h('td', { dataset: { label: 'Tickets' } }, itemsText(order)),
      h('td', { dataset: { label: 'Total' }, class: 'number' }, Number(order.total) ? formatMoney(order.total, order.currency) : 'Free'),
      h('td', { dataset: { label: 'Status', status: '' } }, h('span', { class: `status status-${order.status}` }, statusText(order, event.timezone)),
        issueNote(order),
        Number(order.refunded_total) ? [h('br'), h('span', { class: 'muted', dataset: { refundedTotal: '' } },
          `${formatMoney(order.refunded_total, order.currency)} refunded`)] : null),
      h('td', { dataset: { label: 'Ordered', orderedAt: '' } }, formatDateTimeWithZone(order.created_at, event.timezone)),
      h('td', { class: 'row-actions' }, h('div', { class: 'actions' },
        owner && order.status === 'pending' && order.payment?.provider !== 'stripe' ? markPaid : null,
        owner && REFUNDABLE.has(order.status) && refundable(order) > 0
          ? h('button', { type: 'button', dataset: { action: 'refund' }, onclick: () => openRefundDialog(event, order, replace) }, 'Refund')
          : null,
        owner && !CLOSED.has(order.status) ? cancelButton(order, replace, failure) : null)));
    return tr;
  };
  const body = h('tbody', {}, orders.map(row));
  const counted = (n) => `${n} ${n === 1 ? 'order' : 'orders'}`;
  const count = h('p', { class: 'muted', role: 'status', dataset: { orderCount: '' } }, counted(orders.length));
  const apply = (criteria) => {
    let shown = 0;
    for (const tr of body.children) {
      const order = orders.find((item) => item.id === tr.dataset.orderId);
      const visible = !order || matches({ ...order, status: tr.dataset.orderStatus }, criteria);
      tr.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = shown === orders.length ? counted(orders.length) : `${shown} of ${counted(orders.length)}`;
  };
  root.append(filters(tickets, apply), count, h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { eventOrders: '' } },
    h('thead', {}, h('tr', {}, ['Buyer', 'Tickets', 'Total', 'Status', 'Ordered'].map((label) => h('th', { scope: 'col' }, label)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    body)));
}
