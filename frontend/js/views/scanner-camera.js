// The door scanner's camera: the rear camera through getUserMedia, QR codes read by the browser's
// BarcodeDetector where it has one, else by jsQR (npm, served under /vendor/, loaded only then).

const JSQR_SCRIPT = 'vendor/jsqr/dist/jsQR.js';
const FRAME_MS = 150;
// The same code held in front of the camera is one scan, not ten: it is read again only after this.
const SAME_CODE_MS = 4000;

let jsqrLoading = null;

/** jsQR's UMD build as a classic script (it defines window.jsQR); once per page. */
function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  if (!jsqrLoading) {
    jsqrLoading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = JSQR_SCRIPT;
      script.addEventListener('load', () => (window.jsQR ? resolve(window.jsQR) : reject(new Error('jsQR did not load.'))));
      script.addEventListener('error', () => reject(new Error('The QR reader failed to load; reload to try again.')));
      document.head.append(script);
    }).catch((error) => {
      jsqrLoading = null;
      throw error;
    });
  }
  return jsqrLoading;
}

/** The browser's own QR reader, or null where it has none. */
async function nativeDetector() {
  if (!('BarcodeDetector' in window)) return null;
  const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
  return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
}

/** What the camera needs beyond this module on this browser (jsQR where there is no native
 * reader), so that the door can keep it for working offline before it has used the camera. */
export async function readerFiles() {
  return (await nativeDetector()) ? [] : [new URL(JSQR_SCRIPT, document.baseURI).href];
}

/** A reader: (video) -> the text of a QR code in the current frame, or null. */
async function makeReader() {
  const detector = await nativeDetector();
  if (detector) {
    return { kind: 'BarcodeDetector', read: async (video) => (await detector.detect(video))[0]?.rawValue || null };
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return {
    kind: 'jsQR',
    read: async (video) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      // A phone camera's frame scaled to at most 640 px wide: enough for a ticket's QR, and fast.
      const scale = Math.min(1, 640 / width);
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data || null;
    },
  };
}

/** Why the camera cannot be used, in words for the door staff. */
export function cameraMessage(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera access was refused. Allow the camera for this site in the browser settings, or type the code or search by name below.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Type the code or search by name below.';
    case 'NotReadableError':
      return 'The camera is in use by another app or could not be started. Close the other app and try again.';
    default:
      return error?.message || 'The camera could not be started.';
  }
}

/**
 * Starts the rear camera in `video` and calls `onCode(text)` for each QR code read (the same code
 * again only after a pause). Returns {stop, kind}; throws with a user-facing message when the camera
 * is refused or missing.
 */
export async function startCamera(video, onCode, { signal } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser cannot use the camera here (it needs a secure https:// page). Type the code or search by name below.');
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (error) {
    throw new Error(cameraMessage(error), { cause: error });
  }
  let reader;
  try {
    reader = await makeReader();
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    throw error;
  }
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  video.muted = true;
  await video.play().catch(() => {});
  let stopped = false;
  let timer = null;
  let last = { text: null, at: 0 };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  signal?.addEventListener('abort', stop);
  const tick = async () => {
    if (stopped) return;
    try {
      const text = video.readyState >= 2 ? await reader.read(video) : null;
      const now = Date.now();
      if (text && !stopped && (text !== last.text || now - last.at > SAME_CODE_MS)) {
        last = { text, at: now };
        onCode(text);
      } else if (text) {
        last.at = now;
      }
    } catch {
      // A frame that cannot be read (the camera still starting) is skipped; the next one is tried.
    }
    if (!stopped) timer = setTimeout(tick, FRAME_MS);
  };
  tick();
  return { stop, kind: reader.kind };
}
