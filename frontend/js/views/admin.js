// Super admin: the permission matrix (a checkbox grid saved with If-Match; a conflict asks to reload)
// and the users list with the admin toggle.

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';
import { roleLabel, serviceLabel } from '../roles.js';
import { store } from '../store.js';
import { organizerStyles } from './event-nav.js';

const OPERATIONS = ['create', 'read', 'update', 'delete'];
const OPERATION_LABELS = { create: 'Add', read: 'View', update: 'Edit', delete: 'Delete' };

export default async function render({ root, route, navigate }) {
  if (!store.isStaff) {
    root.append(h('h1', {}, 'Admin'), h('p', { class: 'error-box', role: 'alert' }, 'Only platform staff can open this page.'));
    return undefined;
  }
  document.title = 'Admin · Marquee';
  await organizerStyles();
  root.append(h('h1', {}, 'Admin'), h('nav', { class: 'tabs', 'aria-label': 'Admin' },
    [['users', 'Users'], ['permissions', 'Permissions']].map(([name, label]) => h('a', {
      class: 'button', href: `#/admin/${name}`, 'aria-selected': String(route.tab === name),
      'aria-current': route.tab === name ? 'page' : null, dataset: { tab: name },
    }, label))));
  const section = h('section');
  root.append(section);
  return route.tab === 'users' ? renderUsers(section) : renderMatrix(section, navigate);
}

async function renderMatrix(section, navigate) {
  const editable = Boolean(store.user?.is_super_admin);
  const { data } = await api.request('GET', '/permissions', { withResponse: true });
  const failure = errorBox('matrix-error');
  const status = h('p', { role: 'status', class: 'muted', dataset: { matrixStatus: '' } });
  const boxes = [];
  const tables = data.roles.map((role) => h('div', { class: 'table-wrap card' },
    h('table', { class: 'matrix-table', dataset: { matrixRole: role } },
      h('caption', {}, h('h2', {}, roleLabel(role))),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'What'), OPERATIONS.map((op) => h('th', { scope: 'col' }, OPERATION_LABELS[op])))),
      h('tbody', {}, data.services.map((service) => h('tr', {},
        h('th', { scope: 'row' }, serviceLabel(service)),
        OPERATIONS.map((op) => {
          const box = h('input', {
            type: 'checkbox', checked: Boolean(data.matrix?.[role]?.[service]?.[op]), disabled: !editable,
            'aria-label': `${roleLabel(role)}: ${OPERATION_LABELS[op]} ${serviceLabel(service)}`,
            dataset: { cell: `${role}.${service}.${op}` },
          });
          boxes.push({ role, service, op, box });
          return h('td', {}, box);
        })))))));
  const save = editable ? h('button', { type: 'button', class: 'primary', dataset: { action: 'save-matrix' } }, 'Save permissions') : null;
  const reload = h('button', { type: 'button', hidden: true, dataset: { action: 'reload' }, onclick: () => navigate('/admin/permissions', { replace: true }) }, 'Reload');
  section.append(h('h2', {}, 'Permission matrix'),
    h('p', { class: 'hint' }, editable ? 'What each event role may do in an event.' : 'Only a super admin can change the matrix.',
      ' Attendees: View is the check-in list and its counts, Edit is scanning tickets at the door.'),
    ...tables, failure, status, h('div', { class: 'actions' }, save, reload));
  save?.addEventListener('click', async () => {
    failure.show('');
    status.textContent = '';
    const matrix = {};
    for (const { role, service, op, box } of boxes) {
      matrix[role] ??= {};
      matrix[role][service] ??= {};
      matrix[role][service][op] = box.checked;
    }
    save.disabled = true;
    try {
      await api.put('/permissions', { roles: data.roles, services: data.services, matrix }, { ifMatch: true });
      await api.get('/permissions');
      status.textContent = 'Permissions saved.';
    } catch (error) {
      if (error.status === 412) {
        failure.show('Someone else changed the permissions meanwhile. Reload to see the current matrix, then make your change again.');
        reload.hidden = false;
      } else {
        failure.show(api.describeError(error));
      }
    } finally {
      save.disabled = false;
    }
  });
}

async function renderUsers(section) {
  const editable = Boolean(store.user?.is_super_admin);
  const failure = errorBox('users-error');
  const users = await api.getAll('/admin/users');
  section.append(h('h2', {}, 'Users'), failure, h('div', { class: 'table-wrap' }, h('table', { class: 'stack-table', dataset: { users: '' } },
    h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Admin', 'Super admin'].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, users.map((user) => {
      const toggle = h('input', {
        type: 'checkbox', checked: Boolean(user.is_admin), disabled: !editable || user.id === store.user?.id,
        'aria-label': `${user.email} is an admin`, dataset: { action: 'toggle-admin' },
      });
      toggle.addEventListener('change', async () => {
        failure.show('');
        toggle.disabled = true;
        try {
          const updated = await api.patch(`/admin/users/${encodeURIComponent(user.id)}`, { is_admin: toggle.checked });
          toggle.checked = Boolean(updated?.is_admin ?? toggle.checked);
        } catch (error) {
          toggle.checked = !toggle.checked;
          failure.show(api.describeError(error));
        } finally {
          toggle.disabled = false;
        }
      });
      return h('tr', { dataset: { userEmail: user.email } },
        h('td', { dataset: { primary: '' } }, user.name || user.email), h('td', { dataset: { label: 'E-mail' } }, user.email),
        h('td', { dataset: { label: 'Admin' } }, toggle),
        h('td', { dataset: { label: 'Super admin' } }, user.is_super_admin ? 'Yes' : 'No'));
    })))));
}
