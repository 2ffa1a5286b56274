// The service worker: the app shell and the public events' data stay usable on a bad network or
// none at all. Registered by js/offline.js at the site's root (its own scope).
//
// - Shell (same-origin files: index.html, css, js, icons): served from the cache at once; a copy
//   older than five minutes (the deployed site's own Cache-Control) is refreshed in the background
//   through the HTTP cache, so the request on the wire is a conditional one answered 304.
// - Public data (config.json, GET /public/events/{id} and /schedule): always asked of the network
//   with If-None-Match from the stored copy, so a current copy costs a 304; when the network fails
//   or takes longer than NETWORK_TIMEOUT_MS, the stored copy is served with X-Offline-Copy (when
//   it was last confirmed), which the page shows as "Offline — updated 10 minutes ago".
// - Everything else (the rest of the API, sign-in, writes, WebSockets, the mailbox) goes straight
//   to the network.

const SHELL_CACHE = 'marquee-shell-v1';
const DATA_CACHE = 'marquee-data-v1';
const IMAGE_CACHE = 'marquee-images-v1';
const CACHES = [SHELL_CACHE, DATA_CACHE, IMAGE_CACHE];
const SHELL_FRESH_MS = 5 * 60 * 1000;
const NETWORK_TIMEOUT_MS = 6000;
const MAX_IMAGES = 40;
const FETCHED_AT = 'X-Fetched-At';
const PRECACHE = ['./', 'css/app.css', 'js/app.js', 'favicon.svg', 'manifest.webmanifest'];
const PUBLIC_DATA = /\/public\/events\/[^/]+(\/schedule)?$/;
const SHELL_EXCLUDED = /^\/(api|media|mailbox|config\.json|sw\.js)/;

const scopePath = new URL(self.registration.scope).pathname;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // The page has just loaded these: its HTTP cache holds them, nothing goes on the wire.
    await Promise.all(PRECACHE.map(async (path) => {
      const response = await fetch(new Request(path, { cache: 'force-cache' }));
      if (response.ok) await cache.put(path, await stamped(response));
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!CACHES.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page lists what it loaded before this worker controlled it, with the public data it already
// has (so it is not downloaded twice); reply once all is stored.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'warm' || !Array.isArray(event.data.urls)) return;
  const port = event.ports[0];
  const copies = Array.isArray(event.data.copies) ? event.data.copies : [];
  const given = new Set(copies.map((copy) => copy.url));
  event.waitUntil((async () => {
    await Promise.all([
      ...copies.map((copy) => keep(copy).catch(() => null)),
      ...event.data.urls.filter((url) => !given.has(url)).map((url) => warm(url).catch(() => null)),
    ]);
    port?.postMessage({ type: 'warmed' });
  })());
});

/** A public answer the page received itself ({url, body, etag}), stored unless a copy with that
 * ETag is there already. */
async function keep({ url, body, etag }) {
  if (typeof url !== 'string' || typeof body !== 'string' || !isData(new URL(url), new Request(url))) return;
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(url);
  if (cached && etag && cached.headers.get('ETag') === etag) return;
  const headers = { 'Content-Type': 'application/json', ...(etag ? { ETag: etag } : {}) };
  await cache.put(url, await stamped(new Response(body, { status: 200, headers })));
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (isData(url, request)) {
    event.respondWith(revalidated(request.url, request.headers));
  } else if (url.origin === self.location.origin && request.mode === 'navigate') {
    if (url.pathname === scopePath || url.pathname === `${scopePath}index.html`) event.respondWith(shell('./'));
  } else if (url.origin === self.location.origin && !SHELL_EXCLUDED.test(url.pathname.slice(scopePath.length - 1))) {
    event.respondWith(shell(url.pathname + url.search));
  } else if (request.destination === 'image') {
    event.respondWith(image(request));
  }
});

function isData(url, request) {
  if (request.headers.has('Authorization')) return false;
  if (url.origin === self.location.origin && url.pathname === `${scopePath}config.json`) return true;
  return PUBLIC_DATA.test(url.pathname);
}

async function warm(url) {
  const parsed = new URL(url, self.location.href);
  if (isData(parsed, new Request(parsed))) {
    // Only what is missing: a stored copy is revalidated whenever the page asks for it.
    if (await (await caches.open(DATA_CACHE)).match(parsed.href)) return null;
    return revalidated(parsed.href, new Headers());
  }
  if (parsed.origin !== self.location.origin || SHELL_EXCLUDED.test(parsed.pathname.slice(scopePath.length - 1))) return null;
  const cache = await caches.open(SHELL_CACHE);
  const key = parsed.pathname + parsed.search;
  if (await cache.match(key)) return null;
  // What the page loaded, from the HTTP cache as it is (no revalidation: it was just fetched).
  const response = await fetch(new Request(key, { cache: 'force-cache' }));
  if (response.ok) await cache.put(key, await stamped(response));
  return null;
}

/** A copy of `response` with headers that say when it was last confirmed, and anything else given. */
async function stamped(response, extra = {}, fetchedAt = Date.now()) {
  const headers = new Headers(response.headers);
  headers.set(FETCHED_AT, String(fetchedAt));
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

function fetchedAt(response) {
  return Number(response.headers.get(FETCHED_AT)) || 0;
}

async function shell(key) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key);
  const refresh = async () => {
    const response = await fetch(new Request(key, { cache: 'no-cache' }));
    if (!response.ok) return response;
    const copy = await stamped(response);
    await cache.put(key, copy.clone());
    return copy;
  };
  if (!cached) return refresh();
  if (Date.now() - fetchedAt(cached) > SHELL_FRESH_MS) refresh().catch(() => null);
  return cached;
}

async function revalidated(url, requestHeaders) {
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(url);
  const headers = new Headers();
  for (const name of ['Accept', 'Accept-Language']) {
    if (requestHeaders.has(name)) headers.set(name, requestHeaders.get(name));
  }
  if (cached?.headers.get('ETag')) headers.set('If-None-Match', cached.headers.get('ETag'));
  const controller = new AbortController();
  const timer = cached ? setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS) : null;
  let response;
  try {
    response = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', signal: controller.signal });
  } catch (error) {
    if (!cached) throw error;
    return stamped(cached, { 'X-Offline-Copy': new Date(fetchedAt(cached)).toISOString() }, fetchedAt(cached));
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 304 && cached) {
    const confirmed = await stamped(cached);
    await cache.put(url, confirmed.clone());
    return confirmed;
  }
  if (response.ok) {
    const fresh = await stamped(response);
    await cache.put(url, fresh.clone());
    return fresh;
  }
  if (response.status === 404) await cache.delete(url);
  return response;
}

async function image(request) {
  const cache = await caches.open(IMAGE_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.status === 200 || response.type === 'opaque') {
    // Stored on the side: a copy that cannot be kept never costs the page its image.
    const copy = response.clone();
    (async () => {
      await cache.put(request, copy);
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_IMAGES))) await cache.delete(old);
    })().catch(() => null);
  }
  return response;
}
