// The organizer's compose dialog: subject, body (plain text or Markdown), which tickets' attendees
// (none chosen: all), how many tickets that reaches, and a preview rendered by the server exactly
// as the e-mail will be. Sending stores the message; the mail goes out right after.

import * as api from '../api.js';
import { errorBox, field, h, modal, showFieldError, showFieldErrors, toast } from '../dom.js';
import { safeFragment } from '../safe-html.js';

function ticketPicker(tickets) {
  const boxes = tickets.map((ticket) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: ticket.id, dataset: { messageTicket: ticket.id } }), ` ${ticket.name}`));
  const wrap = h('fieldset', { class: 'choices', dataset: { messageTickets: '' } },
    h('legend', {}, 'To the attendees of which tickets? None chosen: every attendee.'), ...boxes);
  const chosen = () => boxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
  return { wrap, chosen };
}

export function openMessageDialog(event, tickets, onSent) {
  const fields = {
    subject: field('Subject', h('input', { type: 'text', maxlength: 150, dataset: { messageSubject: '' } }), { name: 'subject' }),
    body: field('Message', h('textarea', { rows: 8, maxlength: 20000, dataset: { messageBody: '' } }),
      { name: 'body', hint: 'Plain text, or Markdown: **bold**, *italic*, [a link](https://example.com), lists. Images and HTML are not sent.' }),
  };
  const picker = ticketPicker(tickets);
  const count = h('p', { class: 'muted', role: 'status', dataset: { recipientCount: '' } }, 'Counting recipients…');
  const preview = h('div', { class: 'message-preview', dataset: { messagePreview: '' }, hidden: true });
  const problem = errorBox('message-error');
  const form = h('form', { novalidate: true, id: 'compose-message', dataset: { form: 'message' } },
    fields.subject.wrap, fields.body.wrap, picker.wrap, count, preview, problem);

  let counting = 0;
  async function recount() {
    counting += 1;
    const mine = counting;
    const chosen = picker.chosen();
    const query = chosen.length ? `?ticket_ids=${chosen.map(encodeURIComponent).join(',')}` : '';
    try {
      const { count: reached } = await api.get(`/events/${event.id}/messages/recipients${query}`);
      if (mine === counting) {
        count.textContent = `Goes to the holders of ${reached} valid ticket${reached === 1 ? '' : 's'}`
          + ' (one e-mail per address; people who unsubscribed get none).';
      }
    } catch (error) {
      if (mine === counting) count.textContent = api.describeError(error);
    }
  }
  picker.wrap.addEventListener('change', recount);

  function body() {
    const chosen = picker.chosen();
    return { subject: fields.subject.input.value, body: fields.body.input.value, ...(chosen.length ? { ticket_ids: chosen } : {}) };
  }
  function showError(error) {
    const placed = showFieldErrors(fields, error.details);
    const others = Object.entries(error.details || {}).filter(([name]) => !fields[name]).map(([, message]) => message);
    problem.show(others.length ? others.join(' ') : placed ? 'Please correct the marked fields.' : api.describeError(error));
  }
  function reset() {
    Object.values(fields).forEach((f) => showFieldError(f, ''));
    problem.show('');
  }

  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' } }, 'Cancel');
  const previewButton = h('button', { type: 'button', dataset: { action: 'preview-message' } }, 'Preview');
  const send = h('button', { type: 'submit', class: 'primary', form: form.id, dataset: { action: 'send-message' } }, 'Send');
  const dialog = modal({ title: `Write to the attendees of ${event.name}`, body: form, actions: [cancel, previewButton, send], hook: 'compose' });
  cancel.addEventListener('click', () => dialog.close());
  previewButton.addEventListener('click', async () => {
    reset();
    try {
      const shown = await api.post(`/events/${event.id}/messages/preview`, body());
      preview.replaceChildren(h('p', { class: 'muted' }, 'Preview: ', h('strong', {}, shown.subject)),
        h('div', { class: 'message-body' }, safeFragment(shown.html)));
      preview.hidden = false;
    } catch (error) {
      showError(error);
    }
  });
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    reset();
    send.disabled = true;
    try {
      const message = await api.post(`/events/${event.id}/messages`, body());
      dialog.close();
      toast(`“${message.subject}” is on its way.`);
      onSent(message);
    } catch (error) {
      showError(error);
    } finally {
      send.disabled = false;
    }
  });
  fields.subject.input.focus();
  recount();
}
