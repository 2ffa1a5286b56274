// Wizard step "background": pick a file, crop 2:1 in a modal (Cropper.js), "Done" uploads at once with
// progress, the preview shows only what the server confirmed, "Remove" deletes it.

import * as api from '../api.js';
import { confirmDialog, errorBox, h, modal } from '../dom.js';
import { srcsetOf } from '../images.js';

const CROPPER_MODULE = '../../vendor/cropperjs/dist/cropper.esm.js';
const CROPPER_CSS = 'vendor/cropperjs/dist/cropper.min.css';
// Larger originals go straight to S3 through a presigned POST: as a data URL (4/3 of the size) in a JSON
// body they would pass the API's 6 MB limit (a 413 also falls back to the presigned POST).
const DIRECT_UPLOAD_LIMIT = 3 * 1024 * 1024;
const ACCEPTED = 'image/jpeg,image/png,image/webp,image/gif';

let cropperModule = null;
function loadCropper() {
  if (!document.querySelector('link[data-cropper-css]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: CROPPER_CSS, dataset: { cropperCss: '' } }));
  }
  cropperModule ||= import(CROPPER_MODULE).catch((error) => {
    cropperModule = null;
    throw error;
  });
  return cropperModule.then((module) => module.default);
}

export default function renderBackground(section, event) {
  const state = { url: event.background_url, variants: event.background_variants };
  const preview = h('div', { class: 'background-preview', dataset: { backgroundPreview: '' } });
  const fileInput = h('input', { type: 'file', id: 'background-file', accept: ACCEPTED, dataset: { backgroundFile: '' } });
  const progress = h('progress', { max: 100, value: 0, hidden: true, dataset: { uploadProgress: '' }, 'aria-label': 'Upload progress' });
  const status = h('p', { role: 'status', class: 'muted', dataset: { uploadStatus: '' } });
  const failure = errorBox('background-error');
  const remove = h('button', { type: 'button', class: 'danger', dataset: { action: 'remove-background' } }, 'Remove');

  function showPreview() {
    preview.replaceChildren();
    if (state.url) {
      preview.append(h('img', {
        src: state.url, srcset: srcsetOf(state.variants) || null, sizes: '(max-width: 680px) 100vw, 640px',
        alt: 'Current background image', dataset: { backgroundImage: '' },
      }));
    } else {
      preview.append(h('span', { class: 'muted' }, 'No background image yet.'));
    }
    remove.hidden = !state.url;
  }

  section.append(
    h('h2', { id: 'step-title' }, 'Background image'),
    h('p', { class: 'hint' }, 'A wide image shown at the top of the event page. You crop it to 2:1 before it is uploaded.'),
    preview,
    h('div', { class: 'field' }, h('label', { for: fileInput.id }, 'Choose an image'), fileInput),
    progress, status, failure,
    h('div', { class: 'actions' }, remove,
      h('a', { class: 'button primary', href: `#/events/${event.id}/edit/tickets`, dataset: { action: 'next' } }, 'Continue to tickets')),
  );
  showPreview();

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file) return;
    failure.show('');
    let crop;
    try {
      crop = await cropInModal(file);
    } catch (error) {
      failure.show(`The image cannot be opened for cropping: ${error.message}`);
      return;
    }
    if (!crop) return;
    await uploadBackground(file, crop);
  });

  async function uploadBackground(file, crop) {
    fileInput.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = 'Uploading…';
    const onProgress = (fraction) => {
      progress.value = Math.round(fraction * 90);
      status.textContent = `Uploading… ${progress.value} %`;
    };
    try {
      let result;
      if (file.size <= DIRECT_UPLOAD_LIMIT) {
        try {
          result = await api.upload('POST', `/events/${event.id}/background`, { image: await readAsDataUrl(file), crop }, { onProgress });
        } catch (error) {
          if (error.status !== 413) throw error;
          result = await uploadThroughS3(file, crop, onProgress);
        }
      } else {
        result = await uploadThroughS3(file, crop, onProgress);
      }
      progress.value = 100;
      const fresh = await api.get(`/events/${event.id}`);
      state.url = fresh.background_url || result.background_url;
      state.variants = fresh.background_variants;
      status.textContent = 'Background saved.';
      showPreview();
    } catch (error) {
      status.textContent = '';
      failure.show(api.describeError(error));
    } finally {
      progress.hidden = true;
      fileInput.disabled = false;
    }
  }

  async function uploadThroughS3(file, crop, onProgress) {
    const target = await api.post(`/events/${event.id}/background/upload-url`, {});
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields || {})) form.append(name, value);
    if (!('Content-Type' in (target.fields || {})) && file.type) form.append('Content-Type', file.type);
    form.append('file', file);
    await api.upload('POST', target.url, form, { onProgress, external: true });
    status.textContent = 'Processing…';
    return api.post(`/events/${event.id}/background`, { key: target.key, crop });
  }

  remove.addEventListener('click', async () => {
    if (!await confirmDialog('Remove the background image from this event?', { confirmLabel: 'Remove' })) return;
    failure.show('');
    remove.disabled = true;
    try {
      await api.del(`/events/${event.id}/background`);
      state.url = null;
      state.variants = null;
      status.textContent = 'Background removed.';
      showPreview();
    } catch (error) {
      failure.show(api.describeError(error));
    } finally {
      remove.disabled = false;
    }
  });
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(reader.result));
    reader.addEventListener('error', () => reject(new Error('The file cannot be read.')));
    reader.readAsDataURL(file);
  });
}

