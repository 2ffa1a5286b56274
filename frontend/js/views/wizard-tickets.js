// Wizard step "tickets": the whole table is edited locally and saved with one PUT; the server's
// per-field errors (tickets[i].field) are shown next to that field of that row.

import * as api from '../api.js';
import { confirmDialog, errorBox, h, showFieldError, uniqueId } from '../dom.js';
import { guardUnsaved } from '../guard.js';
import { friendlyFieldMessage } from '../messages.js';
import { parseAmount } from '../money.js';
import { isoToWall, wallToIso } from '../time.js';

const TYPE_LABELS = { free: 'Free', paid: 'Paid', donation: 'Donation' };

export function ticketsOf(payload) {
  if (Array.isArray(payload)) return payload;
  return Array.isArray(payload?.tickets) ? payload.tickets : [];
}

export default async function renderTickets(section, event, { signal } = {}) {
  const path = `/events/${event.id}/tickets`;
  const zone = event.timezone;
  let rows = ticketsOf(await api.get(path)).map((ticket) => makeRow(ticket));
  // What was saved last: the table differs from it -> leaving the step asks first.
  const snapshot = () => JSON.stringify(rows.map((row) => row.collect()));
  let saved = snapshot();
  guardUnsaved(() => (snapshot() === saved ? '' : 'The tickets have changes you have not saved.'), signal);
  const list = h('ul', { class: 'tickets', dataset: { ticketRows: '' } });
  const empty = h('p', { class: 'muted', dataset: { noTickets: '' } }, 'No tickets yet: add a free, paid or donation ticket.');
  const failure = errorBox('tickets-error');
  const status = h('p', { role: 'status', class: 'muted', dataset: { ticketsStatus: '' } });
  const save = h('button', { type: 'button', class: 'primary', dataset: { action: 'save-tickets' } }, 'Save tickets');
  const addButtons = Object.entries(TYPE_LABELS).map(([type, label]) => h('button', {
    type: 'button', dataset: { action: `add-${type}` },
    onclick: () => {
      const row = makeRow({ type });
      rows.push(row);
      redraw();
      row.inputs.name.focus();
      status.textContent = 'Unsaved changes.';
    },
  }, `Add ${label.toLowerCase()}`));

  section.append(
    h('h2', { id: 'step-title' }, 'Tickets'),
    h('p', { class: 'hint' }, `Prices in ${event.currency}. Changes are kept here until you press “Save tickets”.`),
    list, empty,
    h('div', { class: 'actions' }, addButtons),
    failure, status,
    h('div', { class: 'actions' }, save,
      h('a', { class: 'button', href: `#/events/${event.id}/edit/publish`, dataset: { action: 'next' } }, 'Continue to publish')),
  );
  redraw();

  function redraw() {
    list.replaceChildren(...rows.map((row, index) => {
      row.node.dataset.ticketRow = String(index);
      row.setIndex(index);
      return row.node;
    }));
    empty.hidden = rows.length > 0;
  }

  function makeRow(ticket) {
    const row = { ticket, inputs: {}, errors: {} };
    const id = uniqueId('ticket');
    const input = (name, control, labelText, { cls = '' } = {}) => {
      control.id = `${id}-${name}`;
      control.dataset.field = name;
      const error = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
      row.inputs[name] = control;
      row.errors[name] = { input: control, error };
      return h('div', { class: `field ${cls}` }, h('label', { for: control.id }, labelText), control, error);
    };
    const money = (value, placeholder) => h('input', { inputmode: 'decimal', autocomplete: 'off', value: value && Number(value) > 0 ? value : '', placeholder });
    const donationCell = () => h('div', { class: 'field-row donation-prices' },
      input('price', money(ticket.price, '1.00'), `Minimum (${event.currency})`),
      input('suggested_price', money(ticket.suggested_price, 'optional'), `Suggested (${event.currency})`));
    const paidCell = () => input('price', money(ticket.price, '0.00'), `Price (${event.currency})`);
    const priceCell = ({ paid: paidCell, donation: donationCell })[ticket.type]?.()
      ?? h('div', { class: 'field' }, h('span', { class: 'label-like' }, 'Price'),
        h('p', { class: 'type-label', dataset: { priceLabel: ticket.type } }, TYPE_LABELS[ticket.type] || ticket.type));
    const settingsId = `${id}-settings`;
    const toggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': settingsId, dataset: { action: 'toggle-settings' } }, 'Settings');
    const remove = h('button', { type: 'button', class: 'danger', dataset: { action: 'remove-ticket' } }, 'Remove');
    const settings = h('div', { class: 'ticket-settings', id: settingsId, hidden: true, dataset: { ticketSettings: '' } },
      input('description', h('textarea', { rows: 2, value: ticket.description || '' }), 'Description'),
      h('div', { class: 'field-row' },
        input('sales_starts_at', h('input', { type: 'datetime-local', value: isoToWall(ticket.sales_starts_at, zone) }), `Sales start (${zone})`),
        input('sales_ends_at', h('input', { type: 'datetime-local', value: isoToWall(ticket.sales_ends_at, zone) }), `Sales end (${zone})`)),
      h('div', { class: 'field-row' },
        input('min_order', h('input', { type: 'number', min: 1, step: 1, value: ticket.min_order ?? 1 }), 'Minimum per order'),
        input('max_order', h('input', { type: 'number', min: 1, step: 1, value: ticket.max_order ?? '', placeholder: 'Up to 10' }),
          'Maximum per order')),
      (() => {
        const hidden = h('input', { type: 'checkbox', id: `${id}-hidden`, checked: Boolean(ticket.hidden), dataset: { field: 'hidden' } });
        const error = h('p', { class: 'field-error', id: `${id}-hidden-error`, hidden: true });
        row.inputs.hidden = hidden;
        row.errors.hidden = { input: hidden, error };
        return h('div', { class: 'field' }, h('label', { class: 'check', for: hidden.id }, hidden, 'Hidden (not shown on the public page)'), error);
      })());
    const rowError = h('p', { class: 'field-error', role: 'alert', hidden: true, dataset: { rowError: '' } });
    row.node = h('li', { class: 'ticket', dataset: { ticketType: ticket.type, ticketId: ticket.id || '' } },
      salesLine(ticket),
      h('div', { class: 'ticket-main' },
        input('name', h('input', { value: ticket.name || '', maxlength: 150, required: true }), `${TYPE_LABELS[ticket.type] || ''} ticket name`),
        priceCell,
        input('quantity', h('input', { type: 'number', min: 1, step: 1, value: ticket.quantity ?? 100 }), 'Quantity'),
        h('div', { class: 'row-actions' }, toggle, remove)),
      rowError, settings);
    row.rowError = rowError;
    row.setIndex = (index) => {
      for (const [name, parts] of Object.entries(row.errors)) parts.error.dataset.errorFor = `tickets[${index}].${name}`;
      remove.setAttribute('aria-label', `Remove ticket ${index + 1}`);
      toggle.setAttribute('aria-label', `Settings of ticket ${index + 1}`);
    };
    row.openSettings = (open) => {
      settings.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    };
    toggle.addEventListener('click', () => row.openSettings(settings.hidden));
    remove.addEventListener('click', async () => {
      const name = row.inputs.name.value.trim() || 'this ticket';
      if (!await confirmDialog(`Remove “${name}”? It is deleted when you save the tickets.`, { confirmLabel: 'Remove' })) {
        remove.focus();
        return;
      }
      rows = rows.filter((other) => other !== row);
      redraw();
      status.textContent = 'Unsaved changes.';
      save.focus();
    });
    row.collect = () => {
      const value = (name) => row.inputs[name].value.trim();
      // "29,50" is sent as "29.50"; what is no amount goes as typed, for the server's message.
      const amount = (name) => (value(name) ? (parseAmount(value(name)) ?? value(name)) : null);
      const out = {
        name: value('name'),
        type: ticket.type,
        price: ticket.type === 'free' ? '0' : amount('price'),
        ...(ticket.type === 'donation' ? { suggested_price: amount('suggested_price') } : {}),
        quantity: numberOrRaw(value('quantity')),
        description: row.inputs.description.value,
        sales_starts_at: wallToIso(value('sales_starts_at'), zone),
        sales_ends_at: wallToIso(value('sales_ends_at'), zone),
        min_order: numberOrRaw(value('min_order')),
        max_order: numberOrRaw(value('max_order')),
        hidden: row.inputs.hidden.checked,
      };
      if (ticket.id) out.id = ticket.id;
      // Left empty, the server's default applies (10, or the quantity when that is smaller).
      if (out.max_order === null) delete out.max_order;
      return out;
    };
    row.clearErrors = () => {
      Object.values(row.errors).forEach((parts) => showFieldError(parts, ''));
      row.rowError.hidden = true;
    };
    return row;
  }

  save.addEventListener('click', async () => {
    failure.show('');
    status.textContent = '';
    rows.forEach((row) => row.clearErrors());
    save.disabled = true;
    try {
      await api.put(path, { tickets: rows.map((row) => row.collect()) }, { ifMatch: true });
      // Re-read: the ids of new tickets and the collection's new ETag for the next If-Match.
      rows = ticketsOf(await api.get(path)).map((ticket) => makeRow(ticket));
      redraw();
      saved = snapshot();
      status.textContent = 'Tickets saved.';
    } catch (error) {
      showTicketErrors(error);
    } finally {
      save.disabled = false;
    }
  });

  function showTicketErrors(error) {
    if (error.status === 412) {
      failure.show('The tickets were changed by someone else meanwhile; reload the page to see their version.');
      return;
    }
    const unplaced = [];
    let first = null;
    for (const [key, message] of Object.entries(error.details || {})) {
      const match = /^tickets\[(\d+)\](?:\.(\w+))?$/.exec(key);
      const row = match ? rows[Number(match[1])] : null;
      if (row && match[2] && row.errors[match[2]]) {
        if (!['name', 'price', 'quantity'].includes(match[2])) row.openSettings(true);
        showFieldError(row.errors[match[2]], friendlyFieldMessage(message));
        first ||= row.errors[match[2]].input;
      } else if (row) {
        row.rowError.textContent = message;
        row.rowError.hidden = false;
      } else {
        unplaced.push(key === 'tickets' ? message : `${key}: ${message}`);
      }
    }
    failure.show(unplaced.length ? `${error.message} ${unplaced.join(' ')}` : (first ? 'Please correct the marked fields.' : error.message));
    first?.focus();
  }
}

/** A saved ticket's figures: "12 sold · 3 reserved · 85 available" (reserved: held by unpaid orders). */
function salesLine(ticket) {
  if (!ticket.id) return null;
  const sold = Number(ticket.sold) || 0;
  const available = Number(ticket.available) || 0;
  const reserved = Math.max(0, Number(ticket.quantity) - sold - available);
  return h('p', { class: 'ticket-sales', dataset: { ticketSales: '' } },
    h('strong', {}, `${sold} sold`), ` · ${reserved} reserved · ${available} available`);
}

function numberOrRaw(text) {
  if (text === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}
