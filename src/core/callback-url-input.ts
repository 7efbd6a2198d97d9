/**
 * Validation of `eventcallbackurl` bodies (POST and PUT), with Mailjet-style messages that name the
 * property and what it allows. Pure: plain JSON in, a result out.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types.js';
import { stringifyJson } from './json.js';

export interface CallbackUrlInput {
  EventType?: EventType;
  IsBackup?: boolean;
  Status?: 'alive' | 'dead';
  Url?: string;
  Version?: 1 | 2;
}

export type InputProblem = { kind: 'invalid' | 'read-only'; message: string };

const READ_ONLY = ['ID', 'APIKeyID', 'APIKey'] as const;

/** True for an absolute http(s) URL with a host. @example isWebhookUrl('https://a.example/hook') // true */
export function isWebhookUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

// stringifyJson, not JSON.stringify: integers beyond 2^53 arrive as bigint.
const describe = (value: unknown) => (typeof value === 'string' ? `"${value}"` : stringifyJson(value));

const FIELDS = {
  EventType: {
    schema: z.enum(EVENT_TYPES),
    allowed: `one of ${EVENT_TYPES.join(', ')}`,
  },
  IsBackup: { schema: z.boolean(), allowed: 'a boolean (true or false)' },
  Status: { schema: z.enum(['alive', 'dead']), allowed: 'alive or dead' },
  Url: {
    schema: z.string().max(2048).refine(isWebhookUrl),
    allowed: 'an absolute http:// or https:// URL of at most 2048 characters',
  },
  Version: { schema: z.union([z.literal(1), z.literal(2)]), allowed: '1 or 2' },
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