/** Resolves {x, y, width, height} in pixels of the image as displayed (EXIF orientation applied), or null. */
async function cropInModal(file) {
  const Cropper = await loadCropper();
  const url = URL.createObjectURL(file);
  const image = h('img', { src: url, alt: 'The image to crop' });
  await new Promise((resolve, reject) => {
    image.addEventListener('load', resolve, { once: true });
    image.addEventListener('error', () => reject(new Error('not an image this browser can show')), { once: true });
  });
  return new Promise((resolve) => {
    let result = null;
    let cropper = null;
    const done = h('button', { type: 'button', class: 'primary', dataset: { action: 'crop-done' } }, 'Done');
    const cancel = h('button', { type: 'button', dataset: { action: 'crop-cancel' } }, 'Cancel');
    const dialog = modal({
      title: 'Crop the background (2:1)',
      hook: 'crop',
      body: h('div', {},
        h('p', { class: 'hint' }, 'Drag to move the frame, drag its corners to resize; arrow keys move the image.'),
        h('div', { class: 'crop-area' }, image)),
      actions: [cancel, done],
      onClose: () => {
        cropper?.destroy();
        URL.revokeObjectURL(url);
        resolve(result);
      },
    });
    done.disabled = true;
    cropper = new Cropper(image, {
      aspectRatio: 2, viewMode: 1, autoCropArea: 1, checkOrientation: false, rotatable: false, scalable: false,
      background: false, ready() { done.disabled = false; },
    });
    dialog.addEventListener('keydown', (event) => {
      const moves = { ArrowLeft: [-5, 0], ArrowRight: [5, 0], ArrowUp: [0, -5], ArrowDown: [0, 5] };
      if (moves[event.key] && event.target === dialog.querySelector('.crop-area')) {
        event.preventDefault();
        cropper.move(...moves[event.key]);
      }
    });
    dialog.querySelector('.crop-area').tabIndex = 0;
    dialog.querySelector('.crop-area').setAttribute('aria-label', 'Crop area; arrow keys move the image');
    cancel.addEventListener('click', () => dialog.close());
    done.addEventListener('click', () => {
      const data = cropper.getData(true);
      result = { x: data.x, y: data.y, width: data.width, height: data.height };
      dialog.close();
    });
    done.focus();
  });
}
