/**
 * Validation of `parseroute` bodies (POST and PUT) and the address Mailjet assigns (docs/parse-api.md#register-a-route). `Url`
 * follows the eventcallbackurl rules (src/core/webhook-url.ts) plus Mailjet's "cannot be the root". Pure.
 */
import type { InputProblem } from './callback-url-input.js';
import { stringifyJson } from './json.js';
import { normalizeWebhookUrl } from './webhook-url.js';

export interface ParseRouteInput {
  Email?: string;
  Url?: string;
}

/** The domain of the addresses Mailjet assigns. */
export const PARSE_DOMAIN = 'parse-in1.mailjet.com';

const READ_ONLY = ['ID', 'APIKeyID', 'APIKey'];
const FIELDS = ['Email', 'Url'];
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** An address as mail systems take it: a local part and a dotted domain, no spaces or brackets. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * Checks a POST (`create`, `Url` required) or PUT (`update`) body of a parse route.
 *
 * @example
 * validateParseRouteInput({ Url: 'https://app.test/mj_parse' }, 'create') // { ok: true, value: { Url: 'https://app.test/mj_parse' } }
 * validateParseRouteInput({ Url: 'https://app.test/' }, 'create')         // { ok: false, problem: { kind: 'invalid', … cannot be the root … } }
 */
export function validateParseRouteInput(body: unknown, mode: 'create' | 'update'): { ok: true; value: ParseRouteInput } | { ok: false; problem: InputProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('The request body must be a JSON object with the properties of a parseroute');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (READ_ONLY.includes(key)) return { ok: false, problem: { kind: 'read-only', message: `MJ19 Setting a value for property "${key}" is not allowed` } };
    if (!FIELDS.includes(key)) return invalid(`Property "${key}" does not exist on resource parseroute: allowed properties are ${FIELDS.join(', ')}`);
  }
  const value: ParseRouteInput = {};
  if ('Url' in record) {
    const raw = record.Url;
    const expected = 'an absolute http:// or https:// URL with a path (not the root)';
    if (typeof raw !== 'string') return invalid(`Invalid value ${stringifyJson(raw)} for property "Url": expected ${expected}`);
    const url = normalizeWebhookUrl(raw);
    if (!url.ok) return invalid(`Invalid value ${stringifyJson(raw)} for property "Url": ${url.reason}`);
    if (new URL(url.url).pathname === '/') {
      return invalid(`Invalid value ${stringifyJson(raw)} for property "Url": it cannot be the root of the site; give a path, e.g. ${new URL('/mj_parse', url.url).href}`);
    }
    value.Url = url.url;
  }
  if ('Email' in record) {
    const raw = record.Email;
    if (typeof raw !== 'string' || raw.length > 254 || !ADDRESS.test(raw.trim())) {
      return invalid(`Invalid value ${stringifyJson(raw)} for property "Email": expected an email address, e.g. support@yourdomain.com`);
    }
    value.Email = raw.trim();
  }
  if (mode === 'create' && value.Url === undefined) return invalid(`Property "Url" is required: expected an absolute http:// or https:// URL with a path`);
  return { ok: true, value };
}

/**
 * A fresh address of the kind Mailjet assigns: 16 random URL-safe characters at `parse-in1.mailjet.com`.
 *
 * @example
 * assignedParseAddress(() => 0) // 'AAAAAAAAAAAAAAAA@parse-in1.mailjet.com'
 */
export function assignedParseAddress(random: () => number): string {
  let local = '';
  for (let i = 0; i < 16; i++) local += URL_SAFE[Math.floor(random() * URL_SAFE.length) % URL_SAFE.length];
  return `${local}@${PARSE_DOMAIN}`;
}

function invalid(message: string): { ok: false; problem: InputProblem } {
  return { ok: false, problem: { kind: 'invalid', message } };
}
