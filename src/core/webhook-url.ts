/**
 * Callback URL hygiene: the URL mjsim stores and shows must be the URL it requests. WHATWG URL parsing
 * (what `new URL` and every HTTP client here use) silently drops tabs and line breaks, trims control
 * characters and reads `http:///x` as the host `x`; such inputs are refused. Everything else is stored in
 * its normalized form (`new URL(x).href`), which is exactly what the delivery requests. Pure.
 */

/** The longest URL accepted, before and after normalization. */
export const MAX_URL_LENGTH = 2048;

export type WebhookUrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

const CONTROL_NAMES: Readonly<Record<number, string>> = { 0: 'NUL', 9: 'tab', 10: 'line feed', 13: 'carriage return', 127: 'DEL' };

/**
 * Checks a callback URL and returns its normalized form, or why it is refused.
 *
 * @example
 * normalizeWebhookUrl('HTTPS://Hooks.Example.com')  // { ok: true, url: 'https://hooks.example.com/' }
 * normalizeWebhookUrl('http:///x')                  // { ok: false, reason: 'the host is empty: …' }
 * normalizeWebhookUrl('https://a.test/h\r\nX: y')   // { ok: false, reason: 'it contains the control character U+000D …' }
 */
export function normalizeWebhookUrl(raw: string): WebhookUrlCheck {
  if (raw.length > MAX_URL_LENGTH) return refuse(`it is longer than ${MAX_URL_LENGTH} characters`);
  // C0 controls and DEL: the parser would strip or drop them, so the URL requested would differ from this one.
  const control = /[\u0000-\u001f\u007f]/.exec(raw);
  if (control) {
    const code = control[0].charCodeAt(0);
    const name = CONTROL_NAMES[code];
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    return refuse(`it contains the control character U+${hex}${name ? ` (${name})` : ''} at index ${control.index}; percent-encode it (%${hex.slice(2)}) if it is meant`);
  }
  const scheme = /^(https?):/i.exec(raw);
  if (!scheme) return refuse(EXPECTED);
  const rest = raw.slice(scheme[0].length);
  // For http(s) the parser skips any run of slashes and backslashes before the host; require exactly `//host`.
  if (!rest.startsWith('//')) return refuse(`${EXPECTED}: "${scheme[0]}" must be followed by "//" and the host`);
  if (/^[/\\?#]|^$/.test(rest.slice(2))) {
    return refuse(`the host is empty: after "${scheme[0]}//" comes ${rest.length === 2 ? 'nothing' : `"${rest[2]}"`}, and such a URL would be requested from another host than the one shown`);
  }
  if (!URL.canParse(raw)) return refuse(EXPECTED);
  const url = new URL(raw);
  if (url.hostname === '') return refuse('the host is empty');
  if (url.href.length > MAX_URL_LENGTH) return refuse(`its normalized form is longer than ${MAX_URL_LENGTH} characters`);
  return { ok: true, url: url.href };
}

const EXPECTED = 'expected an absolute http:// or https:// URL';

function refuse(reason: string): WebhookUrlCheck {
  return { ok: false, reason };
}

/**
 * A URL with its userinfo replaced by `***`, for storage and display.
 *
 * @example
 * maskCredentials('https://user:pass@hooks.test/x') // 'https://***:***@hooks.test/x'
 */
export function maskCredentials(url: string): string {
  // Without an '@' there is no userinfo to mask (every claim passes here: parsing each URL showed in profiles).
  if (!url.includes('@') || !URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  if (parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
