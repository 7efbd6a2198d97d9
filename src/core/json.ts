/**
 * JSON that keeps integers above 2^53 exact. Mailjet's MessageIDs exceed Number.MAX_SAFE_INTEGER, so they
 * are carried as `bigint` and written as bare JSON integers: never round-tripped through a JS number.
 */

/** A JSON value in which big integers are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `JSON.stringify` that writes `bigint` as an exact integer and skips `undefined` properties.
 *
 * @example
 * stringifyJson({ MessageID: 576460765503091475n }) // '{"MessageID":576460765503091475}'
 */
export function stringifyJson(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (value[i] === undefined ? 'null' : stringifyJson(value[i]));
        return `[${out}]`;
      }
      // Every stored event payload passes here: plain loops and string appends, no intermediate arrays.
      let out = '';
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function') continue;
        out += (out === '' ? '' : ',') + quotedKey(key) + ':' + stringifyJson(item);
      }
      return `{${out}}`;
    }
    default:
      return 'null';
  }
}

/** Payloads repeat a few dozen keys; quoting one is the costliest step of writing it, so the quoted form is kept. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 1_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * `JSON.parse` that returns integers of 16 digits or more as `bigint` when they are not exact as numbers.
 * Only bare integers outside strings are touched.
 *
 * @example
 * parseJson('{"MessageID":576460765503091475}') // { MessageID: 576460765503091475n }
 */
export function parseJson(text: string): JsonValue {
  // Most bodies have no run of 16 digits at all: then no integer can be unsafe, and the plain parse (no
  // reviver, which costs more than the parse itself) gives the same value.
  if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text) as JsonValue;
  const marked = markBigIntegers(text);
  return JSON.parse(marked, (_key, value) => {
    if (typeof value === 'string' && value.startsWith(BIG_MARK)) return BigInt(value.slice(BIG_MARK.length));
    return value;
  }) as JsonValue;
}

const BIG_MARK = '\u0000bigint:';
const SIXTEEN_DIGITS = /\d{16}/;

/** Wraps unsafe integer tokens in marked strings, scanning so that digits inside strings stay untouched. */
function markBigIntegers(text: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
      i++;
      continue;
    }
    if (ch === 45 || (ch >= 48 && ch <= 57)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) j++;
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += text.slice(last, i) + JSON.stringify(BIG_MARK + token);
        last = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}
