// The door scanner's own store on IndexedDB, so a door keeps working (and keeps its queue) offline
// and across reloads. Database "marquee-scanner":
//   lists  key "<user id>/<event id>" -> {scope, etag, items (the check-in list), fetched_at}
//   scans  key scan id (a UUID)       -> one scan (below); index "scope"
//   meta   key name                   -> {name, value} (this device's id and door name)
// A scan: {id, scope, event_id, code | null, attendee_id, code_sha256, scanned_at, device,
//   local: {result, attendee_id, name, ticket_name, first_checked_in_at, where},
//   source: "camera" | "manual" | "search", state: "queued" | "synced",
//   server: {result, attendee, first_checked_in_at} | null,
//   attention: bool (the server's verdict differs from the local one and nobody has looked yet)}.
// A scan by code is sent with its code; an admission by name (code null) with its attendee_id.

const DB_NAME = 'marquee-scanner';
const DB_VERSION = 1;

let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.addEventListener('success', () => resolve(request.result));
    request.addEventListener('error', () => reject(request.error));
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.addEventListener('complete', () => resolve());
    transaction.addEventListener('error', () => reject(transaction.error));
    transaction.addEventListener('abort', () => reject(transaction.error || new Error('IndexedDB write aborted')));
  });
}

export function openDb() {
  if (!opening) {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.addEventListener('upgradeneeded', () => {
      const db = request.result;
      db.createObjectStore('lists', { keyPath: 'scope' });
      db.createObjectStore('scans', { keyPath: 'id' }).createIndex('scope', 'scope');
      db.createObjectStore('meta', { keyPath: 'name' });
    });
    opening = promised(request).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(storeName, mode);
  const result = work(transaction.objectStore(storeName));
  const value = result instanceof IDBRequest ? await promised(result) : result;
  await done(transaction);
  return value;
}

export function scopeOf(userId, eventId) {
  return `${userId}/${eventId}`;
}

/** The stored check-in list of a scope: {etag, items, fetched_at}, or null. */
export function loadList(scope) {
  return run('lists', 'readonly', (lists) => lists.get(scope)).then((row) => row || null);
}

export function saveList(scope, { etag, items }) {
  const row = { scope, etag: etag || null, items, fetched_at: new Date().toISOString() };
  return run('lists', 'readwrite', (lists) => lists.put(row)).then(() => row);
}

/** Marks the stored list as checked now (a 304: the copy is current). */
export async function touchList(scope) {
  const row = await loadList(scope);
  if (!row) return null;
  row.fetched_at = new Date().toISOString();
  await run('lists', 'readwrite', (lists) => lists.put(row));
  return row;
}

/** Every scan of a scope, oldest first. */
export async function loadScans(scope) {
  const scans = await run('scans', 'readonly', (all) => all.index('scope').getAll(scope));
  return scans.sort((a, b) => a.scanned_at.localeCompare(b.scanned_at) || a.id.localeCompare(b.id));
}

export function putScan(scan) {
  return run('scans', 'readwrite', (all) => all.put(scan)).then(() => scan);
}

/** Writes several scans in one transaction (a sync's answers). */
export function putScans(scans) {
  return run('scans', 'readwrite', (all) => {
    for (const scan of scans) all.put(scan);
  });
}

async function meta(name, make) {
  const row = await run('meta', 'readonly', (rows) => rows.get(name));
  if (row) return row.value;
  if (!make) return null;
  const value = make();
  await run('meta', 'readwrite', (rows) => rows.put({ name, value }));
  return value;
}

/** This device's id (made once) and the door name it sends with its scans (editable). */
export async function deviceInfo() {
  const id = await meta('device-id', () => crypto.randomUUID());
  const door = await meta('door-name');
  return { id, door: door || `Phone ${id.slice(0, 4).toUpperCase()}` };
}

export function saveDoorName(door) {
  return run('meta', 'readwrite', (rows) => rows.put({ name: 'door-name', value: door }));
}

/** The event's name and time zone, kept so the page can show them while the API is unreachable. */
export function saveEventInfo(scope, event) {
  return run('meta', 'readwrite', (rows) => rows.put({ name: `event/${scope}`, value: event }));
}

export function loadEventInfo(scope) {
  return meta(`event/${scope}`);
}
