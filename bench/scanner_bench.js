// The page side of bench/scanner_bench.py: evaluated in Chromium by Playwright (an expression:
// an async function of {attendees, scans}).
/* global crypto, performance, crossOriginIsolated */
async ({ attendees, scans }) => {
  const decide = await import('/js/views/scanner-decide.js');
  const db = await import('/js/views/scanner-store.js');
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const randomCode = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => ALPHABET[b % 32]).join('');
  const codes = [];
  const list = [];
  for (let i = 0; i < attendees; i += 1) {
    const code = randomCode();
    codes.push(code);
    list.push({
      id: `order${Math.floor(i / 4)}-${i % 4}`, name: `Attendee ${i}`, ticket_id: `t${i % 5}`,
      ticket_name: `Ticket ${i % 5}`, code_sha256: await decide.codeSha256(code),
      status: i % 50 === 7 ? 'revoked' : 'valid',
      checked_in_at: i % 10 === 3 ? '2026-12-03T09:00:00+00:00' : null,
    });
  }
  const scope = `bench/${crypto.randomUUID()}`;
  await db.saveList(scope, { etag: '"bench"', items: list });
  let started = performance.now();
  const stored = await db.loadList(scope);
  const loadMs = performance.now() - started;
  started = performance.now();
  const index = decide.buildIndex(stored.items);
  const buildMs = performance.now() - started;

  // The scans at a door: mostly fresh valid tickets, some shown twice, some unknown or revoked;
  // in lower case with white space around, so normalizing has work to do.
  const stream = [];
  for (let i = 0; i < scans; i += 1) {
    const kind = i % 10;
    let code;
    if (kind === 8) code = randomCode();
    else if (kind === 9 && stream.length) code = stream[Math.floor(stream.length / 2)];
    else code = codes[(i * 7919) % attendees];
    stream.push(code);
  }
  const linearDecide = async (admissions, raw) => {
    const code = decide.normalizeCode(raw);
    if (!code) return { result: 'unknown' };
    const hash = await decide.codeSha256(code);
    return decide.decideAttendee(stored.items.find((item) => item.code_sha256 === hash) || null, admissions);
  };
  const indexed = [];
  const linear = [];
  const persist = [];
  const counts = {};
  const mine = new Map();
  const theirs = new Map();
  for (let i = 0; i < stream.length; i += 1) {
    const raw = ` ${stream[i].toLowerCase()}\n`;
    const order = i % 2 ? ['linear', 'indexed'] : ['indexed', 'linear'];
    for (const which of order) {
      const admissions = which === 'indexed' ? mine : theirs;
      const t0 = performance.now();
      const verdict = which === 'indexed'
        ? (await decide.decideCode(index, admissions, raw)).verdict
        : await linearDecide(admissions, raw);
      const elapsed = performance.now() - t0;
      (which === 'indexed' ? indexed : linear).push(elapsed);
      if (verdict.result === 'ok') admissions.set(verdict.attendee.id, { scanned_at: new Date().toISOString(), device: 'bench' });
      if (which === 'indexed') counts[verdict.result] = (counts[verdict.result] || 0) + 1;
    }
    if (i < 300) {
      const t0 = performance.now();
      await db.putScan({ id: crypto.randomUUID(), scope, event_id: 'bench', code: stream[i], scanned_at: new Date().toISOString(),
        device: 'bench', state: 'queued', server: null, attention: false, local: { result: 'ok' } });
      persist.push(performance.now() - t0);
    }
  }
  return { loadMs, buildMs, indexed, linear, persist, counts, isolated: crossOriginIsolated };
}
