// Event management: people (roles, invites) and the services tables. Each create / edit / delete control
// appears only when the permission matrix grants it to my role here (the server enforces it anyway).

import * as api from '../api.js';
import { confirmDialog, errorBox, field, formValues, h, modal, showFieldError } from '../dom.js';
import { EDITOR_ROLES, EVENT_ROLES, OWNER_ROLES, roleLabel } from '../roles.js';
import { store } from '../store.js';
import { formatDateTime, isoToWall, wallToIso } from '../time.js';

// Matrix service name -> API collection and the fields a user edits.
export const SERVICES = {
  track: {
    path: 'tracks', title: 'Tracks', singular: 'track',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'location', label: 'Location' },
      { name: 'color', label: 'Colour', type: 'color', default: '#5b2bd6' },
      { name: 'description', label: 'Description', type: 'textarea' },
    ],
  },
  session: {
    path: 'sessions', title: 'Sessions', singular: 'session',
    fields: [
      { name: 'title', label: 'Title', required: true },
      { name: 'starts_at', label: 'Starts', type: 'datetime', required: true },
      { name: 'track_id', label: 'Track', type: 'track' },
      { name: 'ends_at', label: 'Ends', type: 'datetime', required: true },
      { name: 'subtitle', label: 'Subtitle' },
      { name: 'abstract', label: 'Abstract', type: 'textarea' },
    ],
  },
  speaker: {
    path: 'speakers', title: 'Speakers', singular: 'speaker',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'email', label: 'E-mail', type: 'email' },
      { name: 'organisation', label: 'Organisation' },
      { name: 'bio', label: 'Biography', type: 'textarea' },
    ],
  },
  sponsor: {
    path: 'sponsors', title: 'Sponsors', singular: 'sponsor',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'level', label: 'Level' },
      { name: 'url', label: 'Website', type: 'url' },
    ],
  },
  microlocation: {
    path: 'microlocations', title: 'Rooms', singular: 'room',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'room', label: 'Room' },
      { name: 'floor', label: 'Floor', type: 'number' },
    ],
  },
};
const OPERATIONS = ['create', 'read', 'update', 'delete'];

export default async function render(ctx) {
  const { root, params } = ctx;
  const [event, myEvents, permissions] = await Promise.all([
    api.get(`/events/${params.id}`),
    api.get('/me/events'),
    api.get('/permissions').catch(() => null),
  ]);
  const role = myEvents.find((item) => item.id === event.id)?.role || null;
  const tab = params.tab || (store.isStaff || OWNER_ROLES.includes(role) ? 'people' : 'tracks');
  const can = (service, operation) => store.isStaff
    || Boolean(role && permissions?.matrix?.[role]?.[service]?.[operation]);
  document.title = `Manage ${event.name} · Marquee`;
  const tabs = [['people', 'People'], ...Object.values(SERVICES).map((spec) => [spec.path, spec.title])];
  root.append(
    h('h1', {}, event.name),
    h('p', { class: 'muted' }, 'Your role: ', h('strong', { dataset: { myRole: role || 'staff' } }, roleLabel(role)),
      store.isStaff || EDITOR_ROLES.includes(role) ? [' · ', h('a', { href: `#/events/${event.id}/edit` }, 'Wizard')] : null,
      store.isStaff || EDITOR_ROLES.includes(role)
        ? [' · ', h('a', { href: `#/events/${event.id}/orders`, dataset: { ordersLink: '' } }, 'Orders')] : null,
      event.state === 'published' ? [' · ', h('a', { href: `#/public/events/${event.id}` }, 'Public page')] : null),
    h('nav', { class: 'tabs', 'aria-label': 'Event management' }, tabs.map(([name, label]) => h('a', {
      class: 'button', href: `#/events/${event.id}/manage/${name}`, 'aria-selected': String(name === tab),
      'aria-current': name === tab ? 'page' : null, dataset: { tab: name },
    }, label))),
  );
  const section = h('section', { dataset: { manageTab: tab } });
  root.append(section);
  if (tab === 'people') return renderPeople(section, event, role);
  const service = Object.keys(SERVICES).find((name) => SERVICES[name].path === tab);
  if (!service) throw new Error('No such tab.');
  if (!permissions && !store.isStaff) {
    section.append(h('p', { class: 'error-box', role: 'alert' }, 'Permissions could not be loaded; reload to try again.'));
    return undefined;
  }
  return renderService(section, event, service, Object.fromEntries(OPERATIONS.map((op) => [op, can(service, op)])));
}

