// The door scanner (#/events/{id}/scan), phone first: the camera (or a typed code, or a search by
// name) -> a local decision against the stored check-in list -> a big green / amber / red result;
// scans wait in IndexedDB and go to the server when it is reachable (scanner-sync.js). The page
// says whether it is online and how many scans wait, and lists the scans the server saw otherwise.

import * as api from '../api.js';
import { field, h, useStylesheet } from '../dom.js';
import { keepForOffline } from '../offline.js';
import { store } from '../store.js';
import { searchByName } from './scanner-decide.js';
import * as db from './scanner-store.js';
import { ScannerSession } from './scanner-sync.js';
import { doorTime, feedback, HEADLINES, resultScreen, unlockSound } from './scanner-result.js';

const SOUND_KEY = 'marquee.scanner.sound';
const RECENT = 10;

async function eventInfo(eventId, scope) {
  try {
    const event = await api.get(`/events/${eventId}`);
    const info = { id: event.id, name: event.name, timezone: event.timezone };
    await db.saveEventInfo(scope, info);
    return info;
  } catch (error) {
    const stored = error.status === 0 ? await db.loadEventInfo(scope) : null;
    if (stored) return stored;
    throw error;
  }
}

function count(n, one, many) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** One sentence on a scan the server decided otherwise than this device. */
function attentionText(scan, timeZone) {
  const at = (iso) => (iso ? ` (${doorTime(iso, timeZone)})` : '');
  const here = `${HEADLINES[scan.local.result]} here${at(scan.scanned_at)}`;
  const there = `${HEADLINES[scan.server.result]}${at(scan.server.first_checked_in_at)}`;
  if (scan.local.result === 'ok' && scan.server.result === 'already_checked_in') {
    return `${here}, but another door had already admitted this ticket${at(scan.server.first_checked_in_at)}.`;
  }
  return `${here}; the server says: ${there}.`;
}

