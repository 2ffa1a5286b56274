// The service worker (sw.js) from the page's side: registering it, handing it what this page loaded
// before it took control (so the next visit works offline), and reading its offline marker.

const WARM_TIMEOUT_MS = 10000;

function loadedUrls() {
  const entries = performance.getEntriesByType('resource').map((entry) => entry.name);
  return [location.href.split('#')[0], ...new Set(entries)].filter((url) => /^https?:/.test(url));
}

function supported() {
  return 'serviceWorker' in navigator && window.isSecureContext;
}

/** Hands the running worker every URL this page has loaded and the `files` it will need later, and
 * `copies` ([{url, body, etag}]) of public answers it holds already; resolves true once the worker
 * stored them. */
export async function keepForOffline(copies = [], files = []) {
  if (!supported()) return false;
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return false;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), WARM_TIMEOUT_MS);
    channel.port1.onmessage = () => { clearTimeout(timer); resolve(true); };
    worker.postMessage({ type: 'warm', urls: [...loadedUrls(), ...files], copies }, [channel.port2]);
  });
}

/** Resolves once a worker controls this page: from then on it sees every request itself. A list of
 * what was loaded (performance entries) taken before that misses the modules still on their way,
 * which the worker never sees either, and the page then fails to load offline. */
function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
}

/** Registers sw.js at the site's root and hands it what was loaded so far (`<html data-offline-ready>`
 * once stored). Without support (or on plain http to another host than localhost) nothing happens. */
export async function registerWorker() {
  if (!supported()) return false;
  try {
    await navigator.serviceWorker.register('sw.js', { scope: './' });
    await controlled();
    const kept = await keepForOffline();
    if (kept) document.documentElement.dataset.offlineReady = 'true';
    return kept;
  } catch {
    return false;
  }
}

/** The time the served copy was last confirmed, when the worker served it because the network
 * failed (its X-Offline-Copy header); null for a fresh answer. */
export function offlineCopyOf(headers) {
  const value = headers?.get?.('X-Offline-Copy');
  return value ? new Date(value) : null;
}
