// The one client of the Marquee API: base URL from /config.json, the bearer token, our error body
// {"error": {"code", "message", "details"}}, 401 -> back to sign-in, ETag revalidation and If-Match.

import { store } from './store.js';

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

const EXPIRED_MESSAGE = 'Your session has expired; please sign in again.';
const NETWORK_MESSAGE = 'Cannot reach the server; check your connection and try again.';

let configPromise = null;

/** {apiUrl, wsUrl} for this deployment, fetched once. */
export function loadConfig() {
  if (!configPromise) {
    configPromise = fetch('config.json', { cache: 'no-cache' })
      .then((response) => {
        if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
        return response.json();
      })
      .then((config) => {
        store.config = { ...config, apiUrl: String(config.apiUrl).replace(/\/$/, '') };
        return store.config;
      })
      .catch((error) => {
        configPromise = null;
        throw new ApiError(0, 'config_unavailable', `The app cannot load its configuration (${error.message}).`);
      });
  }
  return configPromise;
}

// Per resource path: the last ETag seen (for If-Match) and the body of the last 200 GET (for 304s).
const etags = new Map();
const bodies = new Map();
store.addEventListener('session', () => {
  etags.clear();
  bodies.clear();
});

export function etagOf(path) {
  return etags.get(path) || null;
}

function apiUrl(path) {
  return `${store.config.apiUrl}${path}`;
}

function errorFrom(status, payload, statusText) {
  const error = payload && typeof payload === 'object' ? payload.error : null;
  if (error && typeof error === 'object') {
    return new ApiError(status, error.code || 'error', error.message || statusText, error.details);
  }
  const message = (payload && (payload.message || payload.Message)) || statusText || `HTTP ${status}`;
  return new ApiError(status, `http_${status}`, String(message));
}

function parseBody(text, contentType) {
  if (!text) return null;
  if ((contentType || '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return text;
}

function handleUnauthorized(error, sentToken, enabled = true) {
  if (!enabled || error.status !== 401 || !sentToken || sentToken !== store.token) return;
  const message = error.code === 'token_expired' ? EXPIRED_MESSAGE : (error.message || EXPIRED_MESSAGE);
  store.signOut(message);
}

function buildHeaders(path, { body, headers, ifMatch, auth }) {
  const all = { Accept: 'application/json', ...(headers || {}) };
  if (body !== undefined && !(body instanceof FormData)) all['Content-Type'] = 'application/json';
  if (auth && store.token) all.Authorization = `Bearer ${store.token}`;
  const match = ifMatch === true ? etagOf(path) : ifMatch;
  if (match) all['If-Match'] = match;
  return all;
}

/**
 * request('GET', '/me/events') -> parsed body. Options: body (JSON-encoded), headers, ifMatch (true = the
 * ETag last seen for this path, or a tag), auth (default true), withResponse (-> {data, etag, headers}),
 * signOutOn401 (default true: a 401 for the current token signs out with the server's reason).
 */
export async function request(method, path, options = {}) {
  const { body, withResponse = false, auth = true, signal } = options;
  await loadConfig();
  const headers = buildHeaders(path, { ...options, auth });
  const cached = method === 'GET' ? bodies.get(path) : undefined;
  if (cached && etags.get(path)) headers['If-None-Match'] = etags.get(path);
  const sentToken = headers.Authorization ? store.token : null;
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    if (cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', NETWORK_MESSAGE);
  }
  const etag = response.headers.get('ETag');
  let data;
  if (response.status === 304 && cached !== undefined) {
    data = cached;
  } else {
    data = parseBody(await response.text(), response.headers.get('Content-Type'));
    if (!response.ok) {
      const error = errorFrom(response.status, data, response.statusText);
      handleUnauthorized(error, sentToken, options.signOutOn401 !== false);
      throw error;
    }
    if (method === 'GET') {
      if (etag) {
        etags.set(path, etag);
        bodies.set(path, data);
      }
    } else {
      bodies.delete(path);
      if (etag) etags.set(path, etag);
      else etags.delete(path);
    }
  }
  return withResponse ? { data, etag: etag || etags.get(path) || null, headers: response.headers } : data;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const put = (path, body, options = {}) => request('PUT', path, { ...options, body });
export const patch = (path, body, options = {}) => request('PATCH', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);

/** Every page of a cursor-paginated list (X-Next-Cursor), up to `maxPages`. */
export async function getAll(path, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const separator = path.includes('?') ? '&' : '?';
    const url = cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path;
    const { data, headers } = await request('GET', url, { withResponse: true });
    items.push(...(Array.isArray(data) ? data : []));
    cursor = headers.get('X-Next-Cursor');
    if (!cursor) break;
  }
  return items;
}

/**
 * A write with upload progress (fetch has none): `onProgress(fraction)`. `path` is an API path, or with
 * `external: true` a full URL (a presigned S3 POST: no token, the body a FormData).
 */
export async function upload(method, path, body, { onProgress, external = false, ifMatch } = {}) {
  if (!external) await loadConfig();
  const headers = external ? {} : buildHeaders(path, { body, ifMatch, auth: true });
  const sentToken = headers.Authorization ? store.token : null;
  const result = await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, external ? path : apiUrl(path));
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => resolve(xhr));
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network_error', NETWORK_MESSAGE)));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.')));
    xhr.send(body instanceof FormData ? body : JSON.stringify(body));
  });
  const contentType = result.getResponseHeader('Content-Type');
  const data = parseBody(result.responseText, contentType);
  if (result.status < 200 || result.status >= 300) {
    if (external) {
      const reason = /<Message>([^<]*)<\/Message>/.exec(result.responseText || '');
      throw new ApiError(result.status, 'upload_failed', `The upload was refused${reason ? `: ${reason[1]}` : '.'}`);
    }
    const error = errorFrom(result.status, data, result.statusText);
    handleUnauthorized(error, sentToken);
    throw error;
  }
  if (!external) bodies.delete(path);
  return data;
}

/** The message plus the specific reasons in `details` (for errors not shown next to a form field). */
export function describeError(error) {
  const reasons = Object.values(error?.details || {}).filter((value) => typeof value === 'string' && value);
  const message = error?.message || 'Something went wrong.';
  return reasons.length ? `${message} ${reasons.join(' ')}` : message;
}
