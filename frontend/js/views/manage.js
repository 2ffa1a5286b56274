// Event management: the header, the tabs, and the tab shown (people: manage-people.js; checkout
// questions: manage-questions.js; a service table: manage-services.js). What the caller may do
// comes with the event (`allowed`), computed by the server from the rules it enforces.

import * as api from '../api.js';
import { append, h } from '../dom.js';
import { roleLabel } from '../roles.js';
import renderCodes from './manage-codes.js';
import renderCheckinPanel from './manage-checkin.js';
import renderMessages from './manage-messages.js';
import renderPeople from './manage-people.js';
import renderQuestions from './manage-questions.js';
import renderService, { SERVICES } from './manage-services.js';
import { eventHeader, organizerStyles } from './event-nav.js';

export default async function render(ctx) {
  const { root, params, signal } = ctx;
  const [event, myEvents] = await Promise.all([api.get(`/events/${params.id}`), api.get('/me/events'), organizerStyles()]);
  const role = myEvents.find((item) => item.id === event.id)?.role || null;
  const { allowed } = event;
  const tab = params.tab || (allowed.team.manage ? 'people' : 'tracks');
  document.title = `Manage ${event.name} · Marquee`;
  const tabs = [['people', 'People'], ...(allowed.codes?.manage ? [['codes', 'Codes']] : []),
    ...(allowed.messages?.send ? [['messages', 'Messages']] : []),
    ['questions', 'Questions'], ...Object.values(SERVICES).map((spec) => [spec.path, spec.title])];
  // Door staff see the check-in panel alone: none of the tabs is theirs.
  const hasTabs = allowed.team.manage || Object.keys(SERVICES).some((service) => allowed[service]?.read);
  const program = ['tracks', 'sessions', 'speakers', 'sponsors', 'microlocations'].includes(tab);
  append(root, [
    eventHeader(event, program ? 'program' : 'manage'),
    h('p', { class: 'muted' }, 'Your role: ', h('strong', { dataset: { myRole: role || 'staff' } }, roleLabel(role)),
      allowed.orders.read
        ? [' · ', h('a', { href: `#/events/${event.id}/orders`, dataset: { ordersLink: '' } }, 'Sales & orders')] : null),
    allowed.attendee?.read ? renderCheckinPanel(event, signal) : null,
  ]);
  if (!hasTabs) return undefined;
  root.append(h('nav', { class: 'tabs', 'aria-label': 'Event management' }, tabs.map(([name, label]) => h('a', {
    class: 'button', href: `#/events/${event.id}/manage/${name}`, 'aria-selected': String(name === tab),
    'aria-current': name === tab ? 'page' : null, dataset: { tab: name },
  }, label))));
  const section = h('section', { dataset: { manageTab: tab } });
  root.append(section);
  if (tab === 'people') return renderPeople(section, event, signal);
  if (tab === 'codes') return renderCodes(section, event);
  if (tab === 'messages') return renderMessages(section, event);
  if (tab === 'questions') return renderQuestions(section, event, signal);
  const service = Object.keys(SERVICES).find((name) => SERVICES[name].path === tab);
  if (!service) throw new Error('No such tab.');
  return renderService(section, event, service);
}
