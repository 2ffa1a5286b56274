// What went wrong, in plain words for people, in this one place: our API's error codes as sentences,
// and its field messages (written for developers: "ISO 8601 with offset") as what to do instead.
// Codes and messages not listed keep the API's own wording.

const BY_CODE = {
  network_error: 'We could not reach Marquee. Check your connection and try again.',
  sold_out: 'Sorry, there are not enough tickets left. The counts below are up to date.',
  sales_closed: 'Sales for one of these tickets are not open right now.',
  invalid_code: 'This code does not work for this event. Check the spelling, or it may have been used up or expired.',
  too_many_requests: 'That was a lot of tries in a short time. Please wait a few minutes and try again.',
  not_admitted: 'You are in the queue for this event; you can order once it is your turn.',
  busy: 'Many people are ordering right now. Please try again in a moment.',
  conflict: 'Something changed at the same moment. Please try again.',
  forbidden: 'You are not allowed to do this.',
  not_found: 'This is no longer available. Reload the page to see what is.',
  payment_provider_error: 'The card payment service did not answer. Please try again in a minute.',
  order_closed: 'This order can no longer be paid: it is not awaiting payment any more. Reload to see where it stands.',
  not_card_payment: 'This event does not take card payments; the organizers explain how to pay.',
  idempotency_key_reused: 'This order was changed while it was being sent. Please check it and try again.',
};

const VALIDATION = 'Some details need your attention; see the marked fields.';

/** One sentence for a person about `error` (an ApiError or any Error). */
export function friendlyMessage(error) {
  if (!error) return 'Something went wrong. Please try again.';
  if (BY_CODE[error.code]) return BY_CODE[error.code];
  if (error.code === 'validation_error') return VALIDATION;
  if (error.status >= 500) return 'Something went wrong on our side. Please try again in a minute.';
  return error.message || 'Something went wrong. Please try again.';
}

const FIELD_PATTERNS = [
  [/ISO 8601|RFC 3339|date-?time/i, 'Pick a date and time.'],
  [/ISO 4217|3-letter|currency code/i, 'Pick a currency from the list.'],
  [/whole number|integer/i, 'Enter a whole number.'],
  [/decimal string/i, 'Enter an amount such as 29.50.'],
  [/required|missing|must not be empty|can't be empty/i, 'This is needed.'],
  [/^#?[0-9a-f]{6}|hex colou?r/i, 'Pick a colour.'],
];

/** A field's error message as a person should read it. */
export function friendlyFieldMessage(message) {
  const text = String(message || '');
  const found = FIELD_PATTERNS.find(([pattern]) => pattern.test(text));
  return found ? found[1] : text;
}

/** A required field left empty: what to say, by the kind of control. */
export function emptyMessage(control) {
  if (control.type === 'datetime-local') return 'Pick a date and time.';
  if (control.tagName === 'SELECT') return 'Choose one.';
  return 'This is needed.';
}
