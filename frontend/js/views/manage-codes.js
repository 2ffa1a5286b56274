// The "Codes" tab of event management: access codes that unlock hidden tickets and discount codes,
// with their uses, a dialog to create or change one, one to generate many, a CSV export and a
// link to share each code (the public page opens with it applied).

import * as api from '../api.js';
import { confirmDialog, errorBox, field, h, modal, showFieldError, toast } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatDateTimeWithZone, isoToWall, wallToIso } from '../time.js';

function discountText(code, currency) {
  if (!code.discount) return null;
  if (code.discount.percent !== undefined) return `${code.discount.percent}% off`;
  return `${formatMoney(code.discount.amount, currency)} off each ticket`;
}

function whatItDoes(code, currency) {
  return [code.unlocks_hidden ? 'Unlocks hidden tickets' : null, discountText(code, currency)].filter(Boolean).join(' · ');
}

function ticketsText(code, tickets) {
  if (!code.ticket_ids) return 'All tickets';
  const names = new Map(tickets.map((ticket) => [ticket.id, ticket.name]));
  return code.ticket_ids.map((id) => names.get(id) || 'a deleted ticket').join(', ');
}

function windowText(code, zone) {
  if (!code.valid_from && !code.valid_until) return 'Always';
  if (!code.valid_from) return `Until ${formatDateTimeWithZone(code.valid_until, zone)}`;
  if (!code.valid_until) return `From ${formatDateTimeWithZone(code.valid_from, zone)}`;
  return `${formatDateTimeWithZone(code.valid_from, zone)} – ${formatDateTimeWithZone(code.valid_until, zone)}`;
}

export function shareLink(event, code) {
  return `${location.origin}${location.pathname}#/public/events/${event.id}?code=${encodeURIComponent(code.code)}`;
}

/** The terms fields shared by the single and the bulk dialog; `read()` gives the body part. */
function termsFields(event, tickets, code = {}) {
  const zone = event.timezone;
  const kind = code.discount ? (code.discount.percent !== undefined ? 'percent' : 'amount') : 'none';
  const unlocks = h('input', { type: 'checkbox', checked: Boolean(code.unlocks_hidden), dataset: { codeUnlocks: '' } });
  const discountKind = field('Discount', h('select', { dataset: { codeDiscountKind: '' } },
    [['none', 'No discount'], ['percent', 'Percent off'], ['amount', `Amount off each ticket (${event.currency})`]]
      .map(([value, label]) => h('option', { value, selected: value === kind }, label))), { name: 'discount' });
  const discountValue = field('Discount value', h('input', {
    type: 'text', inputmode: 'decimal', value: code.discount ? (code.discount.percent ?? code.discount.amount) : '',
    dataset: { codeDiscountValue: '' },
  }), { name: 'discount-value', hint: 'For example 10 (percent) or 5.00 (amount).' });
  const showValue = () => { discountValue.wrap.hidden = discountKind.input.value === 'none'; };
  discountKind.input.addEventListener('change', showValue);
  showValue();
  const chosen = new Set(code.ticket_ids || []);
  const boxes = tickets.map((ticket) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: ticket.id, checked: chosen.has(ticket.id), dataset: { codeTicket: ticket.id } }),
    ` ${ticket.name}${ticket.hidden ? ' (hidden)' : ''}`));
  const ticketSet = h('fieldset', { class: 'choices', dataset: { codeTickets: '' } },
    h('legend', {}, 'Which tickets? None chosen: all of them.'), ...boxes);
  const maxUses = field('Maximum uses', h('input', {
    type: 'number', min: 1, step: 1, inputmode: 'numeric', value: code.max_uses ?? '', dataset: { codeMaxUses: '' },
  }), { name: 'max_uses', hint: 'Empty: unlimited. One order is one use.' });
  const from = field(`Valid from (${zone})`, h('input', { type: 'datetime-local', value: isoToWall(code.valid_from, zone) }), { name: 'valid_from' });
  const until = field(`Valid until (${zone})`, h('input', { type: 'datetime-local', value: isoToWall(code.valid_until, zone) }), { name: 'valid_until' });
  const byName = { discount: discountKind, max_uses: maxUses, valid_from: from, valid_until: until };
  return {
    nodes: [h('label', { class: 'check' }, unlocks, ' Unlocks hidden tickets'), discountKind.wrap, discountValue.wrap,
      ticketSet, h('div', { class: 'field-row' }, maxUses.wrap), h('div', { class: 'field-row' }, from.wrap, until.wrap)],
    fields: byName,
    read() {
      const picked = boxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
      const value = discountValue.input.value.trim();
      const discountChoice = discountKind.input.value;
      return {
        unlocks_hidden: unlocks.checked,
        discount: discountChoice === 'none' ? null : { [discountChoice]: value },
        ticket_ids: picked.length ? picked : null,
        max_uses: maxUses.input.value.trim() ? Number(maxUses.input.value) : null,
        valid_from: wallToIso(from.input.value, zone),
        valid_until: wallToIso(until.input.value, zone),
      };
    },
  };
}

