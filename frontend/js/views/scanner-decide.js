// The door scanner's local decision, pure: a code (or an attendee picked by name) against the stored
// check-in list and this device's own earlier admissions. The same rules as the server's, so a
// scan decided offline is what the server says unless another door or a refund got there first.

// Attendee codes: 32 characters of base32 (A-Z, 2-7), compared uppercased and stripped.
const CODE_PATTERN = /^[A-Z2-7]{32}$/;

export const RESULTS = ['ok', 'already_checked_in', 'unknown', 'revoked', 'wrong_event'];

/** ' abcd… ' -> 'ABCD…' when it is a well-formed attendee code, else null. */
export function normalizeCode(raw) {
  const code = String(raw ?? '').trim().toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

/** The lowercase hex SHA-256 of a normalized code (what the check-in list holds as `code_sha256`). */
export async function codeSha256(code) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The check-in list -> {byHash, byId}: Maps built once, so a scan costs one lookup. */
export function buildIndex(list) {
  const byHash = new Map();
  const byId = new Map();
  for (const attendee of list) {
    byHash.set(attendee.code_sha256, attendee);
    byId.set(attendee.id, attendee);
  }
  return { byHash, byId, size: list.length };
}

/**
 * The verdict for `attendee` (null: not in this event's list), given `admissions`, this device's own
 * admissions (a Map attendee id -> {scanned_at, device}):
 * checked in, by the list or by this device -> already_checked_in (with when and where; first, as on the
 * server: an admission stays one after a later refund); revoked -> revoked; valid -> ok; not in the list
 * -> unknown.
 */
export function decideAttendee(attendee, admissions) {
  if (!attendee) return { result: 'unknown', attendee: null };
  const mine = admissions.get(attendee.id);
  if (mine) {
    return { result: 'already_checked_in', attendee, first_checked_in_at: mine.scanned_at, where: mine.device, byThisDevice: true };
  }
  if (attendee.checked_in_at) {
    return { result: 'already_checked_in', attendee, first_checked_in_at: attendee.checked_in_at, where: null, byThisDevice: false };
  }
  if (attendee.status === 'revoked') return { result: 'revoked', attendee };
  return { result: 'ok', attendee };
}

/** A typed or scanned code -> {code, code_sha256, verdict}; a malformed code is `unknown` without a hash. */
export async function decideCode(index, admissions, raw) {
  const code = normalizeCode(raw);
  if (!code) return { code: null, code_sha256: null, verdict: { result: 'unknown', attendee: null, malformed: true } };
  const hash = await codeSha256(code);
  return { code, code_sha256: hash, verdict: decideAttendee(index.byHash.get(hash) || null, admissions) };
}

/** Whether the server's answer to a queued scan tells the door something its local verdict did not. */
export function differs(localResult, serverResult) {
  if (!serverResult || serverResult === localResult) return false;
  // A code from another event is refused either way; the server only knows which.
  return !(localResult === 'unknown' && serverResult === 'wrong_event');
}

/** Attendees whose name (or ticket) contains every word of `query`, best first, at most `limit`. */
export function searchByName(list, query, limit = 20) {
  const words = String(query || '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const found = [];
  for (const attendee of list) {
    const name = String(attendee.name || '').toLocaleLowerCase();
    const haystack = `${name} ${String(attendee.ticket_name || '').toLocaleLowerCase()}`;
    if (words.every((word) => haystack.includes(word))) {
      found.push({ attendee, starts: name.startsWith(words[0]) ? 0 : 1 });
    }
  }
  found.sort((a, b) => a.starts - b.starts || String(a.attendee.name).localeCompare(String(b.attendee.name)));
  return found.slice(0, limit).map((item) => item.attendee);
}
