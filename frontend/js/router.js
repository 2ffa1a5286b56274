// Hash-based router: "#/events/abc/edit/tickets" -> a view module loaded on demand, so a page only
// downloads the code it shows (the public event page stays small).

import { store } from './store.js';
import { clear, h } from './dom.js';
import { mayLeave, unsavedChanges } from './guard.js';

const ROUTES = [
  // Visitors (not signed in) see the landing page at #/; signed-in people their dashboard.
  { pattern: '/', view: 'dashboard', auth: true, visitorView: 'public' },
  { pattern: '/signin', view: 'auth', mode: 'signin' },
  { pattern: '/signup', view: 'auth', mode: 'signup' },
  { pattern: '/events/new', view: 'wizard', auth: true, step: 'details' },
  { pattern: '/events/:id/edit', view: 'wizard', auth: true, step: 'details' },
  { pattern: '/events/:id/edit/:step', view: 'wizard', auth: true },
  { pattern: '/events/:id/manage', view: 'manage', auth: true },
  { pattern: '/events/:id/manage/:tab', view: 'manage', auth: true },
  { pattern: '/notifications', view: 'notifications', auth: true },
  { pattern: '/orders', view: 'orders', auth: true, page: 'mine' },
  { pattern: '/orders/:id', view: 'orders', auth: true, page: 'order' },
  { pattern: '/orders/:id/tickets', view: 'ticket', auth: true, page: 'all' },
  { pattern: '/orders/:id/tickets/:attendee', view: 'ticket', auth: true, page: 'one' },
  { pattern: '/events/:id/orders', view: 'eventOrders', auth: true },
  { pattern: '/events/:id/scan', view: 'scanner', auth: true },
  { pattern: '/invites', view: 'invites', auth: true },
  { pattern: '/verify-email', view: 'verify' },
  { pattern: '/unsubscribe', view: 'unsubscribe' },
  { pattern: '/forgot-password', view: 'forgotPassword' },
  { pattern: '/reset-password', view: 'resetPassword' },
  { pattern: '/admin/permissions', view: 'admin', auth: true, tab: 'permissions' },
  { pattern: '/admin/users', view: 'admin', auth: true, tab: 'users' },
  { pattern: '/public/events', view: 'public', page: 'list' },
  { pattern: '/public/events/:id', view: 'site' },
  { pattern: '/e/:id', view: 'site' },
];

const LOADERS = {
  auth: () => import('./views/auth.js'),
  dashboard: () => import('./views/dashboard.js'),
  wizard: () => import('./views/wizard.js'),
  manage: () => import('./views/manage.js'),
  notifications: () => import('./views/notifications.js'),
  invites: () => import('./views/invites.js'),
  verify: () => import('./views/verify.js'),
  unsubscribe: () => import('./views/unsubscribe.js'),
  forgotPassword: () => import('./views/forgot-password.js'),
  resetPassword: () => import('./views/reset-password.js'),
  admin: () => import('./views/admin.js'),
  public: () => import('./views/public.js'),
  site: () => import('./views/site.js'),
  orders: () => import('./views/orders.js'),
  eventOrders: () => import('./views/event-orders.js'),
  ticket: () => import('./views/ticket.js'),
  scanner: () => import('./views/scanner.js'),
};

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:[a-z]+/g, (name) => {
    names.push(name.slice(1));
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}/?$`), names };
}

const COMPILED = ROUTES.map((route) => ({ ...route, ...compile(route.pattern) }));

export function currentPath() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  return { path: path || '/', query: new URLSearchParams(query) };
}

export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    render();
    return;
  }
  if (replace) {
    history.replaceState(null, '', target);
    render();
  } else {
    location.hash = target;
  }
}

function match(path) {
  for (const route of COMPILED) {
    const found = route.regex.exec(path);
    if (found) {
      const params = {};
      route.names.forEach((name, index) => { params[name] = decodeURIComponent(found[index + 1]); });
      return { route, params };
    }
  }
  return null;
}

let active = null;
let renderCount = 0;
// The route on screen: a hash change away from it with unsaved work is put back until the person
// chooses to leave.
let shown = location.hash;

export async function render() {
  const root = document.querySelector('[data-view]');
  shown = location.hash;
  const { path, query } = currentPath();
  const found = match(path);
  if (active) {
    active.controller.abort();
    active = null;
  }
  renderCount += 1;
  const ticket = renderCount;
  if (!found) {
    clear(root).append(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'Go to the start page')));
    return;
  }
  const { route, params } = found;
  const view = (!store.token && route.visitorView) || route.view;
  if (route.auth && !store.token && view === route.view) {
    // The query goes along: an e-mail's link (#/invites?invite=...&token=...) must survive signing in.
    const search = query.toString();
    navigate(`/signin?next=${encodeURIComponent(search ? `${path}?${search}` : path)}`, { replace: true });
    return;
  }
  const controller = new AbortController();
  active = { controller };
  let module;
  try {
    module = await LOADERS[view]();
  } catch {
    clear(root).append(h('p', { class: 'error-box', role: 'alert' }, 'This page failed to load; reload to try again.'));
    return;
  }
  if (ticket !== renderCount) return;
  clear(root);
  root.dataset.page = view;
  document.title = 'Marquee';
  try {
    await module.default({ root, params, query, route, signal: controller.signal, navigate });
  } catch (error) {
    if (error.name === 'AbortError' || controller.signal.aborted) return;
    clear(root).append(h('p', { class: 'error-box', role: 'alert', dataset: { pageError: '' } },
      error.message || 'Something went wrong.'));
  }
}

/** After a navigation: the new page's heading takes focus (quietly, no ring: it was not the
 * keyboard), unless the view put focus in a field of its own. */
function focusHeading() {
  const root = document.querySelector('[data-view]');
  if (!root || root.contains(document.activeElement)) return;
  const heading = root.querySelector('h1');
  if (!heading) return;
  if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

async function onHashChange() {
  if (location.hash === shown) return;
  if (unsavedChanges()) {
    const target = location.hash;
    history.replaceState(null, '', shown);
    if (!await mayLeave()) return;
    history.replaceState(null, '', target);
  }
  shown = location.hash;
  await render();
  focusHeading();
}

export function startRouter() {
  window.addEventListener('hashchange', onHashChange);
  render();
}
