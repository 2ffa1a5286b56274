// The event wizard: details -> background -> tickets -> publish. Each step saves on its own.

import * as api from '../api.js';
import { append, confirmDialog, errorBox, field, formValues, h, showFieldError } from '../dom.js';
import { guardUnsaved } from '../guard.js';
import { emptyMessage, friendlyFieldMessage } from '../messages.js';
import { browserTimeZone, isoToWall, timeZones, wallToIso } from '../time.js';
import { currencyChoices, currencyFor } from './currencies.js';
import { eventHeader, organizerStyles } from './event-nav.js';

const STEPS = [
  ['details', 'Details'],
  ['background', 'Background'],
  ['tickets', 'Tickets'],
  ['publish', 'Publish'],
];

const PAYMENT_CHOICES = [['manual', 'Manual (I mark orders paid)'], ['stripe', 'Card payments via Stripe']];

function refundHint(zone) {
  return `Optional, in the event's time zone (${zone}). Until then buyers can cancel a paid order and get a full refund; empty: they cannot.`;
}

export default async function render(ctx) {
  const { root, params, route } = ctx;
  const step = params.step || route.step || 'details';
  if (!STEPS.some(([name]) => name === step)) throw new Error('No such wizard step.');
  const [event] = await Promise.all([
    params.id ? api.get(`/events/${params.id}`, { signal: ctx.signal }) : null, organizerStyles()]);
  document.title = `${event ? event.name : 'New event'} · Marquee`;
  root.append(
    event ? eventHeader(event, step === 'tickets' ? 'tickets' : 'edit') : h('h1', {}, 'Create an event'),
    stepNav(event, step),
  );
  const section = h('section', { 'aria-labelledby': 'step-title', dataset: { wizardStep: step } });
  root.append(section);
  if (step === 'details') return detailsStep(section, event, ctx);
  if (step === 'background') return (await import('./wizard-background.js')).default(section, event, ctx);
  if (step === 'tickets') return (await import('./wizard-tickets.js')).default(section, event, ctx);
  return publishStep(section, event, ctx);
}

/** The step indicator: numbered steps joined by a line, done / current / to come. */
function stepNav(event, current) {
  const at = STEPS.findIndex(([name]) => name === current);
  return h('nav', { 'aria-label': 'Wizard steps' }, h('ol', { class: 'steps' }, STEPS.map(([name, label], index) => {
    const reachable = Boolean(event) || name === 'details';
    const state = index < at ? 'done' : index === at ? 'current' : 'todo';
    const content = [h('span', { class: 'step-number', 'aria-hidden': 'true' }, String(index + 1)),
      h('span', { class: 'step-label' }, h('span', { class: 'visually-hidden' }, `${index + 1}. `), label)];
    return h('li', { dataset: { stepState: state } }, reachable
      ? h('a', {
        href: event ? `#/events/${event.id}/edit/${name}` : '#/events/new',
        'aria-current': name === current ? 'step' : null, dataset: { step: name },
      }, content)
      : h('span', { class: 'step-off', 'aria-disabled': 'true' }, content));
  })));
}

