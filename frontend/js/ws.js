// A WebSocket that reconnects with exponential backoff (1 s doubling to 30 s, with jitter) until stopped.
// Each JSON message is re-dispatched as a 'message' event whose detail is the parsed object.

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

export class LiveSocket extends EventTarget {
  /** `urlProvider()` returns the URL to (re)connect to, or null to stay disconnected. */
  constructor(urlProvider) {
    super();
    this.urlProvider = urlProvider;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    if (!this.socket && !this.timer) this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, 'client done');
    }
  }

  get connected() {
    return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN);
  }

  connect() {
    this.timer = null;
    const url = this.urlProvider();
    if (!url || this.stopped) return;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.dispatchEvent(new Event('open'));
    });
    socket.addEventListener('message', (event) => {
      let detail;
      try {
        detail = JSON.parse(event.data);
      } catch {
        return;
      }
      this.dispatchEvent(new CustomEvent('message', { detail }));
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dispatchEvent(new Event('close'));
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped || this.timer) return;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
