// An order's attendees on its page (#/orders/{id}): one row per seat with what they answered to
// the event's questions (labels from its public questions; an answer to a question since removed
// is not shown), its ticket page ("Show ticket") and, for the buyer, a dialog to change who the
// ticket is for (name, e-mail) until the event starts.

import * as api from '../api.js';
import { errorBox, field, h, modal, showFieldError, showFieldErrors, toast } from '../dom.js';

const STATUS = { valid: 'Valid', revoked: 'Revoked' };

function answerText(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  return String(value);
}

function answersList(attendee, questions) {
  const answered = questions.filter((question) => attendee.answers?.[question.id] !== undefined);
  if (!answered.length) return null;
  return h('dl', { class: 'facts' }, answered.map((question) => [
    h('dt', {}, question.label),
    h('dd', { dataset: { answerTo: question.id } }, answerText(attendee.answers[question.id])),
  ]));
}

/** The section, filled once the attendees are read; empty for an order that has none. */
export function attendeesSection(order, { signal }) {
  const section = h('section', { class: 'card order-attendees', 'aria-labelledby': `attendees-${order.id}`, dataset: { orderAttendees: '' } });
  const failure = errorBox('attendees-error');
  const load = async () => {
    let attendees;
    let questions;
    try {
      [attendees, questions] = await Promise.all([
        api.get(`/orders/${order.id}/attendees`, { signal }),
        api.get(`/public/events/${encodeURIComponent(order.event_id)}/questions`, { auth: false, signal })
          .then((found) => found.questions || [], () => []),
      ]);
    } catch (error) {
      if (error.name === 'AbortError' || signal.aborted) return;
      section.replaceChildren(failure);
      failure.show(api.describeError(error));
      return;
    }
    if (signal.aborted) return;
    if (!attendees.length) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    section.replaceChildren(
      h('h2', { id: `attendees-${order.id}` }, attendees.length === 1 ? 'Your ticket' : 'Your tickets'),
      failure,
      h('ul', { class: 'attendee-list' }, attendees.map((attendee) => attendeeRow(order, attendee, questions, load))),
      attendees.length > 1
        ? h('p', {}, h('a', { href: `#/orders/${order.id}/tickets`, dataset: { allTickets: '' } }, 'Show and print all tickets'))
        : null);
  };
  section.hidden = true;
  load();
  return section;
}

function attendeeRow(order, attendee, questions, reload) {
  const checkedIn = attendee.checked_in_at ? ' · checked in' : '';
  return h('li', { dataset: { attendeeId: attendee.id, attendeeStatus: attendee.status } },
    h('div', { class: 'attendee-who' },
      h('strong', { dataset: { attendeeName: '' } }, attendee.name), ' ',
      h('span', { class: 'muted', dataset: { attendeeEmail: '' } }, attendee.email), h('br'),
      h('span', {}, attendee.ticket_name), ' · ',
      h('span', { class: attendee.status === 'revoked' ? 'sold-out' : '' }, `${STATUS[attendee.status] || attendee.status}${checkedIn}`),
      answersList(attendee, questions)),
    h('div', { class: 'actions' },
      h('a', { class: 'button primary', href: `#/orders/${order.id}/tickets/${attendee.id}`, dataset: { action: 'show-ticket' } },
        'Show ticket'),
      attendee.status === 'valid'
        ? h('button', { type: 'button', dataset: { action: 'edit-attendee' }, onclick: () => openEditDialog(order, attendee, reload) },
          'Change name or e-mail')
        : null));
}

function openEditDialog(order, attendee, onSaved) {
  const fields = {
    name: field('Name on the ticket', h('input', { type: 'text', maxlength: 200, autocomplete: 'name', value: attendee.name }), { name: 'name' }),
    email: field('E-mail', h('input', { type: 'email', maxlength: 254, autocomplete: 'email', value: attendee.email }), { name: 'email' }),
  };
  const problem = errorBox('attendee-error');
  const form = h('form', { novalidate: true, id: `attendee-${attendee.id}`, dataset: { form: 'attendee' } },
    h('p', { class: 'muted' }, `${attendee.ticket_name}. The ticket and its QR code stay the same.`),
    fields.name.wrap, fields.email.wrap, problem);
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'primary', form: form.id, dataset: { action: 'save-attendee' } }, 'Save');
  const dialog = modal({ title: 'Who is this ticket for?', body: form, actions: [cancel, submit], hook: 'attendee' });
  cancel.addEventListener('click', () => dialog.close());
  fields.name.input.focus();
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
    const body = { name: fields.name.input.value, email: fields.email.input.value.trim() };
    submit.disabled = true;
    try {
      await api.patch(`/orders/${order.id}/attendees/${attendee.id}`, body);
      dialog.close();
      toast('Saved.');
      onSaved();
    } catch (error) {
      // 409 event_started and the like are said as the server says them.
      problem.show(showFieldErrors(fields, error.details) ? 'Please correct the marked fields.' : api.describeError(error));
    } finally {
      submit.disabled = false;
    }
  });
}