function detailsStep(section, event, { navigate, signal }) {
  const zone = event?.timezone || browserTimeZone();
  const zoneSelect = h('select', { required: true }, timeZones().map((name) => h('option', { value: name, selected: name === zone }, name)));
  if (!timeZones().includes(zone)) zoneSelect.prepend(h('option', { value: zone, selected: true }, zone));
  const currency = event?.currency || currencyFor(zone);
  const currencyInput = h('select', { required: true, dataset: { currency: '' } },
    currencyChoices(currency).map(([code, label]) => h('option', { value: code, selected: code === currency }, label)));
  // A new event's currency follows its time zone until the organizer picks one.
  let currencyPicked = Boolean(event);
  currencyInput.addEventListener('change', () => { currencyPicked = true; });
  const fields = {
    name: field('Event name', h('input', { required: true, maxlength: 150, value: event?.name || '' }), { name: 'name' }),
    starts_at: field('Starts', h('input', { type: 'datetime-local', required: true, value: isoToWall(event?.starts_at, zone) }),
      { name: 'starts_at' }),
    ends_at: field('Ends', h('input', { type: 'datetime-local', required: true, value: isoToWall(event?.ends_at, zone) }),
      { name: 'ends_at' }),
    timezone: field('Time zone', zoneSelect, { name: 'timezone', hint: 'Start and end are wall-clock times in this zone.' }),
    location_name: field('Location', h('input', { maxlength: 300, value: event?.location_name || '' }), { name: 'location_name' }),
    description: field('Description', h('textarea', { rows: 6, value: event?.description || '' }), { name: 'description' }),
    currency: field('Currency', currencyInput, { name: 'currency', hint: 'Ticket prices and payments are in this currency.' }),
    payment_provider: field('Payments', h('select', { dataset: { paymentProvider: '' } },
      PAYMENT_CHOICES.map(([value, label]) => h('option', { value, selected: value === (event?.payment_provider || 'manual') }, label))),
    { name: 'payment_provider', hint: 'Manual: you mark orders paid yourself. Card: buyers pay online when they order.' }),
    refund_deadline: field('Buyers may cancel paid orders until',
      h('input', { type: 'datetime-local', value: isoToWall(event?.refund_deadline, zone), dataset: { refundDeadline: '' } }),
      { name: 'refund_deadline', hint: refundHint(zone) }),
    'waiting_room.enabled': checkField('Waiting room for the on-sale', h('input', {
      type: 'checkbox', checked: Boolean(event?.waiting_room?.enabled), dataset: { waitingRoom: '' },
    }), 'waiting_room_enabled'),
    'waiting_room.admit_per_minute': field('People let in per minute', h('input', {
      type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric', required: true,
      value: String(event?.waiting_room?.admit_per_minute ?? 100), dataset: { admitPerMinute: '' },
    }), { name: 'admit_per_minute', hint: 'While the room is on, buyers take a number and reach the ticket form in arrival order at this rate.' }),
  };
  // The rate only means something while the room is on.
  const roomBox = fields['waiting_room.enabled'].input;
  const showRate = () => { fields['waiting_room.admit_per_minute'].wrap.hidden = !roomBox.checked; };
  roomBox.addEventListener('change', showRate);
  showRate();
  // The deadline is a wall-clock time in the event's zone: its hint follows the zone chosen above.
  zoneSelect.addEventListener('change', () => {
    fields.refund_deadline.wrap.querySelector('.hint').textContent = refundHint(zoneSelect.value);
    if (!currencyPicked) currencyInput.value = currencyFor(zoneSelect.value);
  });
  const failure = errorBox('form-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'save-details' } },
    event ? 'Save details' : 'Create event and continue');
  const form = h('form', { novalidate: true, dataset: { form: 'event-details' } },
    h('h2', { id: 'step-title' }, 'Details'),
    fields.name.wrap,
    h('div', { class: 'field-row' }, fields.starts_at.wrap, fields.ends_at.wrap),
    h('div', { class: 'field-row' }, fields.timezone.wrap, fields.currency.wrap),
    fields.location_name.wrap, fields.description.wrap,
    h('div', { class: 'field-row' }, fields.payment_provider.wrap, fields.refund_deadline.wrap),
    h('div', { class: 'field-row' }, fields['waiting_room.enabled'].wrap, fields['waiting_room.admit_per_minute'].wrap),
    failure, h('div', { class: 'actions' }, submit));
  section.append(form);
  fields.name.input.focus();
  let saved = JSON.stringify(formValues(form));
  guardUnsaved(() => (JSON.stringify(formValues(form)) === saved ? '' : 'The details have changes you have not saved.'), signal);

  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    failure.show('');
    const values = formValues(form);
    if (!checkLocally(fields, values)) {
      failure.show('Please correct the marked fields.');
      return;
    }
    const body = {
      name: values.name,
      starts_at: wallToIso(values.starts_at, values.timezone),
      ends_at: wallToIso(values.ends_at, values.timezone),
      timezone: values.timezone,
      location_name: values.location_name,
      description: values.description,
      currency: values.currency.trim().toUpperCase(),
      payment_provider: values.payment_provider,
      refund_deadline: wallToIso(values.refund_deadline, values.timezone),
      waiting_room: { enabled: values.waiting_room_enabled, admit_per_minute: wholeNumber(values.admit_per_minute) },
    };
    submit.disabled = true;
    try {
      const id = event ? event.id : null;
      const next = id
        ? (await api.patch(`/events/${id}`, body, { ifMatch: true }), id)
        : (await api.post('/events', body)).id;
      saved = JSON.stringify(formValues(form));
      navigate(`/events/${next}/edit/background`);
    } catch (error) {
      showErrors(error, fields, failure);
    } finally {
      submit.disabled = false;
    }
  });
}

