// Application state shared by the views: the session, the signed-in user, the unread count.
// Views listen for 'session', 'user' and 'unread' events instead of polling.

const SESSION_KEY = 'marquee.session';
const MESSAGE_KEY = 'marquee.signin-message';

class AppStore extends EventTarget {
  constructor() {
    super();
    this.config = null;
    this.unread = 0;
    this.session = readSession();
  }

  get token() {
    return this.session?.token || null;
  }

  get user() {
    return this.session?.user || null;
  }

  get isStaff() {
    return Boolean(this.user && (this.user.is_admin || this.user.is_super_admin));
  }

  signIn({ token, user }) {
    this.session = { token, user };
    localStorage.setItem(SESSION_KEY, JSON.stringify(this.session));
    sessionStorage.removeItem(MESSAGE_KEY);
    this.emit('session');
  }

  setUser(user) {
    if (!this.session) return;
    const { unread_notifications: unread, ...profile } = user;
    this.session = { ...this.session, user: { ...this.session.user, ...profile } };
    localStorage.setItem(SESSION_KEY, JSON.stringify(this.session));
    this.emit('user');
    if (typeof unread === 'number') this.setUnread(unread);
  }

  reloadSession() {
    const session = readSession();
    if (session?.token === this.session?.token) return;
    this.session = session;
    this.unread = 0;
    this.emit('session');
  }

  /** Sign out; `message` (e.g. "your session expired") is shown on the sign-in page, also after a reload. */
  signOut(message = '') {
    const hadSession = Boolean(this.session);
    this.session = null;
    this.unread = 0;
    localStorage.removeItem(SESSION_KEY);
    if (message) sessionStorage.setItem(MESSAGE_KEY, message);
    if (hadSession) this.emit('session');
  }

  /** Why the user was sent to sign in (kept across reloads until the next sign-in). */
  get signInMessage() {
    return sessionStorage.getItem(MESSAGE_KEY) || '';
  }

  setUnread(count) {
    const value = Math.max(0, Number(count) || 0);
    if (value === this.unread) return;
    this.unread = value;
    this.emit('unread');
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function readSession() {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    return value && typeof value.token === 'string' ? value : null;
  } catch {
    return null;
  }
}

export const store = new AppStore();
