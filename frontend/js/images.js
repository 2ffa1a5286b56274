// Responsive images from the server's background variants.

/** Normalizes {"980": url} / {"980": {url}} / [{width, url}] to [{width, url}], narrowest first. */
export function variantList(variants) {
  if (!variants) return [];
  const entries = Array.isArray(variants)
    ? variants.map((v) => [v.width, v.url])
    : Object.entries(variants).map(([key, v]) => [v && typeof v === 'object' ? (v.width ?? key) : key, v && typeof v === 'object' ? v.url : v]);
  return entries
    .map(([width, url]) => ({ width: Number.parseInt(width, 10), url }))
    .filter((v) => Number.isFinite(v.width) && typeof v.url === 'string' && v.url)
    .sort((a, b) => a.width - b.width);
}

export function srcsetOf(variants) {
  return variantList(variants).map((v) => `${v.url.replace(/ /g, '%20').replace(/,/g, '%2C')} ${v.width}w`).join(', ');
}
