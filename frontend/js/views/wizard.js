// The event wizard: details -> background -> tickets -> publish. Each step saves on its own.

import * as api from '../api.js';
import { errorBox, field, formValues, h, showFieldError } from '../dom.js';
import { browserTimeZone, isoToWall, timeZones, wallToIso } from '../time.js';

const STEPS = [
  ['details', 'Details'],
  ['background', 'Background'],
  ['tickets', 'Tickets'],
  ['publish', 'Publish'],
];

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'INR', 'JPY', 'CHF', 'CAD', 'AUD', 'SGD', 'SEK', 'NOK', 'DKK', 'PLN', 'BRL', 'MXN', 'ZAR'];

const PAYMENT_CHOICES = [['manual', 'Manual (I mark orders paid)'], ['stripe', 'Card payments via Stripe']];

function refundHint(zone) {
  return `Optional, in the event's time zone (${zone}). Until then buyers can cancel a paid order and get a full refund; empty: they cannot.`;
}

export default async function render(ctx) {
  const { root, params, route } = ctx;
  const step = params.step || route.step || 'details';
  if (!STEPS.some(([name]) => name === step)) throw new Error('No such wizard step.');
  const event = params.id ? await api.get(`/events/${params.id}`, { signal: ctx.signal }) : null;
  document.title = `${event ? event.name : 'New event'} · Marquee`;
  root.append(
    h('h1', {}, event ? event.name : 'Create an event'),
    stepNav(event, step),
  );
  const section = h('section', { 'aria-labelledby': 'step-title', dataset: { wizardStep: step } });
  root.append(section);
  if (step === 'details') return detailsStep(section, event, ctx);
  if (step === 'background') return (await import('./wizard-background.js')).default(section, event, ctx);
  if (step === 'tickets') return (await import('./wizard-tickets.js')).default(section, event, ctx);
  return publishStep(section, event, ctx);
}

function stepNav(event, current) {
  return h('nav', { 'aria-label': 'Wizard steps' }, h('ol', { class: 'steps' }, STEPS.map(([name, label], index) => {
    const reachable = Boolean(event) || name === 'details';
    const text = `${index + 1}. ${label}`;
    return h('li', {}, reachable
      ? h('a', {
        href: event ? `#/events/${event.id}/edit/${name}` : '#/events/new',
        'aria-current': name === current ? 'step' : null, dataset: { step: name },
      }, text)
      : h('span', { class: 'muted', 'aria-disabled': 'true' }, text));
  })));
}

function detailsStep(section, event, { navigate }) {
  const zone = event?.timezone || browserTimeZone();
  const zoneSelect = h('select', { required: true }, timeZones().map((name) => h('option', { value: name, selected: name === zone }, name)));
  if (!timeZones().includes(zone)) zoneSelect.prepend(h('option', { value: zone, selected: true }, zone));
  const currencyInput = h('input', { required: true, maxlength: 3, autocapitalize: 'characters', list: 'currency-list',
    value: event?.currency || 'USD' });
  const fields = {
    name: field('Event name', h('input', { required: true, maxlength: 150, value: event?.name || '' }), { name: 'name' }),
    starts_at: field('Starts', h('input', { type: 'datetime-local', required: true, value: isoToWall(event?.starts_at, zone) }),
      { name: 'starts_at' }),
    ends_at: field('Ends', h('input', { type: 'datetime-local', required: true, value: isoToWall(event?.ends_at, zone) }),
      { name: 'ends_at' }),
    timezone: field('Time zone', zoneSelect, { name: 'timezone', hint: 'Start and end are wall-clock times in this zone.' }),
    location_name: field('Location', h('input', { maxlength: 300, value: event?.location_name || '' }), { name: 'location_name' }),
    description: field('Description', h('textarea', { rows: 6, value: event?.description || '' }), { name: 'description' }),
    currency: field('Currency', currencyInput, { name: 'currency', hint: 'ISO 4217 code, e.g. EUR.' }),
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
  // The deadline is a wall-clock time in the event's zone: its hint follows the zone chosen above.
  zoneSelect.addEventListener('change', () => {
    fields.refund_deadline.wrap.querySelector('.hint').textContent = refundHint(zoneSelect.value);
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
    h('datalist', { id: 'currency-list' }, CURRENCIES.map((code) => h('option', { value: code }))),
    failure, h('div', { class: 'actions' }, submit));
  section.append(form);
  fields.name.input.focus();

  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    failure.show('');
    const values = formValues(form);
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
      if (event) {
        await api.patch(`/events/${event.id}`, body, { ifMatch: true });
        navigate(`/events/${event.id}/edit/background`);
      } else {
        const created = await api.post('/events', body);
        navigate(`/events/${created.id}/edit/background`);
      }
    } catch (error) {
      showErrors(error, fields, failure);
    } finally {
      submit.disabled = false;
    }
  });
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
      showFieldError(fields[name], text);
      shown = true;
    }
  }
  if (error.status === 412) failure.show('This event was changed by someone else meanwhile; reload the page and try again.');
  else failure.show(shown ? 'Please correct the marked fields.' : api.describeError(error));
}

async function publishStep(section, event, { navigate }) {
  const tickets = await api.get(`/events/${event.id}/tickets`).catch(() => []);
  const hiddenCount = tickets.filter((ticket) => ticket.hidden).length;
  const published = event.state === 'published';
  const failure = errorBox('publish-error');
  const button = h('button', { type: 'button', class: published ? '' : 'primary', dataset: { action: published ? 'unpublish' : 'publish' } },
    published ? 'Unpublish (back to draft)' : 'Publish');
  section.append(
    h('h2', { id: 'step-title' }, 'Publish'),
    h('p', { dataset: { eventState: event.state } }, published
      ? 'This event is published: anyone can see its public page.'
      : 'This event is a draft: only its team can see it. Publishing shows it on the public events list.'),
    h('ul', { dataset: { publishSummary: '' } },
      h('li', {}, event.background_url ? 'Background image: set' : 'Background image: none (optional)'),
      h('li', {}, `Tickets: ${tickets.length}${hiddenCount ? ` (${hiddenCount} hidden)` : ''}`)),
    failure,
    h('div', { class: 'actions' }, button,
      published ? h('a', { href: `#/public/events/${event.id}`, dataset: { publicLink: '' } }, 'View the public page') : null),
  );
  button.addEventListener('click', async () => {
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
