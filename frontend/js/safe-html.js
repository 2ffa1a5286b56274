// The server's sanitized HTML of a message body (the same rendering as its e-mail), rebuilt as DOM
// nodes from a short list of elements, text always through text nodes: never innerHTML. Anything
// else (an unknown element, any attribute but a link's http(s) / mailto href) is left out.

import { h } from './dom.js';

const ALLOWED = new Set(['p', 'br', 'strong', 'em', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a']);
const SAFE_LINK = /^(https?:|mailto:)/i;

function rebuild(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.tagName.toLowerCase();
  const children = [...node.childNodes].map(rebuild);
  if (!ALLOWED.has(tag)) return children;
  if (tag === 'a') {
    const href = node.getAttribute('href') || '';
    return SAFE_LINK.test(href) ? h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, children) : children;
  }
  return h(tag, {}, children);
}

/** A fragment showing `html` (parsed inert: DOMParser runs no script and loads nothing). */
export function safeFragment(html) {
  const parsed = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const fragment = document.createDocumentFragment();
  for (const child of parsed.body.childNodes) {
    const built = rebuild(child);
    for (const piece of [built].flat(Infinity)) {
      if (piece === null || piece === undefined) continue;
      fragment.append(piece instanceof Node ? piece : document.createTextNode(String(piece)));
    }
  }
  return fragment;
}
