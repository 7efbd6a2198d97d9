/**
 * Validation of `eventcallbackurl` bodies (POST and PUT), with Mailjet-style messages that name the
 * property and what it allows. Pure: plain JSON in, a result out.
 *
 * Mailjet's own PHP, C#, Java, Ruby and Python "grouped handler" examples send `"Version": "2"`, so
 * exactly the strings `"1"`/`"2"` for Version and `"true"`/`"false"` for IsBackup are accepted beside the
 * JSON types (docs/mailjet-api.md#eventcallbackurl-exactly); the answer always carries the canonical integer and boolean.
 * Nothing looser (`" 2"`, `"2.0"`, `"TRUE"`, `1` for a boolean) is guessed at.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types.js';
import { stringifyJson } from './json.js';
import { MAX_URL_LENGTH, normalizeWebhookUrl } from './webhook-url.js';

export interface CallbackUrlInput {
  EventType?: EventType;
  IsBackup?: boolean;
  Status?: 'alive' | 'dead';
  Url?: string;
  Version?: 1 | 2;
}

export type InputProblem = { kind: 'invalid' | 'read-only'; message: string };

const READ_ONLY = ['ID', 'APIKeyID', 'APIKey'] as const;

/**
 * True for a callback URL mjsim accepts (see webhook-url.ts).
 *
 * @example
 * isWebhookUrl('https://a.example/hook') // true
 * isWebhookUrl('http:///x')              // false
 */
export function isWebhookUrl(value: string): boolean {
  return normalizeWebhookUrl(value).ok;
}

// stringifyJson, not JSON.stringify: integers beyond 2^53 arrive as bigint; strings come out JSON-escaped,
// so a control character in a value is shown as \r or \u0000 rather than breaking the message.
const describe = (value: unknown) => stringifyJson(value);

const FIELDS = {
  EventType: {
    // A string enum in META (AnsiString with AllowedValues) and in node-mailjet's body typings: the
    // numeric codes (open = 6) are only a list filter (TTriggerEvent), not a body value.
    schema: z.enum(EVENT_TYPES),
    allowed: `one of ${EVENT_TYPES.join(', ')}`,
  },
  IsBackup: {
    schema: z.union([z.boolean(), z.literal('true').transform(() => true), z.literal('false').transform(() => false)]),
    allowed: 'a boolean (true or false; the strings "true" and "false" are accepted too)',
  },
  Status: { schema: z.enum(['alive', 'dead']), allowed: 'alive or dead' },
  Url: {
    schema: z.string(),
    allowed: `an absolute http:// or https:// URL of at most ${MAX_URL_LENGTH} characters`,
  },
  Version: {
    schema: z.union([z.literal(1), z.literal(2), z.literal('1').transform(() => 1 as const), z.literal('2').transform(() => 2 as const)]),
    allowed: '1 or 2 (the strings "1" and "2" are accepted too)',
  },
} as const;

type Field = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/**
 * Checks a POST (`create`) or PUT (`update`) body. Create needs `EventType` and `Url`.
 *
 * @example
 * validateCallbackUrlInput({ EventType: 'open', Url: 'https://x.test/h' }, 'create') // { ok: true, value: {...} }
 * validateCallbackUrlInput({ Version: 3 }, 'update') // { ok: false, problem: { kind: 'invalid', message: '...' } }
 */
export function validateCallbackUrlInput(
  body: unknown,
  mode: 'create' | 'update',
): { ok: true; value: CallbackUrlInput } | { ok: false; problem: InputProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('The request body must be a JSON object with the properties of an eventcallbackurl');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if ((READ_ONLY as readonly string[]).includes(key)) {
      return { ok: false, problem: { kind: 'read-only', message: `MJ19 Setting a value for property "${key}" is not allowed` } };
    }
    if (!(FIELD_NAMES as string[]).includes(key)) {
      return invalid(`Property "${key}" does not exist on resource eventcallbackurl: allowed properties are ${FIELD_NAMES.join(', ')}`);
    }
  }
  const value: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    if (!(name in record)) continue;
    const field = FIELDS[name];
    const parsed = field.schema.safeParse(record[name]);
    if (!parsed.success) return invalid(`Invalid value ${describe(record[name])} for property "${name}": expected ${field.allowed}`);
    value[name] = parsed.data;
    if (name === 'Url') {
      // Stored and shown as normalized: the exact URL the deliveries request.
      const url = normalizeWebhookUrl(parsed.data as string);
      if (!url.ok) return invalid(`Invalid value ${describe(record[name])} for property "Url": ${url.reason}`);
      value.Url = url.url;
    }
  }
  if (mode === 'create') {
    for (const required of ['EventType', 'Url'] as const) {
      if (value[required] === undefined) return invalid(`Property "${required}" is required: expected ${FIELDS[required].allowed}`);
    }
  }
  return { ok: true, value: value as CallbackUrlInput };
}

function invalid(message: string): { ok: false; problem: InputProblem } {
  return { ok: false, problem: { kind: 'invalid', message } };
}
