// The sales summary of the organizer's event page: per ticket sold / reserved / available (the
// tickets' own counters), revenue in the event's currency and tickets sold per day (from the
// orders the page reads anyway for its table: no request of its own), the chart an inline SVG.

import { h } from '../dom.js';
import { formatMoney, sumAmounts } from '../money.js';

const SVG = 'http://www.w3.org/2000/svg';
const PAID = new Set(['completed', 'partially_refunded']);
const DAY_MS = 86_400_000;
const MIN_DAYS = 14;
const MAX_DAYS = 60;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function ticketFigures(ticket) {
  const sold = Number(ticket.sold) || 0;
  const available = Number(ticket.available) || 0;
  return { sold, available, reserved: Math.max(0, Number(ticket.quantity) - sold - available), quantity: Number(ticket.quantity) || 0 };
}

/** Revenue kept: what paid orders cost, less what was refunded of them. */
export function revenueOf(orders) {
  const paid = orders.filter((order) => PAID.has(order.status) || order.status === 'refunded');
  return sumAmounts([...paid.map((order) => order.total), ...paid.map((order) => `-${order.refunded_total || '0'}`)]);
}

/** Tickets sold per calendar day in the event's zone, oldest first (days without sales included). */
export function soldPerDay(orders, timeZone) {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const counts = new Map();
  for (const order of orders) {
    if (!PAID.has(order.status)) continue;
    const key = day.format(new Date(order.created_at));
    const seats = order.items.reduce((sum, item) => sum + Number(item.quantity || 0), 0);
    counts.set(key, (counts.get(key) || 0) + seats);
  }
  const keys = [...counts.keys()].sort();
  if (!keys.length) return [];
  // At least two weeks up to the last day with sales, so one day of sales is not one wide block.
  const last = new Date(`${keys[keys.length - 1]}T12:00:00Z`).getTime();
  const first = Math.min(new Date(`${keys[0]}T12:00:00Z`).getTime(), last - (MIN_DAYS - 1) * DAY_MS);
  const days = [];
  for (let at = Math.max(first, last - (MAX_DAYS - 1) * DAY_MS); at <= last; at += DAY_MS) {
    const key = new Date(at).toISOString().slice(0, 10);
    days.push([key, counts.get(key) || 0]);
  }
  return days;
}

function chart(days) {
  if (!days.length) return h('p', { class: 'muted', dataset: { salesChart: 'empty' } }, 'No tickets sold yet.');
  const width = 600;
  const height = 140;
  const most = Math.max(...days.map(([, count]) => count), 1);
  const step = width / days.length;
  const bars = days.map(([key, count], index) => {
    const barHeight = Math.max(count ? 2 : 0, Math.round((count / most) * (height - 20)));
    return svg('rect', { x: (index * step + step * 0.15).toFixed(1), y: height - barHeight, width: (step * 0.7).toFixed(1),
      height: barHeight, rx: 2, class: 'bar' }, svg('title', {}, `${key}: ${count} sold`));
  });
  const dayName = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  const [from, to] = [days[0][0], days[days.length - 1][0]].map((key) => dayName.format(new Date(`${key}T12:00:00Z`)));
  const label = `Tickets sold per day, ${from} to ${to}; most in a day: ${most}.`;
  return h('figure', { class: 'sales-chart', dataset: { salesChart: String(days.length) } },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
      svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }), ...bars),
    h('figcaption', { class: 'muted' }, `Tickets sold per day · ${from} – ${to} · most in a day: ${most}`));
}

export function salesSummary(event, tickets, orders) {
  const figures = tickets.map((ticket) => ({ ticket, ...ticketFigures(ticket) }));
  const total = (key) => figures.reduce((sum, entry) => sum + entry[key], 0);
  const revenue = revenueOf(orders);
  const stat = (label, value, hook) => h('div', { class: 'stat', dataset: { stat: hook } },
    h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
  return h('section', { class: 'sales card', 'aria-labelledby': 'sales-title', dataset: { salesSummary: '' } },
    h('h2', { id: 'sales-title' }, 'Sales'),
    h('div', { class: 'stats' },
      stat('Tickets sold', String(total('sold')), 'sold'),
      stat('Reserved (awaiting payment)', String(total('reserved')), 'reserved'),
      stat('Still available', String(total('available')), 'available'),
      stat(`Revenue (${event.currency})`, formatMoney(revenue, event.currency), 'revenue')),
    chart(soldPerDay(orders, event.timezone)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table ticket-sales-table', dataset: { ticketSales: '' } },
      h('thead', {}, h('tr', {}, ['Ticket', 'Sold', 'Reserved', 'Available', 'Capacity']
        .map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, figures.map((entry) => h('tr', { dataset: { ticketId: entry.ticket.id } },
        h('td', { dataset: { primary: '' } }, entry.ticket.name, entry.ticket.hidden ? h('span', { class: 'badge draft' }, 'Hidden') : null,
          h('span', { class: 'meter', 'aria-hidden': 'true' }, meterFill(entry))),
        h('td', { dataset: { label: 'Sold' } }, String(entry.sold)),
        h('td', { dataset: { label: 'Reserved' } }, String(entry.reserved)),
        h('td', { dataset: { label: 'Available' } }, String(entry.available)),
        h('td', { dataset: { label: 'Capacity' } }, String(entry.quantity))))))));
}

function meterFill({ sold, reserved, quantity }) {
  const part = (count, cls) => {
    const node = h('span', { class: cls });
    node.style.width = `${quantity ? (100 * count) / quantity : 0}%`;
    return node;
  };
  return [part(sold, 'meter-sold'), part(reserved, 'meter-reserved')];
}
