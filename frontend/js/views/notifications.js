// Notifications (plain-text titles and messages): newest first with relative times, mark one / all read; new ones arrive over the socket.

import * as api from '../api.js';
import { errorBox, h } from '../dom.js';
import { store } from '../store.js';
import { relativeTime } from '../time.js';

// What the link of a notification opens, by its action.
const LINK_LABELS = {
  invite_accepted: 'See the team',
  order_completed: 'See the orders',
  order_refunded: 'See the orders',
  payment_issue: 'See the orders',
  payment_refunded: 'See the order',
};

export default async function render({ root, signal, navigate }) {
  document.title = 'Notifications · Marquee';
  const failure = errorBox('notifications-error');
  const list = h('ul', { class: 'notifications', dataset: { notifications: '' } });
  const empty = h('p', { class: 'muted', dataset: { noNotifications: '' } }, 'No notifications.');
  const markAll = h('button', { type: 'button', dataset: { action: 'mark-all-read' } }, 'Mark all as read');
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Notifications'), markAll),
    failure, list, empty,
  );
  const items = new Map();
  const times = [];

  function row(notification) {
    const time = h('time', { datetime: notification.received_at });
    times.push(time);
    const readButton = h('button', { type: 'button', class: 'link', dataset: { action: 'mark-read' } }, 'Mark as read');
    const node = h('li', {
      class: `notification ${notification.has_read ? '' : 'unread'}`,
      dataset: { notificationId: notification.id, action: notification.action || '', read: String(Boolean(notification.has_read)) },
    },
    h('div', { class: 'body' },
      h('strong', {}, notification.title || 'Notification'),
      h('p', {}, notification.message || '')),
    time,
    notification.action === 'role_invite'
      ? h('button', { type: 'button', class: 'primary', dataset: { action: 'open-invite' } }, 'Open invitation')
      : null,
    notification.action !== 'role_invite' && notification.link?.startsWith('/')
      ? h('a', { class: 'button', href: `#${notification.link}`, dataset: { action: 'open-link' } }, LINK_LABELS[notification.action] || 'Open')
      : null,
    notification.has_read ? null : readButton);
    const markRead = async () => {
      if (node.dataset.read === 'true') return;
      await api.post(`/notifications/${encodeURIComponent(notification.id)}/read`, {});
      node.dataset.read = 'true';
      node.classList.remove('unread');
      readButton.remove();
      refreshCount();
    };
    readButton.addEventListener('click', () => markRead().catch((error) => failure.show(api.describeError(error))));
    node.querySelector('[data-action="open-invite"]')?.addEventListener('click', async () => {
      await markRead().catch(() => null);
      navigate(notification.link || '/invites');
    });
    node.querySelector('[data-action="open-link"]')?.addEventListener('click', () => { markRead().catch(() => null); });
    return node;
  }

  function add(notifications, { atTop = false } = {}) {
    const nodes = [];
    for (const notification of notifications) {
      if (!notification?.id || items.has(notification.id)) continue;
      const node = row(notification);
      items.set(notification.id, node);
      nodes.push(node);
    }
    if (atTop) list.prepend(...nodes);
    else list.append(...nodes);
    empty.hidden = items.size > 0;
    tick();
  }

  function tick() {
    for (const time of times) time.textContent = relativeTime(time.getAttribute('datetime'));
  }

  async function refreshCount() {
    try {
      store.setUnread((await api.get('/notifications/unread-count')).count);
    } catch {
      // The bell keeps its last count; the socket corrects it on the next notification.
    }
  }

  markAll.addEventListener('click', async () => {
    markAll.disabled = true;
    try {
      await api.post('/notifications/read-all', {});
      for (const node of items.values()) {
        node.dataset.read = 'true';
        node.classList.remove('unread');
        node.querySelector('[data-action="mark-read"]')?.remove();
      }
      store.setUnread(0);
    } catch (error) {
      failure.show(api.describeError(error));
    } finally {
      markAll.disabled = false;
    }
  });

  add(await api.getAll('/notifications', 5));
  const onLive = (event) => add(event.detail || [], { atTop: true });
  store.addEventListener('notifications', onLive);
  const timer = setInterval(tick, 30000);
  signal.addEventListener('abort', () => {
    store.removeEventListener('notifications', onLive);
    clearInterval(timer);
  });
}
