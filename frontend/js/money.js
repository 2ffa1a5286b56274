// Amounts as people read them, in the currency's own format ("€12.50", "¥300"), "Free" for nothing,
// and amounts people type ("29,50" with a decimal comma) as the API's decimal strings ("29.50").

export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A price on a page: "Free" when it costs nothing, else the amount in its currency. */
export function priceLabel(amount, currency) {
  return Number(amount) === 0 ? 'Free' : formatMoney(amount, currency);
}

/** "29,50", "29.5", "1.234,50", "1,234.50" -> "29.50" / "29.5" / "1234.50"; null when it is no amount. */
export function parseAmount(text) {
  const typed = String(text ?? '').replace(/[\s\u00a0\u202f']/g, '');
  const match = /^(\d{1,3}(?:([.,])\d{3})*|\d+)(?:([.,])(\d{1,2}))?$/.exec(typed);
  if (!match) return null;
  const [, whole, grouping, separator, cents] = match;
  // "1,234" reads as a thousand; "1,23" or "1,5" as a decimal comma.
  if (grouping && separator === grouping) return null;
  const units = grouping ? whole.split(grouping).join('') : whole;
  return cents === undefined ? units : `${units}.${cents}`;
}

// Sums in thousandths as whole numbers (never float arithmetic on money; 3 decimals covers every currency).
const SCALE = 1000;

export function toMinor(amount) {
  const text = String(amount ?? '').trim();
  const negative = text.startsWith('-');
  const [units, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const minor = Number(units) * SCALE + Number(fraction.padEnd(3, '0').slice(0, 3));
  return negative ? -minor : minor;
}

export function fromMinor(minor) {
  const absolute = Math.abs(minor);
  const fraction = String(absolute % SCALE).padStart(3, '0');
  return `${minor < 0 ? '-' : ''}${Math.floor(absolute / SCALE)}.${fraction}`;
}

/** The exact sum of decimal strings ("12.50", "-0.125"), as a decimal string (a revenue figure). */
export function sumAmounts(amounts) {
  return fromMinor(amounts.reduce((sum, amount) => sum + toMinor(amount), 0));
}
