// The API's validation messages are written for developers ("ISO 8601 with offset"); people read
// these words instead, beside the field.

const PLAIN = [
  [/ISO 8601|date-time|datetime/i, 'Pick a date and time.'],
  [/ISO 4217|3-letter|currency code/i, 'Pick a currency from the list.'],
  [/must be a (whole number|integer)/i, 'Enter a whole number.'],
  [/must be a (decimal )?string|decimal string/i, 'Enter an amount such as 12.50.'],
  [/required|missing|must not be empty|can't be empty/i, 'This is needed.'],
  [/^#?[0-9a-f]{6}|hex colou?r/i, 'Pick a colour.'],
];

export function friendlyMessage(message) {
  const text = String(message || '');
  const plain = PLAIN.find(([pattern]) => pattern.test(text));
  return plain ? plain[1] : text;
}

/** A required field left empty: what to say, by the kind of control. */
export function emptyMessage(control) {
  if (control.type === 'datetime-local') return 'Pick a date and time.';
  if (control.tagName === 'SELECT') return 'Choose one.';
  return 'This is needed.';
}