/** What the browser can tell before asking the server: empty required fields, an end before the start. */
function checkLocally(fields, values) {
  let fine = true;
  for (const parts of Object.values(fields)) {
    if (parts.input.required && !String(values[parts.input.name] ?? '').trim()) {
      showFieldError(parts, parts.input.name === 'name' ? 'Give the event a name.' : emptyMessage(parts.input));
      fine = false;
    }
  }
  if (values.starts_at && values.ends_at && values.ends_at <= values.starts_at) {
    showFieldError(fields.ends_at, 'The end must be after the start.');
    fine = false;
  }
  return fine;
}

/** A checkbox with its label beside it, shaped like field() so errors show the same way. */
function checkField(labelText, control, name) {
  control.name = name;
  const error = h('p', { class: 'field-error', id: `${name}-error`, hidden: true, dataset: { errorFor: name } });
  const wrap = h('div', { class: 'field' }, h('label', { class: 'check' }, control, labelText), error);
  return { wrap, input: control, error };
}

// A whole number as a number; anything else as typed, for the server to name what is wrong.
function wholeNumber(text) {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

export function showErrors(error, fields, failure) {
  let shown = false;
  for (const [name, text] of Object.entries(error.details || {})) {
    if (fields[name]) {
      showFieldError(fields[name], friendlyFieldMessage(text));
      shown = true;
    }
  }
  if (error.status === 412) failure.show('This event was changed by someone else meanwhile; reload the page and try again.');
  else failure.show(shown ? 'Please correct the marked fields.' : api.describeError(error));
}

/** Tickets a visitor could order now or later: shown, not sold out, sales not over. */
function onSale(tickets, moment = Date.now()) {
  return tickets.filter((ticket) => !ticket.hidden && Number(ticket.available) > 0
    && !(ticket.sales_ends_at && new Date(ticket.sales_ends_at).getTime() <= moment));
}

async function publishStep(section, event, { navigate }) {
  const tickets = await api.get(`/events/${event.id}/tickets`).catch(() => []);
  const hiddenCount = tickets.filter((ticket) => ticket.hidden).length;
  const selling = onSale(tickets);
  const published = event.state === 'published';
  const failure = errorBox('publish-error');
  const button = h('button', { type: 'button', class: published ? '' : 'primary', dataset: { action: published ? 'unpublish' : 'publish' } },
    published ? 'Unpublish (back to draft)' : 'Publish');
  // dom.js's append skips the absent parts (the native one would print them as "null").
  append(section, [
    h('h2', { id: 'step-title' }, 'Publish'),
    h('p', { dataset: { eventState: event.state } }, published
      ? 'This event is published: anyone can see its public page.'
      : 'This event is a draft: only its team can see it. Publishing shows it on the public events list.'),
    h('ul', { dataset: { publishSummary: '' } },
      h('li', {}, event.background_url ? 'Background image: set' : 'Background image: none (optional)'),
      h('li', {}, `Tickets: ${tickets.length}${hiddenCount ? ` (${hiddenCount} hidden)` : ''}`)),
    selling.length ? null : h('p', { class: 'notice warn', dataset: { nothingOnSale: '' } },
      'No ticket is on sale: visitors will see the event but cannot get a ticket. ',
      h('a', { href: `#/events/${event.id}/edit/tickets` }, 'Add tickets')),
    failure,
    h('div', { class: 'actions' }, button,
      published ? h('a', { href: `#/e/${event.id}`, dataset: { publicLink: '' } }, 'View the public page') : null),
  ]);
  button.addEventListener('click', async () => {
    if (!published && !selling.length && !await confirmDialog(
      'This event has no ticket on sale, so nobody can get a ticket yet. Publish it anyway?',
      { title: 'Publish without tickets?', confirmLabel: 'Publish anyway' },
    )) return;
    button.disabled = true;
    failure.show('');
    try {
      await api.patch(`/events/${event.id}`, { state: published ? 'draft' : 'published' }, { ifMatch: true });
      navigate(`/events/${event.id}/edit/publish`, { replace: true });
    } catch (error) {
      failure.show(error.status === 412
        ? 'This event was changed by someone else meanwhile; reload the page and try again.'
        : error.message);
      button.disabled = false;
    }
  });
}
