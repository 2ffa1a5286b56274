// Times: relative ("3 minutes ago") and wall-clock times in an event's own time zone.

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relativeTime(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return '';
  if (Math.abs(seconds) < 45) return relativeFormat.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return '';
}

export function timeZones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function wallParts(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Minutes east of UTC that `timeZone` is at the instant `date`. */
function offsetMinutes(date, timeZone) {
  const p = wallParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

const pad = (n, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** "2027-05-01T09:00" (a datetime-local value) in `timeZone` -> "2027-05-01T09:00:00+02:00"; '' -> null. */
export function wallToIso(wall, timeZone) {
  if (!wall) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!match) return wall;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  let offset = offsetMinutes(new Date(naive), timeZone);
  offset = offsetMinutes(new Date(naive - offset * 60000), timeZone);
  const sign = offset < 0 ? '-' : '+';
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** An ISO instant -> the datetime-local value of its wall time in `timeZone`; null -> ''. */
export function isoToWall(iso, timeZone) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = wallParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** A human date-time range in the event's time zone, e.g. "1 May 2027, 09:00 – 3 May 2027, 18:00 CEST". */
export function formatRange(startIso, endIso, timeZone) {
  const format = new Intl.DateTimeFormat(undefined, {
    timeZone, dateStyle: 'medium', timeStyle: 'short',
  });
  const start = new Date(startIso);
  const end = new Date(endIso);
  const zoneName = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: 'short' })
    .formatToParts(start).find((p) => p.type === 'timeZoneName')?.value || timeZone;
  try {
    return `${format.formatRange(start, end)} (${zoneName})`;
  } catch {
    return `${format.format(start)} – ${format.format(end)} (${zoneName})`;
  }
}

export function formatDateTime(iso, timeZone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A date-time with its zone named, e.g. "3 Dec 2026, 08:40 CET"; the browser's zone when none is given. */
export function formatDateTimeWithZone(iso, timeZone) {
  if (!iso) return '';
  // dateStyle / timeStyle refuse timeZoneName: the fields are spelled out instead.
  return new Intl.DateTimeFormat(undefined, {
    timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  }).format(new Date(iso));
}