async function renderPeople(section, event, role) {
  const owner = store.isStaff || OWNER_ROLES.includes(role);
  const failure = errorBox('people-error');
  if (!owner) {
    section.append(h('h2', {}, 'People'), h('p', { class: 'muted', dataset: { noAccess: '' } },
      'Only the event\'s organizers manage its team.'));
    return;
  }
  const body = h('tbody');
  section.append(h('h2', {}, 'People'), failure,
    h('div', { class: 'table-wrap' }, h('table', { dataset: { roles: '' } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'E-mail'),
        h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Actions'))),
      body)));
  async function load() {
    const roles = await api.get(`/events/${event.id}/roles`);
    body.replaceChildren(...roles.map((entry) => {
      const remove = h('button', { type: 'button', class: 'danger', dataset: { action: 'remove-role' },
        'aria-label': `Remove ${entry.user.name || entry.user.email}` }, 'Remove');
      remove.addEventListener('click', async () => {
        if (!await confirmDialog(`Remove ${entry.user.email} from this event?`, { confirmLabel: 'Remove' })) return;
        try {
          await api.del(`/events/${event.id}/roles/${encodeURIComponent(entry.user.id)}`);
          await load();
        } catch (error) {
          failure.show(api.describeError(error));
        }
      });
      return h('tr', { dataset: { memberEmail: entry.user.email, memberRole: entry.role } },
        h('td', {}, entry.user.name || ''), h('td', {}, entry.user.email), h('td', {}, roleLabel(entry.role)),
        h('td', {}, remove));
    }));
  }
  await load();
  const pendingList = h('ul', { dataset: { pendingInvites: '' } });
  section.append(h('h3', {}, 'Pending invitations'), pendingList);
  async function loadPending() {
    const invites = (await api.get(`/events/${event.id}/invites`).catch(() => []))
      .filter((invite) => invite.status === 'pending');
    pendingList.replaceChildren(...invites.map((invite) => h('li', { dataset: { inviteEmail: invite.email } },
      `${invite.email} — ${roleLabel(invite.role)}`)));
    if (!invites.length) pendingList.append(h('li', { class: 'muted' }, 'None.'));
  }
  await loadPending();
  const email = field('E-mail', h('input', { type: 'email', required: true, autocomplete: 'off' }), { name: 'email' });
  const roleField = field('Role', h('select', {}, EVENT_ROLES.map((name) => h('option', { value: name, selected: name === 'coorganizer' }, roleLabel(name)))), { name: 'role' });
  const sent = h('p', { class: 'notice', role: 'status', hidden: true, dataset: { inviteSent: '' } });
  const inviteFailure = errorBox('invite-error');
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { action: 'send-invite' } }, 'Send invitation');
  const form = h('form', { novalidate: true, dataset: { form: 'invite' } },
    h('h2', {}, 'Invite someone'), h('div', { class: 'field-row' }, email.wrap, roleField.wrap),
    inviteFailure, sent, h('div', { class: 'actions' }, submit));
  section.append(form);
  form.addEventListener('submit', async (submitEvent) => {
    submitEvent.preventDefault();
    showFieldError(email, '');
    inviteFailure.show('');
    sent.hidden = true;
    const values = formValues(form);
    submit.disabled = true;
    try {
      const invite = await api.post(`/events/${event.id}/invites`, { email: values.email.trim(), role: values.role });
      sent.textContent = `Invitation sent to ${invite.email} as ${roleLabel(invite.role)}.`;
      sent.hidden = false;
      form.reset();
      await loadPending();
    } catch (error) {
      if (error.details?.email) showFieldError(email, error.details.email);
      inviteFailure.show(error.message);
    } finally {
      submit.disabled = false;
    }
  });
}

async function renderService(section, event, service, allowed) {
  const spec = SERVICES[service];
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
  let tracks = [];

  async function load() {
    const items = await api.getAll(base);
    if (service === 'session' || service === 'track') tracks = service === 'track' ? items : await api.getAll(`/events/${event.id}/tracks`).catch(() => []);
    body.replaceChildren(...items.map((item) => itemRow(item)));
    if (!items.length) body.append(h('tr', {}, h('td', { colspan: columns.length + 1, class: 'muted' }, `No ${spec.title.toLowerCase()} yet.`)));
  }

  function display(item, column) {
    const value = item[column.name];
    if (column.type === 'datetime') return formatDateTime(value, event.timezone);
    if (column.type === 'track') return tracks.find((track) => track.id === value)?.name || '';
    return value === null || value === undefined ? '' : String(value);
  }

  function itemRow(item) {
    const label = item.name || item.title || spec.singular;
    const edit = allowed.update ? h('button', { type: 'button', dataset: { action: 'edit' }, 'aria-label': `Edit ${label}` }, 'Edit') : null;
    const remove = allowed.delete ? h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' }, 'aria-label': `Delete ${label}` }, 'Delete') : null;
    edit?.addEventListener('click', () => openEditor(item));
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

  function control(fieldSpec, value) {
    if (fieldSpec.type === 'textarea') return h('textarea', { rows: 3, value: value || '' });
    if (fieldSpec.type === 'datetime') return h('input', { type: 'datetime-local', value: isoToWall(value, event.timezone) });
    if (fieldSpec.type === 'track') {
      return h('select', {}, h('option', { value: '' }, '(none)'),
        tracks.map((track) => h('option', { value: track.id, selected: track.id === value }, track.name)));
    }
    return h('input', { type: fieldSpec.type || 'text', required: fieldSpec.required, value: value ?? fieldSpec.default ?? '' });
  }

  function openEditor(item) {
    const fields = Object.fromEntries(spec.fields.map((f) => [f.name, field(f.label, control(f, item?.[f.name]), { name: f.name })]));
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
      const values = formValues(form);
      const payload = {};
      for (const f of spec.fields) {
        let value = values[f.name];
        if (f.type === 'datetime') value = wallToIso(value, event.timezone);
        else if (f.type === 'number') value = value === '' ? null : Number(value);
        else if (f.type === 'track') value = value || null;
        payload[f.name] = value;
      }
      save.disabled = true;
      try {
        if (item) await api.patch(`${base}/${encodeURIComponent(item.id)}`, payload);
        else await api.post(base, payload);
        dialog.close();
        await load();
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

  create?.addEventListener('click', () => openEditor(null));
  // The editor's track choices come with the first load: until then there is nothing to pick from.
  if (create) create.disabled = true;
  await load();
  if (create) create.disabled = false;
}
