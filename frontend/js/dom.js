// DOM building without HTML strings: every piece of user text goes in through text nodes.

/**
 * h('button', {class: 'primary', dataset: {action: 'save'}, onclick: fn}, 'Save')
 * Attributes: class, dataset (data-*), on<event> listeners, DOM properties (value, checked, disabled,
 * hidden, htmlFor...) and anything else as an attribute. Children: nodes, strings, numbers, arrays, null.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in PROPERTIES) node[PROPERTIES[key]] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

const PROPERTIES = {
  value: 'value', checked: 'checked', disabled: 'disabled', hidden: 'hidden', for: 'htmlFor',
  textContent: 'textContent', multiple: 'multiple', required: 'required',
};

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Adds the stylesheet at `url` (once) to the page; resolves when it is loaded (or failed to). Views
 * with styles of their own load them so, and pages that do not show them do not download them. */
export function useStylesheet(url) {
  const href = new URL(url, location.href).href;
  if ([...document.querySelectorAll('link[rel=stylesheet]')].some((link) => link.href === href)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href });
    link.addEventListener('load', resolve);
    link.addEventListener('error', resolve);
    document.head.append(link);
  });
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

let uid = 0;
export function uniqueId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field; returns {wrap, input, error} so callers can show errors next to it. */
export function field(labelText, control, { hint, name } = {}) {
  const id = control.id || uniqueId(name || 'field');
  control.id = id;
  if (name && !control.name) control.name = name;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true, dataset: { errorFor: name || id } });
  const hintNode = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const described = [hintNode && hintNode.id].filter(Boolean).join(' ');
  if (described) control.setAttribute('aria-describedby', described);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintNode, error);
  return { wrap, input: control, error };
}

export function showFieldError(fieldParts, message) {
  const { input, error } = fieldParts;
  if (message) {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
    ids.add(error.id);
    input.setAttribute('aria-describedby', [...ids].join(' '));
  } else {
    error.textContent = '';
    error.hidden = true;
    input.removeAttribute('aria-invalid');
  }
}

/** Each message of an error's `details` beside its field of `fields` ({name: field(...)});
 * true when at least one was placed. */
export function showFieldErrors(fields, details) {
  let placed = false;
  for (const [name, message] of Object.entries(details || {})) {
    if (Object.hasOwn(fields, name) && typeof message === 'string') {
      showFieldError(fields[name], message);
      placed = true;
    }
  }
  return placed;
}

/** An error box that screen readers announce; empty message hides it. */
export function errorBox(dataHook = 'error') {
  const node = h('div', { class: 'error-box', role: 'alert', hidden: true, dataset: { [camel(dataHook)]: '' } });
  node.show = (message) => {
    node.textContent = message || '';
    node.hidden = !message;
  };
  return node;
}

function camel(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

/** A modal <dialog>: showModal() makes the rest of the page inert, so focus stays inside. */
export function modal({ title, body, actions, onClose, hook = 'modal' }) {
  const heading = h('h2', { id: uniqueId('dialog-title') }, title);
  const dialog = h('dialog', { 'aria-labelledby': heading.id, dataset: { modal: hook } },
    heading, body, h('div', { class: 'actions' }, actions));
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (onClose) onClose(dialog.returnValue);
  });
  const opener = document.activeElement;
  dialog.addEventListener('close', () => {
    if (opener && opener.isConnected) opener.focus();
  });
  // showModal() makes the page inert; Tab must also not leave the dialog for the browser's own UI.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((node) => !node.disabled && node.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Ask before a destructive action; resolves true when confirmed. */
export function confirmDialog(question, { confirmLabel = 'Delete', title = 'Are you sure?', cancelLabel = 'Cancel', hook = 'confirm' } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const cancel = h('button', { type: 'button', dataset: { action: 'cancel' }, onclick: () => dialog.close() }, cancelLabel);
    const ok = h('button', {
      type: 'button', class: 'danger', dataset: { action: 'confirm' },
      onclick: () => { answer = true; dialog.close(); },
    }, confirmLabel);
    const dialog = modal({ title, body: h('p', {}, question), actions: [cancel, ok], hook,
      onClose: () => resolve(answer) });
    cancel.focus();
  });
}

export function toast(message, { timeout = 5000 } = {}) {
  const host = document.querySelector('[data-toasts]');
  if (!host) return;
  const node = h('div', { class: 'toast', dataset: { toast: '' } }, message);
  host.append(node);
  setTimeout(() => node.remove(), timeout);
}

/** Values of a form's named controls as strings (checkboxes as booleans). */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name) continue;
    values[control.name] = control.type === 'checkbox' ? control.checked : control.value;
  }
  return values;
}