export default async function render({ root, params, signal }) {
  await useStylesheet(new URL('../../css/scanner.css', import.meta.url));
  const eventId = params.id;
  const session = new ScannerSession({ eventId, userId: store.user?.id || 'anonymous' });
  signal.addEventListener('abort', () => session.stop());
  const event = await eventInfo(eventId, session.scope);
  document.title = `Scan tickets · ${event.name} · Marquee`;
  let sound = localStorage.getItem(SOUND_KEY) !== 'off';

  const announce = h('p', { class: 'visually-hidden', 'aria-live': 'assertive', dataset: { announce: '' } });
  const code = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    inputmode: 'text', dataset: { codeInput: '' } });
  let camera = null;
  const cameraButton = h('button', { type: 'button', class: 'primary scanner-camera-button', dataset: { action: 'camera' } }, 'Start camera');
  // Back from a result: to the camera's button while it runs (a phone's keyboard would cover the view).
  const result = resultScreen({ timeZone: event.timezone, announce,
    onClose: () => (camera ? cameraButton : code).focus({ preventScroll: true }) });

  const online = h('span', { class: 'scanner-online', dataset: { online: '' } });
  const waiting = h('span', { class: 'scanner-waiting', dataset: { waiting: '' } });
  const listInfo = h('span', { class: 'muted', dataset: { listSize: '' } });
  const syncError = h('p', { class: 'error-box', role: 'alert', hidden: true, dataset: { syncError: '' } });
  const offlineState = h('span', { class: 'muted', dataset: { scannerOffline: 'pending' } }, 'Saving for offline use…');
  const syncNow = h('button', { type: 'button', dataset: { action: 'sync' }, onclick: () => session.connect() },
    'Sync now');

  const video = h('video', { class: 'scanner-video', muted: true, playsinline: true, hidden: true, 'aria-label': 'Camera view', dataset: { camera: '' } });
  const cameraMessage = h('p', { class: 'notice warn', role: 'alert', hidden: true, dataset: { cameraMessage: '' } });
  cameraButton.addEventListener('click', async () => {
    unlockSound();
    if (camera) {
      camera.stop();
      camera = null;
      video.hidden = true;
      cameraButton.textContent = 'Start camera';
      return;
    }
    cameraMessage.hidden = true;
    cameraButton.disabled = true;
    try {
      const { startCamera } = await import('./scanner-camera.js');
      camera = await startCamera(video, (text) => { if (!result.open) decide(text, 'camera'); }, { signal });
      video.hidden = false;
      video.dataset.reader = camera.kind;
      cameraButton.textContent = 'Stop camera';
    } catch (error) {
      cameraMessage.textContent = error.message;
      cameraMessage.hidden = false;
    } finally {
      cameraButton.disabled = false;
    }
  });

  const show = ({ scan, verdict }) => {
    const summary = scan ? { ...scan.local, byName: scan.source === 'search' } : { result: verdict.result, malformed: verdict.malformed };
    result.show(summary, scan?.id || null);
    feedback(summary.result, { sound });
  };

  async function decide(text, source) {
    show(await session.scanCode(text, source));
  }

  const codeField = field('Ticket code', code, { hint: 'The 32 characters under the QR code; spaces do not matter.', name: 'code' });
  const manual = h('form', { class: 'scanner-manual', dataset: { manualForm: '' } }, codeField.wrap,
    h('button', { type: 'submit', class: 'primary', dataset: { action: 'check-code' } }, 'Check code'));
  manual.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    unlockSound();
    const text = code.value.replace(/\s+/g, '');
    if (!text) return;
    code.value = '';
    await decide(text, 'manual');
  });

  const search = h('input', { type: 'search', autocomplete: 'off', dataset: { search: '' } });
  const matches = h('ul', { class: 'scanner-matches', dataset: { searchResults: '' } });
  const renderMatches = () => {
    const found = searchByName(session.list, search.value);
    matches.replaceChildren(...found.map((attendee) => {
      const state = session.admissions.has(attendee.id) || attendee.checked_in_at ? 'Checked in'
        : attendee.status === 'revoked' ? 'Revoked' : '';
      return h('li', { dataset: { attendeeId: attendee.id } },
        h('span', {}, h('strong', {}, attendee.name), ' ', h('span', { class: 'muted' }, attendee.ticket_name),
          state ? [' ', h('span', { class: 'badge' }, state)] : null),
        h('button', { type: 'button', dataset: { action: 'admit' }, 'aria-label': `Admit ${attendee.name}`,
          onclick: async () => { unlockSound(); show(await session.admitById(attendee.id)); } }, 'Admit'));
    }));
    if (search.value.trim() && !found.length) matches.append(h('li', { class: 'muted' }, 'Nobody of that name in the list.'));
  };
  search.addEventListener('input', renderMatches);

  const attentionList = h('ul', { class: 'scanner-attention-list' });
  const attention = h('section', { class: 'scanner-attention', hidden: true, dataset: { attention: '' }, 'aria-labelledby': 'attention-title' },
    h('h2', { id: 'attention-title' }, 'Needs attention'),
    h('p', { class: 'muted' }, 'The server decided these scans differently from this device (another door, a refund, or a list older than the ticket).'),
    attentionList);
  const recentList = h('ol', { class: 'scanner-recent', dataset: { recent: '' } });

  const door = h('input', { type: 'text', maxlength: '64', dataset: { doorName: '' } });
  const soundBox = h('input', { type: 'checkbox', checked: sound, id: 'scanner-sound' });
  soundBox.addEventListener('change', () => {
    sound = soundBox.checked;
    localStorage.setItem(SOUND_KEY, sound ? 'on' : 'off');
  });
  door.addEventListener('change', async () => {
    const name = door.value.trim().slice(0, 64);
    if (!name) return;
    session.device.door = name;
    await db.saveDoorName(name);
  });

  const update = () => {
    online.textContent = session.online ? 'Online' : 'Offline';
    online.dataset.online = String(session.online);
    const n = session.waiting;
    waiting.textContent = n ? `${count(n, 'scan', 'scans')} waiting to sync` : 'All scans synced';
    waiting.dataset.waiting = String(n);
    listInfo.textContent = session.listCheckedAt
      ? `${count(session.index.size, 'attendee', 'attendees')} in the list, checked ${doorTime(session.listCheckedAt, event.timezone)}`
      : 'No check-in list on this device yet: connect to load it.';
    listInfo.dataset.listSize = String(session.index.size);
    syncError.textContent = session.syncError;
    syncError.hidden = !session.syncError;
    const needing = session.attention;
    attention.hidden = !needing.length;
    attentionList.replaceChildren(...needing.map((scan) => h('li', { dataset: { attentionScan: scan.id, serverResult: scan.server.result } },
      h('strong', {}, scan.local.name || scan.server.attendee?.name || 'Unknown ticket'), ' ',
      h('span', {}, attentionText(scan, event.timezone)), ' ',
      h('button', { type: 'button', class: 'link', dataset: { action: 'dismiss' }, onclick: () => session.dismiss(scan.id) }, 'Dismiss'))));
    recentList.replaceChildren(...session.scans.slice(-RECENT).reverse().map((scan) => h('li', {
      dataset: { scanId: scan.id, localResult: scan.local.result, state: scan.state },
    }, h('span', { class: `dot ${scan.local.result}` }), ' ', h('strong', {}, HEADLINES[scan.local.result]), ' ',
    scan.local.name || '', ' · ', doorTime(scan.scanned_at, event.timezone), ' · ',
    scan.state === 'queued' ? 'waiting' : 'synced')));
    if (search.value) renderMatches();
  };
  session.addEventListener('change', update);
  session.addEventListener('verdict', ({ detail: scan }) => {
    if (scan.attention) {
      result.correct(scan, attentionText(scan, event.timezone));
      feedback(scan.server.result, { sound });
    }
  });

  await session.start();
  if (signal.aborted) return;
  root.append(
    h('div', { class: 'scanner', dataset: { scanner: eventId } },
      h('h1', {}, 'Scan tickets'),
      h('p', { class: 'muted' }, event.name, ' · ', h('a', { href: `#/events/${eventId}/manage` }, 'Back to the event')),
      h('p', { class: 'scanner-status', dataset: { scannerStatus: '' } }, online, waiting, syncNow, offlineState),
      h('p', {}, listInfo),
      syncError,
      attention,
      h('section', { class: 'scanner-camera', 'aria-label': 'Camera' }, cameraButton, cameraMessage, video),
      manual,
      h('section', { 'aria-labelledby': 'search-title' }, h('h2', { id: 'search-title' }, 'No ticket at hand?'),
        field('Search by name', search, { name: 'search' }).wrap, matches),
      h('section', { 'aria-labelledby': 'recent-title' }, h('h2', { id: 'recent-title' }, 'Scans on this device'), recentList),
      h('details', { class: 'scanner-settings' }, h('summary', {}, 'Door settings'),
        field('Door name (sent with each scan)', door, { name: 'door' }).wrap,
        h('label', { class: 'check', for: 'scanner-sound' }, soundBox, 'Sound')),
    ),
    result.screen,
    announce,
  );
  door.value = session.device.door;
  update();
  session.connect();
  keepScannerOffline(offlineState, signal);
}

/** Asks the service worker to keep everything the scanner needs, the camera's reader included, so a
 * reload with no network still opens it; says on the page when that is done. */
async function keepScannerOffline(state, signal) {
  const camera = await import('./scanner-camera.js').catch(() => null);
  const kept = camera ? await keepForOffline([], await camera.readerFiles()) : false;
  if (signal.aborted) return;
  state.textContent = kept ? 'Ready to work offline' : 'Not saved for offline use: keep this page open';
  state.dataset.scannerOffline = String(kept);
}
