// Unsaved changes: the view on screen says what it has not saved; leaving it (another route, closing
// or reloading the tab) asks first instead of throwing the work away.

import { confirmDialog } from './dom.js';

let describe = null;

/** While `signal` lives, `unsaved()` returns a sentence about what is unsaved, or '' when nothing is. */
export function guardUnsaved(unsaved, signal) {
  describe = unsaved;
  signal?.addEventListener('abort', () => {
    if (describe === unsaved) describe = null;
  }, { once: true });
}

export function unsavedChanges() {
  return describe ? describe() : '';
}

/** Resolves true when nothing is unsaved or the person chose to leave (the guard is then dropped). */
export async function mayLeave() {
  const what = unsavedChanges();
  if (!what) return true;
  const leave = await confirmDialog(`${what} If you leave now, they are lost.`, {
    title: 'Leave without saving?', confirmLabel: 'Leave without saving', cancelLabel: 'Stay on this page', hook: 'leave',
  });
  if (leave) describe = null;
  return leave;
}

window.addEventListener('beforeunload', (event) => {
  if (!unsavedChanges()) return;
  event.preventDefault();
  event.returnValue = '';
});
