// One service tab of event management (tracks, sessions, speakers, sponsors, rooms): the table, and
// the create / edit / delete controls the event's `allowed` grants (the server enforces it anyway).

import * as api from '../api.js';
import { confirmDialog, errorBox, h } from '../dom.js';
import { requestFields } from '../schema.js';
import { formatDateTime } from '../time.js';
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
  },
  session: {
    path: 'sessions', title: 'Sessions', singular: 'session',
    fields: [
      { name: 'title', label: 'Title' },
      { name: 'starts_at', label: 'Starts', type: 'datetime' },
      { name: 'track_id', label: 'Track', type: 'track' },
      { name: 'ends_at', label: 'Ends', type: 'datetime' },
      { name: 'subtitle', label: 'Subtitle' },
      { name: 'abstract', label: 'Abstract', type: 'textarea' },
    ],
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
      { name: 'room', label: 'Room' },
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
  const columns = spec.fields.filter((f) => f.type !== 'textarea').slice(0, 3);
  const showActions = allowed.update || allowed.delete;
  section.append(
    h('div', { class: 'actions' }, create),
    h('div', { class: 'table-wrap' }, h('table', { dataset: { serviceTable: service } },
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column.label)),
        showActions ? h('th', { scope: 'col' }, 'Actions') : null)),
      body)));
  const editor = { service, spec, base, event, tracks: [], rules: {} };

  async function load() {
    const items = await api.getAll(base);
    if (service === 'session' || service === 'track') {
      editor.tracks = service === 'track' ? items : await api.getAll(`/events/${event.id}/tracks`).catch(() => []);
    }
    body.replaceChildren(...items.map((item) => itemRow(item)));
    if (!items.length) body.append(h('tr', {}, h('td', { colspan: columns.length + 1, class: 'muted' }, `No ${spec.title.toLowerCase()} yet.`)));
  }

  function display(item, column) {
    const value = item[column.name];
    if (column.type === 'datetime') return formatDateTime(value, event.timezone);
    if (column.type === 'track') return editor.tracks.find((track) => track.id === value)?.name || '';
    return value === null || value === undefined ? '' : String(value);
  }

  function itemRow(item) {
    const label = item.name || item.title || spec.singular;
    const edit = allowed.update ? h('button', { type: 'button', dataset: { action: 'edit' }, 'aria-label': `Edit ${label}` }, 'Edit') : null;
    const remove = allowed.delete ? h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' }, 'aria-label': `Delete ${label}` }, 'Delete') : null;
    edit?.addEventListener('click', () => openEditor(editor, item, load));
    remove?.addEventListener('click', async () => {
      if (!await confirmDialog(`Delete “${label}”?`)) return;
      try {
        await api.del(`${base}/${encodeURIComponent(item.id)}`);
        await load();
      } catch (error) {
        failure.show(error.message);
      }
    });
    return h('tr', { dataset: { itemId: item.id } },
      columns.map((column) => h('td', {}, display(item, column))),
      showActions ? h('td', {}, h('div', { class: 'actions' }, edit, remove)) : null);
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
