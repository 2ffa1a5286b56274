// The event site's tabs: Overview, Schedule (by day, filtered by track and room, "now / next"
// while the event runs), My schedule (sessions starred in this browser, kept in localStorage),
// Speakers and Sponsors. The open tab and a linked session live in the URL (?tab=, ?session=).

import { h } from '../dom.js';
import { speakersPanel, sponsorsPanel } from './site-people.js';

const STARS_PREFIX = 'marquee.stars.';
const NOW_REFRESH_MS = 60_000;

export function loadStars(eventId) {
  try {
    const saved = JSON.parse(localStorage.getItem(STARS_PREFIX + eventId) || '[]');
    return new Set(Array.isArray(saved) ? saved.filter((id) => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

function saveStars(eventId, stars) {
  try {
    localStorage.setItem(STARS_PREFIX + eventId, JSON.stringify([...stars]));
  } catch {
    // Storage full or disabled: the star stays for this visit only.
  }
}

function clock(timeZone) {
  const time = new Intl.DateTimeFormat(undefined, { timeZone, hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(undefined, { timeZone, weekday: 'long', day: 'numeric', month: 'long' });
  const key = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const zone = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: 'short' });
  return {
    time: (iso) => time.format(new Date(iso)),
    day: (iso) => day.format(new Date(iso)),
    dayKey: (iso) => key.format(new Date(iso)),
    zone: (iso) => zone.formatToParts(new Date(iso)).find((part) => part.type === 'timeZoneName')?.value || timeZone,
  };
}

function sessionCard(session, ctx) {
  const { event, stars, format } = ctx;
  const starred = stars.has(session.id);
  const star = h('button', {
    type: 'button', class: 'star', 'aria-pressed': String(starred), dataset: { star: session.id },
    'aria-label': `${starred ? 'Remove from' : 'Add to'} My schedule: ${session.title}`,
    onclick: () => ctx.toggleStar(session.id),
  }, starred ? '★' : '☆');
  const track = session.track
    ? h('span', { class: 'track-chip' }, h('span', { class: 'track-dot', 'aria-hidden': 'true' }), session.track.name)
    : null;
  if (track && session.track.color) track.firstChild.style.backgroundColor = session.track.color;
  const room = session.microlocation
    ? [session.microlocation.name, session.microlocation.room].filter(Boolean).join(', ')
    : '';
  return h('li', { class: 'session-card', dataset: { sessionId: session.id, sessionTitle: session.title }, id: `session-${session.id}` },
    h('div', { class: 'session-time' },
      h('time', { datetime: session.starts_at }, format.time(session.starts_at)), '–',
      h('time', { datetime: session.ends_at }, format.time(session.ends_at))),
    h('div', { class: 'session-body' },
      h('h4', {}, session.title),
      session.subtitle ? h('p', { class: 'muted' }, session.subtitle) : null,
      h('p', { class: 'session-meta' }, track, room ? h('span', { dataset: { sessionRoom: '' } }, room) : null,
        session.speakers.length ? h('span', {}, session.speakers.map((s) => s.name).join(', ')) : null),
      session.abstract ? h('details', {}, h('summary', {}, 'About this session'), h('p', { class: 'description' }, session.abstract)) : null,
      h('p', { class: 'session-actions' },
        h('a', { href: ctx.calendarUrl(event.id, session.id), dataset: { calendarLink: session.id } }, 'Add to calendar'))),
    star);
}

function dayList(sessions, ctx, hook) {
  const days = new Map();
  for (const session of sessions) {
    const key = ctx.format.dayKey(session.starts_at);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(session);
  }
  return h('div', { dataset: { [hook]: '' } }, [...days.values()].map((items) => h('section', { class: 'schedule-day' },
    h('h3', {}, ctx.format.day(items[0].starts_at)),
    h('ol', { class: 'session-list' }, items.map((session) => sessionCard(session, ctx))))));
}

function nowNext(sessions, ctx) {
  const now = Date.now();
  const running = sessions.filter((s) => Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at));
  const upcoming = sessions.filter((s) => Date.parse(s.starts_at) > now);
  const nextStart = upcoming.length ? Math.min(...upcoming.map((s) => Date.parse(s.starts_at))) : null;
  const next = upcoming.filter((s) => Date.parse(s.starts_at) === nextStart);
  const block = (title, items, hook, empty) => h('div', { class: 'now-block', dataset: { [hook]: '' } }, h('h3', {}, title),
    items.length ? h('ol', { class: 'session-list' }, items.map((s) => sessionCard(s, ctx))) : h('p', { class: 'muted' }, empty));
  return h('section', { class: 'now-next card', 'aria-label': 'Now and next' },
    block('Now', running, 'now', 'Nothing is on right now.'),
    block('Next', next, 'next', 'That was the last session.'));
}

function select(label, hook, options, onchange) {
  const control = h('select', { dataset: { filter: hook }, onchange: () => onchange(control.value) },
    h('option', { value: '' }, `All ${label}`), options.map(([value, text]) => h('option', { value }, text)));
  const id = `filter-${hook}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label[0].toUpperCase() + label.slice(1)), control);
}

function schedulePanel(schedule, ctx) {
  const sessions = schedule.sessions;
  const filters = { day: '', track: '', room: '' };
  const list = h('div');
  const nowHost = h('div');
  const dayKeys = [...new Set(sessions.map((s) => ctx.format.dayKey(s.starts_at)))];
  const dayButtons = h('div', { class: 'day-picker', role: 'group', 'aria-label': 'Day' });
  const used = (name) => schedule[`${name}s`].filter((item) => sessions.some((s) => s[`${name}_id`] === item.id));
  const draw = () => {
    const shown = sessions.filter((s) => (!filters.day || ctx.format.dayKey(s.starts_at) === filters.day)
      && (!filters.track || s.track_id === filters.track) && (!filters.room || s.microlocation_id === filters.room));
    list.replaceChildren(shown.length ? dayList(shown, ctx, 'scheduleList') : h('p', { class: 'muted', dataset: { scheduleList: '', empty: '' } }, 'No session matches these filters.'));
    for (const button of dayButtons.children) button.setAttribute('aria-pressed', String(button.value === filters.day));
    const now = Date.now();
    const during = Date.parse(ctx.event.starts_at) <= now && now < Date.parse(ctx.event.ends_at);
    nowHost.replaceChildren(during ? nowNext(sessions, ctx) : '');
  };
  const dayButton = (value, text) => h('button', { type: 'button', value, dataset: { day: value || 'all' }, onclick: () => { filters.day = value; draw(); } }, text);
  dayButtons.append(dayButton('', 'All days'), ...dayKeys.map((key) => dayButton(key, ctx.format.day(sessions.find((s) => ctx.format.dayKey(s.starts_at) === key).starts_at))));
  const tracks = used('track');
  const rooms = used('microlocation');
  const controls = h('div', { class: 'schedule-filters' },
    dayKeys.length > 1 ? dayButtons : null,
    tracks.length ? select('tracks', 'track', tracks.map((t) => [t.id, t.name]), (value) => { filters.track = value; draw(); }) : null,
    rooms.length ? select('rooms', 'room', rooms.map((r) => [r.id, r.name]), (value) => { filters.room = value; draw(); }) : null);
  ctx.redraw.push(draw);
  const timer = setInterval(draw, NOW_REFRESH_MS);
  ctx.signal.addEventListener('abort', () => clearInterval(timer));
  draw();
  return [h('p', { class: 'muted' }, `Times are in ${ctx.format.zone(ctx.event.starts_at)} (${ctx.event.timezone}).`), nowHost, controls, list];
}

function myPanel(schedule, ctx) {
  const host = h('div');
  const draw = () => {
    const mine = schedule.sessions.filter((s) => ctx.stars.has(s.id));
    host.replaceChildren(mine.length
      ? dayList(mine, ctx, 'mySchedule')
      : h('p', { class: 'muted', dataset: { mySchedule: '', empty: '' } }, 'Star sessions in the schedule (☆) to keep them here. They are kept in this browser.'));
  };
  ctx.redraw.push(draw);
  draw();
  return host;
}

/** The tab bar and its panels; `overview` is the content of the first tab. */
export function scheduleTabs(event, schedule, { overview, query, signal, calendarUrl, pageUrl }) {
  const stars = loadStars(event.id);
  const format = clock(event.timezone);
  const ctx = { event, stars, format, signal, calendarUrl, pageUrl, redraw: [] };
  const myCount = h('span', { class: 'badge', dataset: { myCount: '' } }, String(stars.size));
  ctx.toggleStar = (id) => {
    if (stars.has(id)) stars.delete(id); else stars.add(id);
    saveStars(event.id, stars);
    myCount.textContent = String(stars.size);
    const focused = document.activeElement?.dataset?.star;
    ctx.redraw.forEach((draw) => draw());
    if (focused) document.querySelector(`.site-panel:not([hidden]) [data-star="${CSS.escape(focused)}"]`)?.focus();
  };
  const hasProgram = Boolean(schedule && schedule.sessions.length);
  const tabs = [['overview', 'Overview', () => overview]];
  if (hasProgram) {
    tabs.push(['schedule', 'Schedule', () => schedulePanel(schedule, ctx)]);
    tabs.push(['my', ['My schedule ', myCount], () => myPanel(schedule, ctx)]);
  }
  if (schedule?.speakers.length) tabs.push(['speakers', 'Speakers', () => speakersPanel(schedule, ctx)]);
  if (schedule?.sponsors.length) tabs.push(['sponsors', 'Sponsors', () => sponsorsPanel(schedule)]);
  if (tabs.length === 1) return h('div', { class: 'site-panel' }, overview);

  const bar = h('div', { class: 'tabs site-tabs', role: 'tablist', 'aria-label': 'Event sections' });
  const panels = tabs.map(([name, label, build]) => {
    const tab = h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, dataset: { tab: name } }, label);
    const panel = h('section', { class: 'site-panel', role: 'tabpanel', id: `panel-${name}`, 'aria-labelledby': tab.id, dataset: { panel: name }, hidden: true }, build());
    bar.append(tab);
    return { name, tab, panel };
  });
  const open = (name, { focus = false, remember = true } = {}) => {
    for (const item of panels) {
      const selected = item.name === name;
      item.tab.setAttribute('aria-selected', String(selected));
      item.tab.tabIndex = selected ? 0 : -1;
      item.panel.hidden = !selected;
      if (selected && focus) item.tab.focus();
    }
    if (remember) history.replaceState(null, '', `${location.hash.split('?')[0]}${name === 'overview' ? '' : `?tab=${name}`}`);
  };
  bar.addEventListener('click', (e) => {
    const tab = e.target.closest('[role=tab]');
    if (tab) open(tab.dataset.tab);
  });
  bar.addEventListener('keydown', (e) => {
    const index = panels.findIndex((item) => item.tab === document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (index < 0 || !step) return;
    e.preventDefault();
    open(panels[(index + step + panels.length) % panels.length].name, { focus: true });
  });
  ctx.showSession = (id) => {
    open('schedule');
    const card = document.getElementById(`session-${id}`);
    card?.classList.add('highlight');
    card?.scrollIntoView({ block: 'center' });
  };
  const wanted = query.get('session') ? 'schedule' : query.get('tab');
  open(panels.some((item) => item.name === wanted) ? wanted : 'overview', { remember: false });
  const linked = query.get('session');
  if (linked && hasProgram) requestAnimationFrame(() => ctx.showSession(linked));
  return h('div', { class: 'site-body' }, bar, panels.map((item) => item.panel));
}
