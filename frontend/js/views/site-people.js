// The event site's Speakers (with their sessions) and Sponsors (grouped by level, with logos).

import { h } from '../dom.js';

// Usual sponsor levels, highest first; any other level follows them in alphabetical order.
const LEVELS = ['diamond', 'platinum', 'gold', 'silver', 'bronze', 'partner', 'supporter', 'media'];

export function speakersPanel(schedule, ctx) {
  return h('ul', { class: 'speaker-grid', dataset: { speakers: '' } }, schedule.speakers.map((speaker) => h('li', { class: 'card speaker', dataset: { speaker: speaker.name } },
    speaker.photo_url ? h('img', { class: 'speaker-photo', src: speaker.photo_url, alt: '', width: 96, height: 96, loading: 'lazy' }) : null,
    h('div', {},
      h('h3', {}, speaker.name),
      speaker.organisation ? h('p', { class: 'muted' }, speaker.organisation) : null,
      speaker.bio ? h('p', { class: 'description' }, speaker.bio) : null,
      h('ul', { class: 'speaker-sessions' }, speaker.sessions.map((session) => h('li', {},
        h('a', {
          href: ctx.pageUrl(ctx.event.id, `?session=${encodeURIComponent(session.id)}`),
          dataset: { speakerSession: session.id },
          onclick: (e) => { e.preventDefault(); ctx.showSession(session.id); },
        }, session.title))))))));
}

function rank(level) {
  const index = LEVELS.indexOf(level.toLowerCase());
  return index < 0 ? LEVELS.length : index;
}

export function sponsorsPanel(schedule) {
  const levels = new Map();
  for (const sponsor of schedule.sponsors) {
    const level = sponsor.level.trim();
    if (!levels.has(level)) levels.set(level, []);
    levels.get(level).push(sponsor);
  }
  const ordered = [...levels.keys()].sort((a, b) => (!a) - (!b) || rank(a) - rank(b) || a.localeCompare(b));
  return h('div', { dataset: { sponsors: '' } }, ordered.map((level) => h('section', { class: 'sponsor-level', dataset: { sponsorLevel: level } },
    h('h3', {}, level ? level[0].toUpperCase() + level.slice(1) : 'Sponsors'),
    h('ul', { class: 'sponsor-grid' }, levels.get(level).map((sponsor) => {
      const logo = sponsor.logo_url
        ? h('img', { src: sponsor.logo_url, alt: sponsor.name, loading: 'lazy', width: 200, height: 100 })
        : h('span', { class: 'sponsor-name' }, sponsor.name);
      return h('li', { class: 'card sponsor', dataset: { sponsor: sponsor.name } },
        sponsor.url ? h('a', { href: sponsor.url, target: '_blank', rel: 'noopener sponsored' }, logo) : logo,
        sponsor.logo_url ? h('p', { class: 'muted' }, sponsor.name) : null);
    })))));
}
