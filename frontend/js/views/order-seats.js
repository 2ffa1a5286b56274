// One seat of the order form: who the ticket is for (name, e-mail) and the event's questions that
// apply to its ticket, each control labelled, its error beside it and gone once it is changed.

import { field, h, showFieldError, uniqueId } from '../dom.js';

const asks = (question, ticketId) => !question.ticket_ids || question.ticket_ids.includes(ticketId);

function requiredText(question) {
  return question.required ? `${question.label} (required)` : question.label;
}

/** A group of controls (several choices) with one legend and one error line, like a field. */
function group(legendText, controls) {
  const error = h('p', { class: 'field-error', id: uniqueId('group-error'), hidden: true });
  const set = h('fieldset', { class: 'field choices' }, h('legend', {}, legendText), controls, error);
  return { wrap: set, input: set, error };
}

/** One question's control: {wrap, input, error, value()} (value undefined: not answered). */
function answerField(question) {
  const hook = { answer: question.id };
  if (question.kind === 'choice') {
    const select = h('select', { dataset: hook, 'aria-required': String(question.required) },
      h('option', { value: '' }, 'Choose…'), question.options.map((option) => h('option', { value: option }, option)));
    const parts = field(requiredText(question), select);
    return { ...parts, value: () => select.value || undefined };
  }
  if (question.kind === 'multiple') {
    const boxes = question.options.map((option) => h('input', { type: 'checkbox', value: option, dataset: { ...hook, option } }));
    const parts = group(requiredText(question), boxes.map((box) => h('label', { class: 'check' }, box, box.value)));
    const value = () => {
      const chosen = boxes.filter((box) => box.checked).map((box) => box.value);
      return chosen.length ? chosen : undefined;
    };
    return { ...parts, value };
  }
  if (question.kind === 'checkbox') {
    const box = h('input', { type: 'checkbox', id: uniqueId('answer'), dataset: hook, 'aria-required': String(question.required) });
    const error = h('p', { class: 'field-error', id: `${box.id}-error`, hidden: true });
    const wrap = h('div', { class: 'field' }, h('label', { class: 'check', for: box.id }, box, requiredText(question)), error);
    return { wrap, input: box, error, value: () => (box.checked ? true : undefined) };
  }
  const input = h('input', { type: 'text', maxlength: 1000, dataset: hook, 'aria-required': String(question.required) });
  const parts = field(requiredText(question), input);
  return { ...parts, value: () => input.value.trim() || undefined };
}

/** One seat: name, e-mail and the answers its ticket is asked. */
export function seatFields(ticket, number, questions) {
  const name = field('Name', h('input', { type: 'text', maxlength: 200, autocomplete: 'off', dataset: { attendeeName: '' } }));
  const email = field('E-mail', h('input', { type: 'email', maxlength: 254, autocomplete: 'off', dataset: { attendeeEmail: '' } }));
  const answers = questions.filter((question) => asks(question, ticket.id)).map((question) => [question.id, answerField(question)]);
  const node = h('fieldset', { class: 'seat', dataset: { seat: `${ticket.id}-${number}` } },
    h('legend', {}, `${ticket.name}, ticket ${number}`),
    h('p', { class: 'hint' }, 'Who is this ticket for? Leave name and e-mail empty if it is yours.'),
    h('div', { class: 'field-row' }, name.wrap, email.wrap), answers.map(([, parts]) => parts.wrap));
  const byPath = { name, email, ...Object.fromEntries(answers.map(([id, parts]) => [`answers.${id}`, parts])) };
  const seat = {
    node,
    value() {
      const given = {};
      for (const [id, parts] of answers) {
        const value = parts.value();
        if (value !== undefined) given[id] = value;
      }
      const entry = { answers: given };
      if (name.input.value.trim()) entry.name = name.input.value.trim();
      if (email.input.value.trim()) entry.email = email.input.value.trim();
      return entry;
    },
    showError(path, message) {
      if (!byPath[path]) return false;
      showFieldError(byPath[path], message);
      return true;
    },
    clearErrors() { Object.values(byPath).forEach((parts) => showFieldError(parts, '')); },
  };
  // A field's error goes once the field is changed (the server checks it again on the next try).
  for (const parts of Object.values(byPath)) {
    const clear = () => showFieldError(parts, '');
    parts.input.addEventListener('input', clear);
    parts.input.addEventListener('change', clear);
  }
  return seat;
}
