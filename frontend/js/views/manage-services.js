// One service tab of event management (tracks, sessions, speakers, sponsors, rooms): the table, and
// the create / edit / delete controls the event's `allowed` grants (the server enforces it anyway).

import * as api from '../api.js';
import { confirmDialog, errorBox, h } from '../dom.js';
import { requestFields } from '../schema.js';
import { formatDateTimeWithZone } from '../time.js';
import openEditor from './manage-editor.js';

// Service name (as in `allowed`) -> API collection and the fields a user edits: labels and widgets
// only; what each field accepts comes from the API's request schema.
export const SERVICES = {
  track: {
    path: 'tracks', title: 'Tracks', singular: 'track',
    fields: [
      { name: 'name', label: 'Name' },
      { name: 'location', label: 'Location' },
      { name: 'color', label: 'Colour', type: 'color', default: '#5b2bd6' },
      { name: 'description', label: 'Description', type: 'textarea' },
    ],
    columns: ['name', 'color', 'location'],
  },
  session: {
    path: 'sessions', title: 'Sessions', singular: 'session',
    fields: [
      { name: 'title', label: 'Title' },
      { name: 'starts_at', label: 'Starts', type: 'datetime' },
      { name: 'ends_at', label: 'Ends', type: 'datetime' },
      { name: 'track_id', label: 'Track', type: 'choice', of: 'track' },
      { name: 'microlocation_id', label: 'Room', type: 'choice', of: 'microlocation' },
      { name: 'speaker_ids', label: 'Speakers', type: 'choices', of: 'speaker' },
      { name: 'subtitle', label: 'Subtitle' },
      { name: 'abstract', label: 'Abstract', type: 'textarea' },
    ],
    columns: ['title', 'starts_at', 'ends_at', 'track_id', 'microlocation_id', 'speaker_ids'],
  },
  speaker: {
    path: 'speakers', title: 'Speakers', singular: 'speaker',
    fields: [
      { name: 'name', label: 'Name' },
      { name: 'email', label: 'E-mail', type: 'email' },
      { name: 'organisation', label: 'Organisation' },
      { name: 'bio', label: 'Biography', type: 'textarea' },
    ],
  },
  sponsor: {
    path: 'sponsors', title: 'Sponsors', singular: 'sponsor',
    fields: [
      { name: 'name', label: 'Name' },
      { name: 'level', label: 'Level' },
      { name: 'url', label: 'Website', type: 'url' },
    ],
  },
  microlocation: {
    path: 'microlocations', title: 'Rooms', singular: 'room',
    fields: [
      { name: 'name', label: 'Name' },
      { name: 'room', label: 'Room number' },
      { name: 'floor', label: 'Floor', type: 'number' },
    ],
  },
};

export default async function renderService(section, event, service) {
  const spec = SERVICES[service];
  const allowed = event.allowed[service];
  const base = `/events/${event.id}/${spec.path}`;
  const failure = errorBox('service-error');
  section.append(h('h2', {}, spec.title), failure);
  if (!allowed.read) {
    section.append(h('p', { class: 'muted', dataset: { noAccess: '' } }, `Your role cannot see the ${spec.title.toLowerCase()} of this event.`));
    return;
  }
  const create = allowed.create
    ? h('button', { type: 'button', class: 'primary', dataset: { action: 'create' } }, `Add ${spec.singular}`)
    : null;
  const body = h('tbody');
  const columns = (spec.columns || spec.fields.filter((f) => f.type !== 'textarea').slice(0, 3).map((f) => f.name))
    .map((name) => spec.fields.find((f) => f.name === name));
  const showActions = allowed.update || allowed.delete;
  section.append(
    h('div', { class: 'actions' }, create),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { serviceTable: service } },
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column.label)),
        showActions ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')) : null)),
      body)));
  // The items a session refers to (tracks, rooms, speakers), by service, for its editor and table.
  const editor = { service, spec, base, event, choices: {}, rules: {} };
  const referenced = [...new Set(spec.fields.map((f) => f.of).filter(Boolean))];

  async function load() {
    const [items, ...lists] = await Promise.all([api.getAll(base),
      ...referenced.map((name) => api.getAll(`/events/${event.id}/${SERVICES[name].path}`).catch(() => []))]);
    referenced.forEach((name, index) => { editor.choices[name] = lists[index]; });
    body.replaceChildren(...items.map((item) => itemRow(item)));
    if (!items.length) body.append(h('tr', {}, h('td', { colspan: columns.length + 1, class: 'muted' }, `No ${spec.title.toLowerCase()} yet.`)));
  }

  const nameOf = (kind, id) => editor.choices[kind]?.find((choice) => choice.id === id)?.name || '';

  function display(item, column) {
    const value = item[column.name];
    if (column.type === 'datetime') return formatDateTimeWithZone(value, event.timezone);
    if (column.type === 'choice') return nameOf(column.of, value);
    if (column.type === 'choices') return (value || []).map((id) => nameOf(column.of, id)).filter(Boolean).join(', ');
    if (column.type === 'color' && value) {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = value;
      return h('span', { class: 'colour', title: value }, swatch, h('span', { class: 'visually-hidden' }, `Colour ${value}`));
    }
    return value === null || value === undefined ? '' : String(value);
  }

  function itemRow(item) {
    const label = item.name || item.title || spec.singular;
    const edit = allowed.update ? h('button', { type: 'button', dataset: { action: 'edit' }, 'aria-label': `Edit ${label}` }, 'Edit') : null;
    const remove = allowed.delete ? h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' }, 'aria-label': `Delete ${label}` }, 'Delete') : null;
    edit?.addEventListener('click', () => openEditor(editor, item, load));
    remove?.addEventListener('click', async () => {
      if (!await confirmDialog(`Delete “${label}”?`)) return;
      failure.show('');
      try {
        await deleteItem(item, label);
        await load();
      } catch (error) {
        failure.show(api.describeError(error));
      }
    });
    return h('tr', { dataset: { itemId: item.id } },
      columns.map((column, index) => h('td', { dataset: index ? { label: column.label } : { primary: '' } }, display(item, column))),
      showActions ? h('td', { class: 'row-actions' }, h('div', { class: 'actions' }, edit, remove)) : null);
  }

  /** Delete; when sessions use the item, say how many and offer to unlink them (?force=true). */
  async function deleteItem(item, label) {
    const path = `${base}/${encodeURIComponent(item.id)}`;
    try {
      await api.del(path);
    } catch (error) {
      if (error.code !== 'in_use') throw error;
      const count = error.details?.sessions?.length || 0;
      const sessions = count === 1 ? '1 session uses' : `${count} sessions use`;
      const unlink = await confirmDialog(
        `${sessions} “${label}”. Delete it anyway? The sessions stay in the program, without a ${spec.singular}.`,
        { title: `“${label}” is in use`, confirmLabel: `Unlink and delete`, hook: 'unlink' });
      if (unlink) await api.del(`${path}?force=true`);
    }
  }

  create?.addEventListener('click', () => openEditor(editor, null, load));
  // The editor's track choices and field limits come with the first load: until then, no editor.
  if (create) create.disabled = true;
  const [rules] = await Promise.all([
    allowed.create || allowed.update ? requestFields('post', `/events/{event_id}/${spec.path}`) : {},
    load(),
  ]);
  editor.rules = rules;
  if (create) create.disabled = false;
}
