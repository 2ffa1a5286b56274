// Amounts as people read them, in the currency's own format ("€12.50", "¥300").

export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The exact sum of decimal strings ("12.50", "0.125"), as a decimal string: counted in thousandths
 * with BigInt, so no float rounding creeps into a revenue figure. */
export function sumAmounts(amounts) {
  let thousandths = 0n;
  for (const amount of amounts) {
    const match = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(String(amount ?? '').trim());
    if (!match) continue;
    const value = BigInt(match[2]) * 1000n + BigInt((match[3] || '').padEnd(3, '0'));
    thousandths += match[1] ? -value : value;
  }
  const sign = thousandths < 0n ? '-' : '';
  const absolute = thousandths < 0n ? -thousandths : thousandths;
  return `${sign}${absolute / 1000n}.${String(absolute % 1000n).padStart(3, '0')}`;
}
