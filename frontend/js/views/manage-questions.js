// The "Questions" tab of event management: what the order form asks each attendee (text, one
// choice, several choices, a checkbox), whether an answer is required and for which tickets. Every
// event role reads; whom `allowed.event.update` lets (organizers, co-organizers, staff) edits and
// saves the whole list at once (If-Match: a concurrent save is refused and the tab says to reload).

import * as api from '../api.js';
import { errorBox, field, h, showFieldError, toast, uniqueId } from '../dom.js';
import { guardUnsaved } from '../guard.js';

export const KINDS = {
  text: 'Text',
  choice: 'One choice',
  multiple: 'Several choices',
  checkbox: 'Checkbox (yes / no)',
};
const WITH_OPTIONS = new Set(['choice', 'multiple']);

export default async function renderQuestions(section, event, signal) {
  const path = `/events/${event.id}/questions`;
  const [stored, tickets] = await Promise.all([api.get(path), api.get(`/events/${event.id}/tickets`)]);
  const editable = event.allowed.event.update;
  section.append(h('h2', {}, 'Questions'),
    h('p', { class: 'muted' }, 'Asked for each attendee when tickets are ordered, after their name and e-mail.'));
  if (!editable) {
    section.append(readOnlyList(stored.questions, tickets));
    return;
  }
  const list = h('ol', { class: 'questions', dataset: { questions: '' } });
  const failure = errorBox('questions-error');
  let cards = [];
  const redraw = () => {
    list.replaceChildren(...cards.map((card, index) => {
      card.setPosition(index, cards.length);
      return card.node;
    }));
  };
  const move = (card, by) => {
    const from = cards.indexOf(card);
    const to = from + by;
    if (to < 0 || to >= cards.length) return;
    [cards[from], cards[to]] = [cards[to], cards[from]];
    redraw();
    card.focusMove(by);
  };
  const remove = (card) => {
    cards = cards.filter((other) => other !== card);
    redraw();
    addButton.focus();
  };
  const make = (question) => questionCard(question, tickets, { move, remove });
  cards = stored.questions.map(make);
  const addButton = h('button', { type: 'button', dataset: { action: 'add-question' } }, 'Add a question');
  addButton.addEventListener('click', () => {
    const card = make({ label: '', kind: 'text', options: [], required: false, ticket_ids: null });
    cards.push(card);
    redraw();
    card.focus();
  });
  const save = h('button', { type: 'submit', class: 'primary', dataset: { action: 'save-questions' } }, 'Save questions');
  const form = h('form', { novalidate: true, dataset: { form: 'questions' } },
    list, h('div', { class: 'actions' }, addButton), failure, h('div', { class: 'actions' }, save));
  section.append(form);
  redraw();
  const current = () => JSON.stringify(cards.map((card) => card.value()));
  let savedList = current();
  guardUnsaved(() => (current() === savedList ? '' : 'The questions have changes you have not saved.'), signal);
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    failure.show('');
    cards.forEach((card) => card.clearErrors());
    save.disabled = true;
    try {
      const saved = await api.put(path, { questions: cards.map((card) => card.value()) }, { ifMatch: true });
      cards = saved.questions.map(make);
      redraw();
      savedList = current();
      toast('Questions saved.');
    } catch (error) {
      if (error.status === 412) {
        failure.show('Someone else changed these questions meanwhile. Reload the page to see their version.');
        return;
      }
      let placed = false;
      for (const [where, message] of Object.entries(error.details || {})) {
        const found = /^questions\[(\d+)\]\.(\w+)(?:\[(\d+)\])?$/.exec(where);
        const card = found && cards[Number(found[1])];
        if (card && card.showError(found[2], found[3] === undefined ? null : Number(found[3]), message)) placed = true;
      }
      failure.show(placed ? 'Please correct the marked fields.' : api.describeError(error));
    } finally {
      save.disabled = false;
    }
  });
}

function readOnlyList(questions, tickets) {
  if (!questions.length) return h('p', { class: 'muted', dataset: { questions: '', empty: '' } }, 'No questions.');
  return h('ol', { class: 'questions', dataset: { questions: '' } }, questions.map((question) => h('li', { class: 'card' },
    h('strong', {}, question.label), ` · ${KINDS[question.kind]}`, question.required ? ' · required' : '',
    question.options.length ? h('p', {}, question.options.join(', ')) : null,
    h('p', { class: 'muted' }, ticketsText(question, tickets)))));
}

function ticketsText(question, tickets) {
  if (!question.ticket_ids) return 'Asked for every ticket.';
  const names = tickets.filter((ticket) => question.ticket_ids.includes(ticket.id)).map((ticket) => ticket.name);
  return names.length ? `Asked for: ${names.join(', ')}.` : 'Asked for no ticket on sale.';
}