/** Puts each of the 422's details beside its field; what has no field goes in `problem`. */
function showProblems(error, fields, problem) {
  const others = [];
  for (const [name, message] of Object.entries(error.details || {})) {
    const target = fields[name.replace(/\[\d+\]$/, '')];
    if (target) showFieldError(target, message);
    else others.push(message);
  }
  problem.show(others.join(' ') || (error.details && Object.keys(error.details).length ? 'Please correct the marked fields.' : api.describeError(error)));
}

function codeDialog(event, tickets, code, onSaved) {
  const name = field('Code', h('input', { type: 'text', value: code?.code || '', maxlength: 40, autocomplete: 'off', dataset: { codeName: '' } }),
    { name: 'code', hint: '3 to 40 letters, digits, - or _. Buyers may type it in any case.' });
  const terms = termsFields(event, tickets, code || {});
  const fields = { code: name, ...terms.fields };
  const problem = errorBox('code-error');
  const form = h('form', { novalidate: true, id: `code-form-${code?.id || 'new'}`, dataset: { form: 'code' } },
    name.wrap, ...terms.nodes, problem);
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const save = h('button', { type: 'submit', class: 'primary', form: form.id, dataset: { action: 'save-code' } }, code ? 'Save' : 'Create code');
  const dialog = modal({ title: code ? `Change ${code.code}` : 'New code', body: form, actions: [cancel, save], hook: 'code' });
  cancel.addEventListener('click', () => dialog.close());
  name.input.focus();
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    save.disabled = true;
    try {
      const body = { code: name.input.value.trim(), ...terms.read() };
      const saved = code
        ? await api.patch(`/events/${event.id}/codes/${code.id}`, body)
        : await api.post(`/events/${event.id}/codes`, body);
      dialog.close();
      toast(code ? `Code ${saved.code} saved.` : `Code ${saved.code} created.`);
      onSaved();
    } catch (error) {
      showProblems(error, fields, problem);
    } finally {
      save.disabled = false;
    }
  });
}

function bulkDialog(event, tickets, onSaved) {
  const prefix = field('Prefix', h('input', { type: 'text', maxlength: 20, autocomplete: 'off', dataset: { bulkPrefix: '' } }),
    { name: 'prefix', hint: 'Each code is this prefix and 8 random letters and digits, e.g. VIP-7KQ2M9XA.' });
  const count = field('How many', h('input', { type: 'number', min: 1, max: 500, step: 1, value: 10, dataset: { bulkCount: '' } }), { name: 'count' });
  const terms = termsFields(event, tickets, { max_uses: 1 });
  const fields = { prefix, count, ...terms.fields };
  const problem = errorBox('bulk-error');
  const form = h('form', { novalidate: true, id: 'bulk-codes', dataset: { form: 'bulk-codes' } },
    h('div', { class: 'field-row' }, prefix.wrap, count.wrap), ...terms.nodes, problem);
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const make = h('button', { type: 'submit', class: 'primary', form: form.id, dataset: { action: 'generate-codes' } }, 'Generate');
  const dialog = modal({ title: 'Generate codes', body: form, actions: [cancel, make], hook: 'bulk-codes' });
  cancel.addEventListener('click', () => dialog.close());
  prefix.input.focus();
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    make.disabled = true;
    try {
      const made = await api.post(`/events/${event.id}/codes/bulk`,
        { prefix: prefix.input.value.trim(), count: Number(count.input.value), ...terms.read() });
      dialog.close();
      toast(`${made.length} codes generated.`);
      onSaved();
    } catch (error) {
      showProblems(error, fields, problem);
    } finally {
      make.disabled = false;
    }
  });
}

