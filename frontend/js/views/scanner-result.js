// The door scanner's result screen (green admitted, amber already in, red refused), its words, and a
// short sound and vibration where the device allows them. Back to scanning on a tap, Escape or Enter,
// or by itself after a few seconds.

import { h } from '../dom.js';
import { formatDateTimeWithZone } from '../time.js';

const SHOWN_MS = { ok: 3500, already_checked_in: 6000 };
const REFUSED_MS = 6000;

export const HEADLINES = {
  ok: 'Admitted',
  already_checked_in: 'Already checked in',
  unknown: 'Unknown ticket',
  revoked: 'Ticket revoked',
  wrong_event: 'Ticket for another event',
};

export function tone(result) {
  if (result === 'ok') return 'green';
  if (result === 'already_checked_in') return 'amber';
  return 'red';
}

/** A time at the door in the event's zone: "13:38 CET" today, with the date on another day. */
export function doorTime(iso, timeZone, now = new Date()) {
  const day = (date) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(date);
  const when = new Date(iso);
  if (day(when) !== day(now)) return formatDateTimeWithZone(iso, timeZone);
  return new Intl.DateTimeFormat(undefined, { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(when);
}

/** When and where an already-checked-in attendee came in, in the event's zone. */
export function whenWhere(firstAt, where, byThisDevice, timeZone) {
  if (!firstAt) return '';
  const at = doorTime(firstAt, timeZone);
  if (byThisDevice) return `Checked in at ${at} on this device (${where}).`;
  return `Checked in at ${at}${where ? ` at ${where}` : ' at another door'}.`;
}

/** What a verdict says besides its headline: one or two plain sentences. */
export function explanation(verdict, timeZone) {
  switch (verdict.result) {
    case 'ok':
      return verdict.byName ? 'Admitted by name from the check-in list (no ticket scanned).' : '';
    case 'already_checked_in':
      return whenWhere(verdict.first_checked_in_at, verdict.where, verdict.by_this_device, timeZone);
    case 'revoked':
      return 'This ticket was cancelled or refunded. Do not admit.';
    case 'wrong_event':
      return 'This is a real ticket, but for another event. Do not admit.';
    default:
      return verdict.malformed
        ? 'This is not a ticket code (codes are 32 letters A to Z and digits 2 to 7).'
        : 'No ticket of this event has this code. Do not admit.';
  }
}

let audio = null;

/** Unlocks sound on a tap (browsers allow audio only after a user gesture). */
export function unlockSound() {
  if (audio || !window.AudioContext) return;
  audio = new AudioContext();
}

function beep(result) {
  if (!audio) return;
  const pattern = result === 'ok' ? [[880, 0, 0.12]] : result === 'already_checked_in'
    ? [[520, 0, 0.12], [520, 0.18, 0.12]] : [[220, 0, 0.45]];
  for (const [frequency, start, length] of pattern) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(audio.destination);
    const at = audio.currentTime + start;
    oscillator.start(at);
    oscillator.stop(at + length);
  }
}

export function feedback(result, { sound }) {
  if (sound) beep(result);
  if (navigator.vibrate) navigator.vibrate(result === 'ok' ? 80 : result === 'already_checked_in' ? [120, 80, 120] : [400]);
}

/**
 * The full-screen result: `show(verdict)` fills and opens it, `close()` returns to scanning, and
 * `onClose` is called then. `announce` is the aria-live region that reads the result out.
 */
export function resultScreen({ timeZone, announce, onClose }) {
  const headline = h('p', { class: 'scan-headline', dataset: { scanHeadline: '' } });
  const name = h('p', { class: 'scan-name', dataset: { scanName: '' } });
  const ticket = h('p', { class: 'scan-ticket', dataset: { scanTicket: '' } });
  const detail = h('p', { class: 'scan-detail', dataset: { scanDetail: '' } });
  const server = h('p', { class: 'scan-server', dataset: { scanServer: '' }, hidden: true });
  const next = h('button', { type: 'button', class: 'scan-next', dataset: { action: 'next-scan' } }, 'Next scan');
  const screen = h('section', { class: 'scan-result', hidden: true, dataset: { scanResult: '' }, 'aria-label': 'Scan result' },
    headline, name, ticket, detail, server, next);
  let timer = null;
  let shownScan = null;

  const close = () => {
    if (screen.hidden) return;
    clearTimeout(timer);
    screen.hidden = true;
    shownScan = null;
    onClose?.();
  };
  screen.addEventListener('click', close);
  screen.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });

  const show = (verdict, scanId = null) => {
    clearTimeout(timer);
    shownScan = scanId;
    screen.dataset.scanResult = verdict.result;
    screen.dataset.tone = tone(verdict.result);
    headline.textContent = HEADLINES[verdict.result] || verdict.result;
    name.textContent = verdict.name || '';
    name.hidden = !verdict.name;
    ticket.textContent = verdict.ticket_name || '';
    ticket.hidden = !verdict.ticket_name;
    detail.textContent = explanation(verdict, timeZone);
    detail.hidden = !detail.textContent;
    server.hidden = true;
    screen.hidden = false;
    next.focus();
    announce.textContent = [headline.textContent, verdict.name, verdict.ticket_name, detail.textContent].filter(Boolean).join('. ');
    timer = setTimeout(close, SHOWN_MS[verdict.result] || REFUSED_MS);
  };

  /** The server answered the scan on screen differently: say so, and keep the screen up longer. */
  const correct = (scan, message) => {
    if (screen.hidden || shownScan !== scan.id) return;
    clearTimeout(timer);
    const result = scan.server.result;
    screen.dataset.scanResult = result;
    screen.dataset.tone = tone(result);
    headline.textContent = HEADLINES[result] || result;
    server.textContent = message;
    server.hidden = false;
    announce.textContent = `${headline.textContent}. ${message}`;
    timer = setTimeout(close, REFUSED_MS);
  };

  return { screen, show, close, correct, get open() { return !screen.hidden; } };
}