/** One question's editor; `value()` is what PUT sends, `showError(field, index, message)` places a 422. */
function questionCard(question, tickets, { move, remove }) {
  const heading = h('h3', {});
  const label = field('Question', h('input', { type: 'text', maxlength: 200, value: question.label, dataset: { questionLabel: '' } }),
    { name: 'label' });
  const kind = field('Kind of answer', h('select', { dataset: { questionKind: '' } },
    Object.entries(KINDS).map(([value, text]) => h('option', { value }, text))), { name: 'kind' });
  kind.input.value = question.kind;
  const options = field('Options, one a line', h('textarea', { rows: 4, dataset: { questionOptions: '' } }),
    { name: 'options', hint: '2 to 50 different options, each up to 100 characters.' });
  options.input.value = question.options.join('\n');
  const required = h('input', { type: 'checkbox', checked: question.required, id: uniqueId('required'), dataset: { questionRequired: '' } });
  const everyTicket = h('input', { type: 'radio', name: uniqueId('scope'), value: 'all', checked: !question.ticket_ids, dataset: { questionScope: 'all' } });
  const someTickets = h('input', { type: 'radio', name: everyTicket.name, value: 'some', checked: Boolean(question.ticket_ids), dataset: { questionScope: 'some' } });
  const ticketBoxes = tickets.map((ticket) => ({
    ticket,
    box: h('input', { type: 'checkbox', checked: Boolean(question.ticket_ids?.includes(ticket.id)), dataset: { questionTicket: ticket.id } }),
  }));
  const ticketList = h('div', { class: 'ticket-choices' }, ticketBoxes.map(({ ticket, box }) => h('label', { class: 'check' }, box, ticket.name)));
  const scopeError = h('p', { class: 'field-error', id: uniqueId('scope-error'), hidden: true, dataset: { errorFor: 'ticket_ids' } });
  const scope = h('fieldset', { class: 'scope', 'aria-describedby': scopeError.id },
    h('legend', {}, 'Asked for'),
    h('label', { class: 'check' }, everyTicket, 'Every ticket'),
    h('label', { class: 'check' }, someTickets, 'These tickets:'), ticketList, scopeError);
  const scopeParts = { input: scope, error: scopeError };
  const up = h('button', { type: 'button', dataset: { action: 'question-up' } }, 'Move up');
  const down = h('button', { type: 'button', dataset: { action: 'question-down' } }, 'Move down');
  const drop = h('button', { type: 'button', class: 'danger', dataset: { action: 'remove-question' } }, 'Remove');
  const sync = () => {
    options.wrap.hidden = !WITH_OPTIONS.has(kind.input.value);
    ticketList.hidden = !someTickets.checked;
  };
  kind.input.addEventListener('change', sync);
  everyTicket.addEventListener('change', sync);
  someTickets.addEventListener('change', sync);
  const node = h('li', { class: 'card question', dataset: { question: question.id || 'new' } },
    heading, label.wrap, kind.wrap, options.wrap,
    h('div', { class: 'field' }, h('label', { class: 'check', for: required.id }, required, 'An answer is required')),
    scope, h('div', { class: 'actions' }, up, down, drop));
  sync();
  const card = {
    node,
    value() {
      const kindValue = kind.input.value;
      return {
        ...(question.id ? { id: question.id } : {}),
        label: label.input.value,
        kind: kindValue,
        options: WITH_OPTIONS.has(kindValue) ? options.input.value.split('\n').map((line) => line.trim()).filter(Boolean) : [],
        required: required.checked,
        ticket_ids: someTickets.checked ? ticketBoxes.filter(({ box }) => box.checked).map(({ ticket }) => ticket.id) : null,
      };
    },
    setPosition(index, count) {
      heading.textContent = `Question ${index + 1}`;
      up.disabled = index === 0;
      down.disabled = index === count - 1;
      const name = label.input.value.trim() || `question ${index + 1}`;
      up.setAttribute('aria-label', `Move ${name} up`);
      down.setAttribute('aria-label', `Move ${name} down`);
      drop.setAttribute('aria-label', `Remove ${name}`);
    },
    focus() { label.input.focus(); },
    focusMove(by) { (by < 0 && !up.disabled ? up : down).focus(); },
    clearErrors() { [label, kind, options, scopeParts].forEach((parts) => showFieldError(parts, '')); },
    showError(name, index, message) {
      const parts = { label, kind, options, ticket_ids: scopeParts }[name];
      if (!parts) return false;
      showFieldError(parts, index === null ? message : `${name === 'options' ? 'Option' : 'Ticket'} ${index + 1}: ${message}`);
      return true;
    },
  };
  up.addEventListener('click', () => move(card, -1));
  down.addEventListener('click', () => move(card, 1));
  drop.addEventListener('click', () => remove(card));
  label.input.addEventListener('input', () => card.setPosition([...node.parentNode.children].indexOf(node),
    node.parentNode.children.length));
  return card;
}
