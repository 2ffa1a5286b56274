// The add / edit dialog of one service item (track, session...): the controls follow the item's
// field list, their limits the API's own request schema (schema.js), the server's per-field errors
// land next to their field. Closing it with changes not saved asks first.

import * as api from '../api.js';
import { confirmDialog, errorBox, field, formValues, h, modal, showFieldError, uniqueId } from '../dom.js';
import { friendlyFieldMessage } from '../messages.js';
import { constraintAttributes } from '../schema.js';
import { isoToWall, wallToIso } from '../time.js';

/** Checkboxes, one per item (a session's speakers); `value` reads the ids ticked. */
function checkList(options, chosen) {
  const boxes = options.map((option) => {
    const box = h('input', { type: 'checkbox', id: uniqueId('choice'), value: option.id, checked: chosen.includes(option.id) });
    return { box, node: h('label', { class: 'check', for: box.id }, box, option.name) };
  });
  const list = h('div', { class: 'check-list', role: 'group' },
    boxes.length ? boxes.map((entry) => entry.node) : h('p', { class: 'muted' }, 'None added yet.'));
  Object.defineProperty(list, 'value', { get: () => boxes.filter((entry) => entry.box.checked).map((entry) => entry.box.value) });
  return list;
}

function control(fieldSpec, rules, value, { event, choices }) {
  const limits = constraintAttributes(rules);
  if (fieldSpec.type === 'textarea') return h('textarea', { rows: 3, value: value || '', ...limits });
  if (fieldSpec.type === 'datetime') {
    return h('input', { type: 'datetime-local', value: isoToWall(value, event.timezone), required: limits.required });
  }
  if (fieldSpec.type === 'choice') {
    return h('select', {}, h('option', { value: '' }, '(none)'),
      (choices[fieldSpec.of] || []).map((item) => h('option', { value: item.id, selected: item.id === value }, item.name)));
  }
  if (fieldSpec.type === 'choices') return checkList(choices[fieldSpec.of] || [], value || []);
  return h('input', { type: fieldSpec.type || 'text', value: value ?? fieldSpec.default ?? '', ...limits });
}

function payloadOf(spec, values, fields, event) {
  const payload = {};
  for (const f of spec.fields) {
    let value = values[f.name];
    if (f.type === 'datetime') value = wallToIso(value, event.timezone);
    else if (f.type === 'number') value = value === '' ? null : Number(value);
    else if (f.type === 'choice') value = value || null;
    else if (f.type === 'choices') value = fields[f.name].input.value;
    payload[f.name] = value;
  }
  return payload;
}

/** A labelled group of checkboxes reads as a fieldset; every other control as a labelled field. */
function fieldOf(f, input, event) {
  const hint = f.type === 'datetime' ? `In the event's time zone (${event.timezone}).` : null;
  if (f.type !== 'choices') return field(f.label, input, { name: f.name, hint });
  const error = h('p', { class: 'field-error', id: uniqueId('choices-error'), hidden: true, dataset: { errorFor: f.name } });
  return { wrap: h('fieldset', { class: 'field' }, h('legend', {}, f.label), input, error), input, error };
}

/**
 * openEditor({service, spec, rules, base, event, choices}, item, onSaved): item null adds a new one.
 * rules: the request schema's limits per field name (schema.requestFields); choices: the tracks,
 * rooms and speakers a session can refer to.
 */
export default function openEditor({ service, spec, rules, base, event, choices }, item, onSaved) {
  const fields = Object.fromEntries(spec.fields.map((f) => [
    f.name, fieldOf(f, control(f, rules[f.name], item?.[f.name], { event, choices }), event),
  ]));
  const problem = errorBox('editor-error');
  const save = h('button', { type: 'submit', class: 'primary', dataset: { action: 'save' } }, 'Save');
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const form = h('form', { novalidate: true, dataset: { form: `${service}-editor` } }, Object.values(fields).map((f) => f.wrap), problem);
  save.setAttribute('form', form.id = `${service}-editor-form`);
  const dialog = modal({ title: item ? `Edit ${spec.singular}` : `Add ${spec.singular}`, body: form, actions: [cancel, save], hook: 'editor' });
  const current = () => JSON.stringify(payloadOf(spec, formValues(form), fields, event));
  const opened = current();
  let saving = false;
  const closeUnlessUnsaved = async () => {
    if (saving) return;
    if (current() !== opened && !await confirmDialog('Your changes to this item are not saved.',
      { title: 'Discard changes?', confirmLabel: 'Discard', cancelLabel: 'Keep editing', hook: 'discard' })) return;
    dialog.close();
  };
  cancel.addEventListener('click', closeUnlessUnsaved);
  dialog.addEventListener('cancel', (escape) => {
    escape.preventDefault();
    closeUnlessUnsaved();
  });
  Object.values(fields)[0].input.focus();
  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    const payload = payloadOf(spec, formValues(form), fields, event);
    save.disabled = true;
    saving = true;
    try {
      if (item) await api.patch(`${base}/${encodeURIComponent(item.id)}`, payload);
      else await api.post(base, payload);
      dialog.close();
      await onSaved();
    } catch (error) {
      let placed = false;
      for (const [name, message] of Object.entries(error.details || {})) {
        const key = name.replace(/\[\d+\]$/, '');
        if (fields[key]) {
          showFieldError(fields[key], friendlyFieldMessage(message));
          placed = true;
        }
      }
      problem.show(placed ? 'Please correct the marked fields.' : api.describeError(error));
    } finally {
      save.disabled = false;
      saving = false;
    }
  });
}
