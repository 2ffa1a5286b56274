// Boot: configuration, the header (navigation, notifications bell), the notifications socket, the router.

import * as api from './api.js';
import { clear, h, toast } from './dom.js';
import { currentPath, navigate, render, startRouter } from './router.js';
import { store } from './store.js';
import { LiveSocket } from './ws.js';

let socket = null;

function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

function bell() {
  const count = h('span', { class: 'count', dataset: { unreadCount: '' }, 'aria-hidden': 'true' });
  const link = h('a', { href: '#/notifications', class: 'bell button', dataset: { bell: '' } }, bellIcon(), count);
  const update = () => {
    count.textContent = String(store.unread);
    count.dataset.zero = String(store.unread === 0);
    link.setAttribute('aria-label', `Notifications, ${store.unread} unread`);
  };
  update();
  store.addEventListener('unread', update);
  return link;
}

function renderHeader() {
  const nav = clear(document.querySelector('[data-site-nav]'));
  nav.append(h('a', { href: '#/public/events', dataset: { nav: 'public' } }, 'Events'));
  if (!store.token) {
    nav.append(
      h('a', { href: '#/signin', dataset: { nav: 'signin' } }, 'Sign in'),
      h('a', { href: '#/signup', class: 'button primary', dataset: { nav: 'signup' } }, 'Sign up'),
    );
    return;
  }
  nav.append(h('a', { href: '#/', dataset: { nav: 'dashboard' } }, 'My events'));
  nav.append(h('a', { href: '#/orders', dataset: { nav: 'orders' } }, 'My orders'));
  if (store.isStaff) nav.append(h('a', { href: '#/admin/users', dataset: { nav: 'admin' } }, 'Admin'));
  nav.append(
    bell(),
    h('span', { class: 'muted', dataset: { currentUser: '' } }, store.user?.name || store.user?.email || ''),
    h('button', { type: 'button', dataset: { action: 'sign-out' }, onclick: () => signOut() }, 'Sign out'),
  );
}

async function signOut() {
  // The server revokes every token issued so far, so a copied token is useless after signing out,
  // and closes this tab's socket: stop it first, so its closing is not read as "signed out elsewhere".
  stopSocket();
  await api.post('/auth/logout', {}, { signOutOn401: false }).catch(() => null);
  store.signOut();
}

async function refreshProfile() {
  try {
    store.setUser(await api.get('/me'));
  } catch {
    // A 401 already signed the user out (api.js); anything else leaves the stored profile in place.
  }
}

function notificationsUrl() {
  if (!store.token || !store.config?.wsUrl) return null;
  return `${store.config.wsUrl}?token=${encodeURIComponent(store.token)}`;
}

function startSocket() {
  stopSocket();
  if (!store.token) return;
  socket = new LiveSocket(notificationsUrl);
  socket.addEventListener('message', (event) => {
    const message = event.detail || {};
    if (typeof message.notif_count === 'number') store.setUnread(message.notif_count);
    if (message.meta === 'New notifications') {
      store.emit('notifications', message.notifs || []);
      const newest = (message.notifs || [])[0];
      toast(newest?.title ? `New notification: ${newest.title}` : 'You have a new notification.');
    }
  });
  // After a reconnect, catch up on what was missed while offline.
  // A refused or dropped socket may mean the session ended (signed out elsewhere): /me tells.
  socket.addEventListener('close', () => refreshProfile());
  socket.addEventListener('open', () => {
    if (socket.reconnected) refreshProfile();
    socket.reconnected = true;
  });
  socket.start();
}

function stopSocket() {
  if (socket) socket.stop();
  socket = null;
}

function onSessionChange() {
  renderHeader();
  if (store.token) {
    startSocket();
    refreshProfile();
  } else {
    stopSocket();
    const { path } = currentPath();
    if (!['/signin', '/signup', '/verify-email', '/forgot-password', '/reset-password'].includes(path) && !path.startsWith('/public/') && !path.startsWith('/e/')) {
      navigate(`/signin?next=${encodeURIComponent(path)}`, { replace: true });
    } else {
      render();
    }
  }
}

async function boot() {
  try {
    await api.loadConfig();
  } catch (error) {
    clear(document.querySelector('[data-view]')).append(h('p', { class: 'error-box', role: 'alert' }, error.message));
    return;
  }
  store.addEventListener('session', onSessionChange);
  store.addEventListener('user', renderHeader);
  // Signing in or out in another tab applies here too.
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key === 'marquee.session') store.reloadSession();
  });
  renderHeader();
  startRouter();
  // The service worker keeps the shell and public pages usable offline (js/offline.js, sw.js).
  import('./offline.js').then((offline) => offline.registerWorker()).catch(() => null);
  if (store.token) {
    // A stored token may have expired: check it before opening the socket with it.
    await refreshProfile();
    if (store.token) startSocket();
  }
}

boot();
