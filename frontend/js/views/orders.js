// Orders: the order form of a public event page (signed-in visitors), "My orders" (cancel while
// pending) and an event's orders for its organizers (mark paid, cancel, CSV exports).
// Loaded on demand: the public page imports it only for a signed-in visitor.

import * as api from '../api.js';
import { confirmDialog, errorBox, field, h, showFieldError, toast } from '../dom.js';
import { formatDateTime } from '../time.js';

const STATUS = { pending: 'Awaiting payment', completed: 'Completed', cancelled: 'Cancelled', expired: 'Expired' };

export default async function render(ctx) {
  if (ctx.route.page === 'event') return renderEventOrders(ctx);
  return renderMyOrders(ctx);
}

function money(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function itemsText(order) {
  return order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ');
}

function statusText(order) {
  const label = STATUS[order.status] || order.status;
  return order.status === 'pending' && order.expires_at ? `${label} until ${formatDateTime(order.expires_at)}` : label;
}

function orderResult(order) {
  if (order.status === 'completed') {
    return h('div', { class: 'notice', dataset: { orderResult: 'completed' } },
      h('strong', {}, 'Your order is complete. '), `${itemsText(order)}. `,
      h('a', { href: '#/orders' }, 'See my orders'));
  }
  return h('div', { class: 'notice', dataset: { orderResult: order.status } },
    h('strong', {}, `Your tickets are held until ${formatDateTime(order.expires_at)}. `),
    `${itemsText(order)}, ${money(order.total, order.currency)}. `,
    order.payment?.instructions ? `${order.payment.instructions} ` : '',
    h('a', { href: '#/orders' }, 'See my orders'));
}

/** The order form for a public event page; null when no ticket is on sale now. */
export function orderForm(event, tickets) {
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
    return { ticket, quantity, amount };
  });
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'order' } }, 'Order');
  const form = h('form', { class: 'card', novalidate: true, dataset: { orderForm: '' } },
    h('h2', {}, 'Order tickets'), rows.map((row) => [row.quantity.wrap, row.amount?.wrap]), failure,
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
    }
    const chosen = rows.filter((row) => row.quantity.input.value.trim() && Number(row.quantity.input.value) !== 0);
    if (!chosen.length) {
      failure.show('Choose how many tickets you want.');
      return;
    }
    const items = chosen.map((row) => ({
      ticket_id: row.ticket.id,
      quantity: Number(row.quantity.input.value),
      ...(row.amount ? { amount: row.amount.input.value.trim() } : {}),
    }));
    submit.disabled = true;
    try {
      const order = await api.post(`/events/${event.id}/orders`, { items }, { headers: { 'Idempotency-Key': key } });
      key = newKey();
      form.reset();
      result.replaceChildren(orderResult(order));
    } catch (error) {
      failure.show(error.message);
      for (const [path, message] of Object.entries(error.details || {})) {
        const found = /^items\[(\d+)\]\.(\w+)$/.exec(path);
        const row = found && chosen[Number(found[1])];
        if (row) showFieldError(found[2] === 'amount' && row.amount ? row.amount : row.quantity, message);
      }
      for (const [ticketId, left] of Object.entries(error.details?.remaining || {})) {
        const row = chosen.find((candidate) => candidate.ticket.id === ticketId);
        if (row) showFieldError(row.quantity, left > 0 ? `Only ${left} left.` : 'Sold out.');
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function cancelButton(order, onDone, failure) {
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
        failure.show(error.message);
      }
    },
  }, 'Cancel');
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
      h('td', {}, h('a', { href: `#/public/events/${order.event_id}` }, order.event_name)),
      h('td', {}, itemsText(order)),
      h('td', {}, money(order.total, order.currency)),
      h('td', { dataset: { status: '' } }, statusText(order)),
      h('td', {}, order.status === 'pending' ? cancelButton(order, (done) => tr.replaceWith(row(done)), failure) : null));
    return tr;
  };
  root.append(failure, h('div', { class: 'table-wrap' }, h('table', { dataset: { myOrders: '' } },
    h('thead', {}, h('tr', {}, ['Event', 'Tickets', 'Total', 'Status', ''].map((label) => h('th', {}, label)))),
    h('tbody', {}, orders.map(row)))));
}

async function download(path, filename, failure) {
  try {
    const text = await api.get(path);
    const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) {
    failure.show(error.message);
  }
}

async function renderEventOrders({ root, params, signal }) {
  const event = await api.get(`/events/${params.id}`);
  if (signal.aborted) return;
  document.title = `Orders · ${event.name} · Marquee`;
  root.append(h('h1', {}, `Orders · ${event.name}`),
    h('p', { class: 'muted' }, h('a', { href: `#/events/${event.id}/manage` }, 'Back to the event')));
  if (!event.allowed.orders.read) {
    root.append(h('p', { class: 'muted', dataset: { noAccess: '' } }, 'Only the event\'s organizers see its orders.'));
    return;
  }
  const owner = event.allowed.orders.manage;
  const failure = errorBox('orders-error');
  if (owner) {
    root.append(h('div', { class: 'actions' },
      h('button', { type: 'button', dataset: { action: 'export-orders' },
        onclick: () => download(`/events/${event.id}/orders.csv`, `orders-${event.id}.csv`, failure) }, 'Export orders (CSV)'),
      h('button', { type: 'button', dataset: { action: 'export-attendees' },
        onclick: () => download(`/events/${event.id}/attendees.csv`, `attendees-${event.id}.csv`, failure) },
      'Export attendees (CSV)')));
  }
  const orders = await api.getAll(`/events/${event.id}/orders`);
  if (signal.aborted) return;
  if (!orders.length) {
    root.append(failure, h('p', { class: 'muted', dataset: { eventOrders: '', empty: '' } }, 'No orders yet.'));
    return;
  }
  const row = (order) => {
    const replace = (done) => tr.replaceWith(row(done));
    const markPaid = h('button', {
      type: 'button', class: 'primary', dataset: { action: 'mark-paid' },
      onclick: async () => {
        try {
          replace(await api.post(`/events/${event.id}/orders/${order.id}/mark-paid`, {}));
          toast('Marked as paid.');
        } catch (error) {
          failure.show(error.message);
        }
      },
    }, 'Mark paid');
    const closed = order.status === 'cancelled' || order.status === 'expired';
    const tr = h('tr', { dataset: { orderId: order.id, orderStatus: order.status } },
      h('td', {}, order.buyer.name, h('br'), h('span', { class: 'muted' }, order.buyer.email)),
      h('td', {}, itemsText(order)),
      h('td', {}, money(order.total, order.currency)),
      h('td', { dataset: { status: '' } }, statusText(order)),
      h('td', {}, formatDateTime(order.created_at, event.timezone)),
      h('td', {}, h('div', { class: 'actions' }, owner && order.status === 'pending' ? markPaid : null,
        owner && !closed ? cancelButton(order, replace, failure) : null)));
    return tr;
  };
  root.append(failure, h('div', { class: 'table-wrap' }, h('table', { dataset: { eventOrders: '' } },
    h('thead', {}, h('tr', {}, ['Buyer', 'Tickets', 'Total', 'Status', 'Ordered', ''].map((label) => h('th', {}, label)))),
    h('tbody', {}, orders.map(row)))));
}