async function download(event, failure) {
  try {
    const text = await api.get(`/events/${event.id}/codes.csv`);
    const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: `codes-${event.id}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) {
    failure.show(api.describeError(error));
  }
}

export default async function renderCodes(section, event) {
  section.append(h('h2', {}, 'Codes'));
  if (!event.allowed.codes?.manage) {
    section.append(h('p', { class: 'muted', dataset: { noAccess: '' } }, 'Only the event\'s organizers and co-organizers manage its codes.'));
    return;
  }
  const failure = errorBox('codes-error');
  const body = h('tbody');
  const empty = h('p', { class: 'muted', dataset: { codesEmpty: '' } },
    'No codes yet. A code can unlock hidden tickets (for crew, press or members) or give a discount.');
  const tickets = await api.get(`/events/${event.id}/tickets`);
  async function load() {
    const codes = await api.get(`/events/${event.id}/codes`);
    empty.hidden = codes.length > 0;
    body.replaceChildren(...codes.map((code) => {
      const edit = h('button', { type: 'button', dataset: { action: 'edit-code' }, 'aria-label': `Change ${code.code}` }, 'Change');
      edit.addEventListener('click', () => codeDialog(event, tickets, code, load));
      const copy = h('button', { type: 'button', dataset: { action: 'copy-code-link' }, 'aria-label': `Copy the link of ${code.code}` }, 'Copy link');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(shareLink(event, code));
          toast('Link copied.');
        } catch {
          toast(shareLink(event, code), { timeout: 15000 });
        }
      });
      const remove = h('button', { type: 'button', class: 'danger', dataset: { action: 'delete-code' }, 'aria-label': `Delete ${code.code}` }, 'Delete');
      remove.addEventListener('click', async () => {
        if (!await confirmDialog(`Delete the code ${code.code}? It stops working; orders that used it keep their prices.`)) return;
        try {
          await api.del(`/events/${event.id}/codes/${code.id}`);
          await load();
        } catch (error) {
          failure.show(api.describeError(error));
        }
      });
      return h('tr', { dataset: { code: code.code } },
        h('td', { dataset: { label: 'Code' } }, h('code', {}, code.code)),
        h('td', { dataset: { label: 'What it does' } }, whatItDoes(code, event.currency)),
        h('td', { dataset: { label: 'Tickets' } }, ticketsText(code, tickets)),
        h('td', { dataset: { label: 'Uses', codeUses: '' } }, code.max_uses ? `${code.uses} of ${code.max_uses}` : String(code.uses)),
        h('td', { dataset: { label: 'Valid' } }, windowText(code, event.timezone)),
        h('td', {}, h('div', { class: 'actions' }, edit, copy, remove)));
    }));
  }
  const create = h('button', { type: 'button', class: 'primary', dataset: { action: 'new-code' } }, 'New code');
  create.addEventListener('click', () => codeDialog(event, tickets, null, load));
  const bulk = h('button', { type: 'button', dataset: { action: 'bulk-codes' } }, 'Generate many');
  bulk.addEventListener('click', () => bulkDialog(event, tickets, load));
  const exportButton = h('button', { type: 'button', dataset: { action: 'export-codes' } }, 'Export (CSV)');
  exportButton.addEventListener('click', () => download(event, failure));
  section.append(h('div', { class: 'actions' }, create, bulk, exportButton), failure, empty,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { codes: '' } },
      h('thead', {}, h('tr', {}, ['Code', 'What it does', 'Tickets', 'Uses', 'Valid', ''].map((label) => h('th', { scope: 'col' }, label)))),
      body)));
  await load();
}
