// The on-sale's waiting room on the event site. One number per browser (its queue id kept in
// localStorage, so a reload keeps the place); "You are number N in line, about M minutes", counted
// down every second from the line the event channel pushes (its availability message's `queue`:
// admitted_through and the rate, sent on ticket changes and when the organizer changes the room),
// and checked with the server now and then for quiet times; once admitted, the admission the order
// form sends as X-Admission.

import * as api from '../api.js';
import { h } from '../dom.js';

const PLACE_PREFIX = 'marquee.queue.';
const CHECK_EVERY_MS = 15000;
const TICK_MS = 1000;
// Ask for a fresh admission when the one held expires sooner than this.
const RENEW_BEFORE_MS = 30000;

function waitText(seconds) {
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
}

/** {section, admitted}: `admitted` resolves to a function giving a current admission, or null when
 * the room was switched off meanwhile (orders need none then). `live`: the page's event channel
 * (a LiveSocket), or null without one (then the clock and the re-reads alone move the line). */
export function waitingRoom(event, { signal, live = null }) {
  const base = `/public/events/${encodeURIComponent(event.id)}/queue`;
  const saved = PLACE_PREFIX + event.id;
  const line = h('p', { class: 'queue-line', dataset: { queuePosition: '' } }, 'Taking your place in line…');
  const section = h('div', { class: 'card queue', role: 'status', 'aria-live': 'polite', dataset: { waitingRoom: '' } },
    h('h3', {}, 'Waiting room'),
    h('p', { class: 'muted' }, 'Tickets are sold in order of arrival. Keep this page open: reloading it keeps your place.'),
    line);
  let queueId = localStorage.getItem(saved);
  let status = null;
  let readAt = 0;

  const read = async () => {
    status = await api.get(`${base}/${encodeURIComponent(queueId)}`, { auth: false, signal });
    readAt = Date.now();
    return status;
  };

  const take = async () => {
    if (queueId) {
      try {
        return await read();
      } catch (error) {
        if (error.status !== 404) throw error;  // a number this room does not know: take a new one
      }
    }
    const ticket = await api.post(base, undefined, { auth: false, signal });
    queueId = ticket.queue_id;
    localStorage.setItem(saved, queueId);
    return read();
  };

  const show = () => {
    const elapsed = (Date.now() - readAt) / 1000;
    const through = status.admitted_through + (status.admit_per_minute * elapsed) / 60;
    const ahead = Math.max(1, Math.ceil(status.position - through));
    const wait = Math.max(0, Math.ceil(((status.position - through) * 60) / status.admit_per_minute));
    line.textContent = `You are number ${ahead} in line, ${waitText(wait)}.`;
    return wait;
  };

  const admission = async () => {
    if (new Date(status.admission_expires_at).getTime() - Date.now() < RENEW_BEFORE_MS) await read();
    return status.admission;
  };

  const admitted = new Promise((resolve, reject) => {
    let timer = null;
    let done = false;
    const stop = () => {
      clearTimeout(timer);
      live?.removeEventListener('message', heard);
    };
    signal.addEventListener('abort', stop);
    const settle = () => {
      if (done) return;
      done = true;
      stop();
      line.textContent = "It's your turn: choose your tickets below.";
      resolve(admission);
    };
    const check = async () => {
      await read();
      if (status.admitted) settle();
    };
    const tick = async () => {
      try {
        if (show() === 0 || Date.now() - readAt >= CHECK_EVERY_MS) await check();
        if (done) return;
        show();
      } catch (error) {
        if (error.name === 'AbortError') return;
        line.textContent = `${api.describeError(error)} Still trying…`;
      }
      if (!signal.aborted) timer = setTimeout(tick, TICK_MS);
    };
    // The pushed line replaces the counted one; our turn (or a message without a line: the room
    // was switched off) is confirmed, and the admission fetched, at once.
    function heard({ detail }) {
      if (detail?.meta !== 'availability' || detail.event_id !== event.id || !status || done) return;
      if (detail.queue) {
        status = { ...status, ...detail.queue };
        readAt = Date.now();
        if (detail.queue.admitted_through < status.position) {
          show();
          return;
        }
      }
      check().catch(() => {});  // the next tick tries again and says why
    }
    live?.addEventListener('message', heard);
    take().then(() => (status.admitted ? settle() : tick()), (error) => {
      if (error.name === 'AbortError') return;
      if (error.code === 'no_waiting_room') {
        section.remove();
        resolve(null);
        return;
      }
      line.textContent = api.describeError(error);
      reject(error);
    });
  });
  return { section, admitted };
}
