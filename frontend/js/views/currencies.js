// The currencies an event can sell in, named in the browser's language, and a first guess of the
// organizer's: from the event's time zone, else the browser's region, else US dollars.

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'INR', 'JPY', 'CHF', 'CAD', 'AUD', 'SGD', 'SEK', 'NOK', 'DKK', 'PLN', 'BRL', 'MXN', 'ZAR'];

const EURO_ZONES = ['Amsterdam', 'Athens', 'Berlin', 'Bratislava', 'Brussels', 'Dublin', 'Helsinki', 'Lisbon',
  'Ljubljana', 'Luxembourg', 'Madrid', 'Malta', 'Paris', 'Riga', 'Rome', 'Tallinn', 'Vienna', 'Vilnius', 'Zagreb',
  'Monaco', 'Andorra', 'San_Marino', 'Vatican'].map((city) => `Europe/${city}`);

const BY_ZONE = {
  ...Object.fromEntries(EURO_ZONES.map((zone) => [zone, 'EUR'])),
  'Atlantic/Canary': 'EUR', 'Atlantic/Madeira': 'EUR', 'Atlantic/Azores': 'EUR',
  'Europe/London': 'GBP', 'Europe/Zurich': 'CHF', 'Europe/Stockholm': 'SEK', 'Europe/Oslo': 'NOK',
  'Europe/Copenhagen': 'DKK', 'Europe/Warsaw': 'PLN', 'Asia/Kolkata': 'INR', 'Asia/Calcutta': 'INR',
  'Asia/Tokyo': 'JPY', 'Asia/Singapore': 'SGD', 'America/Sao_Paulo': 'BRL', 'America/Mexico_City': 'MXN',
  'Africa/Johannesburg': 'ZAR', 'America/Toronto': 'CAD', 'America/Vancouver': 'CAD', 'America/Edmonton': 'CAD',
  'America/Winnipeg': 'CAD', 'America/Halifax': 'CAD', 'America/St_Johns': 'CAD', 'America/Regina': 'CAD',
};

const BY_REGION = {
  DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', BE: 'EUR', AT: 'EUR', IE: 'EUR', PT: 'EUR', FI: 'EUR',
  GR: 'EUR', GB: 'GBP', CH: 'CHF', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', IN: 'INR', JP: 'JPY', SG: 'SGD',
  CA: 'CAD', AU: 'AUD', BR: 'BRL', MX: 'MXN', ZA: 'ZAR', US: 'USD',
};

function browserRegion() {
  try {
    return new Intl.Locale(navigator.language || 'en-US').maximize().region || '';
  } catch {
    return '';
  }
}

export function currencyFor(timeZone) {
  if (BY_ZONE[timeZone]) return BY_ZONE[timeZone];
  if (timeZone?.startsWith('Australia/')) return 'AUD';
  if (timeZone?.startsWith('America/') && !timeZone.startsWith('America/Argentina')) return 'USD';
  return BY_REGION[browserRegion()] || 'USD';
}

/** [code, "EUR — Euro"] for the select; a stored code not in the list stays choosable. */
export function currencyChoices(current) {
  let names = null;
  try {
    names = new Intl.DisplayNames(undefined, { type: 'currency' });
  } catch {
    names = null;
  }
  const codes = CURRENCIES.includes(current) || !current ? CURRENCIES : [current, ...CURRENCIES];
  return codes.map((code) => [code, names ? `${code} — ${names.of(code)}` : code]);
}
