// A door's scanning session for one event: the check-in list (IndexedDB, revalidated with
// If-None-Match), the in-memory index the local decision uses, this device's scans and their queue,
// and the sync that sends queued scans in batches of at most 500 when the server is reachable.
// Emits 'change' (counts, online state, lists) and 'verdict' (detail: a scan whose server answer
// arrived).

import * as api from '../api.js';
import * as db from './scanner-store.js';
import { buildIndex, decideAttendee, decideCode, differs } from './scanner-decide.js';

export const BATCH_SIZE = 500;
const RETRY_MS = 15_000;
const LIST_REFRESH_MS = 60_000;

function summaryOf(verdict) {
  const { attendee } = verdict;
  return {
    result: verdict.result,
    attendee_id: attendee?.id || null,
    name: attendee?.name || null,
    ticket_name: attendee?.ticket_name || null,
    first_checked_in_at: verdict.first_checked_in_at || null,
    where: verdict.where || null,
    by_this_device: Boolean(verdict.byThisDevice),
    malformed: Boolean(verdict.malformed),
  };
}

/** A queued scan as the API takes it: by its code, or (found by name) by the attendee's id. */
function wireScan({ id, code, attendee_id: attendeeId, scanned_at: scannedAt, device }) {
  return code ? { id, code, scanned_at: scannedAt, device } : { id, attendee_id: attendeeId, scanned_at: scannedAt, device };
}

export class ScannerSession extends EventTarget {
  constructor({ eventId, userId }) {
    super();
    this.eventId = eventId;
    this.scope = db.scopeOf(userId, eventId);
    this.list = [];
    this.index = buildIndex([]);
    this.etag = null;
    this.listCheckedAt = null;
    this.scans = [];
    this.admissions = new Map();
    this.device = null;
    this.reachable = true;
    this.syncError = '';
    this.syncing = null;
    this.again = false;
    this.timers = [];
    this.onOnline = () => this.connect();
    this.onOffline = () => this.emit('change');
  }

  get online() {
    return navigator.onLine && this.reachable;
  }

  get waiting() {
    return this.scans.filter((scan) => scan.state === 'queued').length;
  }

  get attention() {
    return this.scans.filter((scan) => scan.attention);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Loads what this device stored (the list, its scans, its door name) and starts the retries. */
  async start() {
    const [stored, scans, device] = await Promise.all([db.loadList(this.scope), db.loadScans(this.scope), db.deviceInfo()]);
    this.device = device;
    if (stored) this.useList(stored);
    this.scans = scans;
    for (const scan of scans) this.remember(scan);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    // While the server cannot be reached, the retry also revalidates the list (which tells when it can).
    this.timers.push(setInterval(() => (this.reachable ? this.sync() : this.connect()), RETRY_MS));
    this.timers.push(setInterval(() => this.refresh(), LIST_REFRESH_MS));
    this.emit('change');
  }

  /** Revalidates the list, then sends what waits. */
  async connect() {
    await this.refresh();
    await this.sync();
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  useList(row) {
    this.list = row.items;
    this.index = buildIndex(row.items);
    this.etag = row.etag;
    this.listCheckedAt = row.fetched_at;
  }

  remember(scan) {
    const { local } = scan;
    if (local.result === 'ok' && local.attendee_id && !this.admissions.has(local.attendee_id)) {
      this.admissions.set(local.attendee_id, { scanned_at: scan.scanned_at, device: scan.device });
    }
  }

  /** GET the check-in list with the stored ETag: 200 replaces the stored copy, 304 keeps it. */
  async refresh() {
    if (!navigator.onLine) return;
    const headers = this.etag ? { 'If-None-Match': this.etag } : {};
    try {
      const { data, etag } = await api.request('GET', `/events/${this.eventId}/checkin-list`, { headers, withResponse: true });
      if (etag && etag === this.etag) {
        this.listCheckedAt = (await db.touchList(this.scope))?.fetched_at || this.listCheckedAt;
      } else {
        this.useList(await db.saveList(this.scope, { etag, items: data }));
      }
      this.reachable = true;
    } catch (error) {
      if (error.status === 304) {
        this.listCheckedAt = (await db.touchList(this.scope))?.fetched_at || this.listCheckedAt;
        this.reachable = true;
      } else if (error.status === 0) {
        this.reachable = false;
      } else {
        this.syncError = api.describeError(error);
      }
    }
    this.emit('change');
  }

  async record(fields, verdict) {
    const scan = {
      id: crypto.randomUUID(),
      scope: this.scope,
      event_id: this.eventId,
      scanned_at: new Date().toISOString(),
      device: this.device.door,
      server: null,
      attention: false,
      ...fields,
      local: summaryOf(verdict),
    };
    this.scans.push(scan);
    this.remember(scan);
    await db.putScan(scan);
    this.emit('change');
    if (scan.state === 'queued') this.sync();
    return scan;
  }

  /** A scanned or typed code, decided here at once; queued for the server when well-formed. */
  async scanCode(raw, source = 'manual') {
    const { code, code_sha256: hash, verdict } = await decideCode(this.index, this.admissions, raw);
    if (!code) return { scan: null, verdict };
    const scan = await this.record({ code, code_sha256: hash, attendee_id: verdict.attendee?.id || null, source,
      state: 'queued' }, verdict);
    return { scan, verdict };
  }

  /** An attendee picked by name (no ticket in hand): decided here by the same rules, and queued
   * like a code; the server admits it by the attendee's id. */
  async admitById(attendeeId) {
    const attendee = this.index.byId.get(attendeeId) || null;
    const verdict = decideAttendee(attendee, this.admissions);
    const scan = await this.record({ code: null, code_sha256: attendee?.code_sha256 || null, attendee_id: attendeeId,
      source: 'search', state: 'queued' }, verdict);
    return { scan, verdict };
  }

  dismiss(scanId) {
    const scan = this.scans.find((item) => item.id === scanId);
    if (!scan) return Promise.resolve();
    scan.attention = false;
    this.emit('change');
    return db.putScan(scan);
  }

  /** Sends queued scans, oldest first, in batches of at most BATCH_SIZE; one sync at a time. A scan
   * queued while one runs (during its closing list refresh too) gets another pass right after. */
  sync() {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        await this.sendQueued();
      } while (this.again && this.reachable);
    })().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  async sendQueued() {
    if (!navigator.onLine) return;
    let sent = 0;
    for (;;) {
      const batch = this.scans.filter((scan) => scan.state === 'queued').slice(0, BATCH_SIZE);
      if (!batch.length) break;
      let data;
      try {
        data = await api.post(`/events/${this.eventId}/checkins`, {
          scans: batch.map(wireScan),
        });
      } catch (error) {
        if (error.status === 0) this.reachable = false;
        else this.syncError = `The server refused the waiting scans: ${api.describeError(error)}`;
        this.emit('change');
        return;
      }
      this.reachable = true;
      this.syncError = '';
      const answered = this.apply(batch, data.results || []);
      await db.putScans(answered);
      sent += answered.length;
      this.emit('change');
      if (answered.length < batch.length) break;
    }
    if (sent) await this.refresh();
  }

  apply(batch, results) {
    const byId = new Map(batch.map((scan) => [scan.id, scan]));
    const answered = [];
    for (const result of results) {
      const scan = byId.get(result.id);
      if (!scan) continue;
      scan.state = 'synced';
      scan.server = { result: result.result, attendee: result.attendee || null, first_checked_in_at: result.first_checked_in_at || null };
      scan.attention = differs(scan.local.result, result.result);
      answered.push(scan);
      this.emit('verdict', scan);
    }
    return answered;
  }
}
