// The add / edit dialog of one service item (track, session...): the controls follow the item's
// field list, their limits the API's own request schema (schema.js), the server's per-field errors
// land next to their field.

import * as api from '../api.js';
import { errorBox, field, formValues, h, modal, showFieldError } from '../dom.js';
import { constraintAttributes } from '../schema.js';
import { isoToWall, wallToIso } from '../time.js';

function control(fieldSpec, rules, value, { event, tracks }) {
  const limits = constraintAttributes(rules);
  if (fieldSpec.type === 'textarea') return h('textarea', { rows: 3, value: value || '', ...limits });
  if (fieldSpec.type === 'datetime') {
    return h('input', { type: 'datetime-local', value: isoToWall(value, event.timezone), required: limits.required });
  }
  if (fieldSpec.type === 'track') {
    return h('select', {}, h('option', { value: '' }, '(none)'),
      tracks.map((track) => h('option', { value: track.id, selected: track.id === value }, track.name)));
  }
  return h('input', { type: fieldSpec.type || 'text', value: value ?? fieldSpec.default ?? '', ...limits });
}

function payloadOf(spec, values, event) {
  const payload = {};
  for (const f of spec.fields) {
    let value = values[f.name];
    if (f.type === 'datetime') value = wallToIso(value, event.timezone);
    else if (f.type === 'number') value = value === '' ? null : Number(value);
    else if (f.type === 'track') value = value || null;
    payload[f.name] = value;
  }
  return payload;
}

/**
 * openEditor({service, spec, rules, base, event, tracks}, item, onSaved): item null adds a new one.
 * rules: the request schema's limits per field name (schema.requestFields).
 */
export default function openEditor({ service, spec, rules, base, event, tracks }, item, onSaved) {
  const fields = Object.fromEntries(spec.fields.map((f) => [
    f.name, field(f.label, control(f, rules[f.name], item?.[f.name], { event, tracks }), { name: f.name }),
  ]));
  const problem = errorBox('editor-error');
  const save = h('button', { type: 'submit', class: 'primary', dataset: { action: 'save' } }, 'Save');
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const form = h('form', { novalidate: true, dataset: { form: `${service}-editor` } }, Object.values(fields).map((f) => f.wrap), problem);
  save.setAttribute('form', form.id = `${service}-editor-form`);
  const dialog = modal({ title: item ? `Edit ${spec.singular}` : `Add ${spec.singular}`, body: form, actions: [cancel, save], hook: 'editor' });
  cancel.addEventListener('click', () => dialog.close());
  Object.values(fields)[0].input.focus();
  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    const payload = payloadOf(spec, formValues(form), event);
    save.disabled = true;
    try {
      if (item) await api.patch(`${base}/${encodeURIComponent(item.id)}`, payload);
      else await api.post(base, payload);
      dialog.close();
      await onSaved();
    } catch (error) {
      let placed = false;
      for (const [name, message] of Object.entries(error.details || {})) {
        if (fields[name]) {
          showFieldError(fields[name], message);
          placed = true;
        }
      }
      problem.show(placed ? 'Please correct the marked fields.' : error.message);
    } finally {
      save.disabled = false;
    }
  });
}
