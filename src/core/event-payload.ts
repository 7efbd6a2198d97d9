/**
 * Builds Mailjet event payloads exactly as Mailjet's documented samples (docs/delivery.md#delivery): common fields first, in the
 * documented order, then the type's own fields, then anything extra the caller gave. Pure: every
 * identifier and random choice comes in through `EventContext`.
 */
import { LATEST_TIME_MS } from './clock-range.js';
import type { EventType } from './event-types.js';
import type { JsonValue } from './json.js';

export type EventPayload = { [key: string]: JsonValue };

/** Everything a payload needs that is not pure: time, IDs, and a random source. */
export interface EventContext {
  /** Clock time of the event, epoch ms. */
  readonly time: number;
  readonly messageId: bigint;
  readonly messageGuid: string;
  /** Uniform [0, 1). */
  readonly random: () => number;
}

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
];
const GEOS = ['US', 'FR', 'DE', 'GB', 'ES', 'BR', 'CA'];

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

/**
 * A stable positive integer for a string (FNV-1a), used for `mj_contact_id` per address and
 * `mj_campaign_id` per campaign.
 *
 * @example
 * stableId('api@mailjet.com') === stableId('API@mailjet.com') // true
 */
export function stableId(text: string, modulo = 1_000_000_000): number {
  let hash = 0x811c9dc5;
  for (const char of text.toLowerCase()) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % modulo) + 1;
}

/** Reads a MessageID given as number, bigint or digit string. */
export function toMessageId(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** The largest `time` a given event may carry: the last second of year 9999 (see clock-range.ts). */
const MAX_EVENT_SECONDS = Math.floor(LATEST_TIME_MS / 1000);
/** MessageIDs are unsigned 64-bit integers. */
const MAX_MESSAGE_ID = (1n << 64n) - 1n;

/**
 * What is wrong with the `time` and `MessageID` a caller gave for an event, or `null`. Both must be
 * non-negative integers: `time` Unix seconds up to year 9999, `MessageID` exact (a bigint, or digits, above
 * 2^53) and below 2^64. `-0` is refused as written: it is not how an ID or a time is written.
 *
 * @example
 * givenFieldProblem({ time: 1e309 })    // '"time" must be Unix seconds: a whole number from 0 to 253402300799'
 * givenFieldProblem({ MessageID: 5n })  // null
 */
export function givenFieldProblem(given: EventPayload): string | null {
  const time = given.time;
  if (time !== undefined && !(typeof time === 'number' && Number.isSafeInteger(time) && !Object.is(time, -0) && time >= 0 && time <= MAX_EVENT_SECONDS)) {
    return `"time" must be Unix seconds: a whole number from 0 to ${MAX_EVENT_SECONDS}`;
  }
  const id = given.MessageID;
  if (id === undefined) return null;
  const exact =
    typeof id === 'bigint' ? id : typeof id === 'number' && Number.isSafeInteger(id) && !Object.is(id, -0) ? BigInt(id) : typeof id === 'string' && /^\d+$/.test(id) ? BigInt(id) : null;
  if (exact === null || exact < 0n || exact > MAX_MESSAGE_ID) {
    return `"MessageID" must be a whole number from 0 to ${MAX_MESSAGE_ID}, written exactly (no exponent, no -0)`;
  }
  return null;
}

/**
 * A complete payload of `type`; any field in `given` wins over the generated one.
 *
 * @example
 * buildEventPayload('bounce', { email: 'x@example.com' }, ctx)
 * // { event: 'bounce', time: 1767225600, MessageID: 576460752303423489n, ..., hard_bounce: true, error: 'user unknown', ... }
 */
export function buildEventPayload(type: EventType, given: EventPayload, ctx: EventContext): EventPayload {
  const messageId = toMessageId(given.MessageID) ?? ctx.messageId;
  const email = typeof given.email === 'string' ? given.email : 'recipient@example.com';
  const customcampaign = typeof given.customcampaign === 'string' ? given.customcampaign : '';
  // Built in one object (common fields, then the type's), then the given fields: every send builds one, and
  // three spread objects cost it more than the rest of its payload work.
  const payload: EventPayload = {
    event: type,
    time: Math.floor(ctx.time / 1000),
    MessageID: messageId,
    Message_GUID: ctx.messageGuid,
    email,
    mj_campaign_id: customcampaign ? stableId(`campaign:${customcampaign}`, 100_000) : 0,
    mj_contact_id: stableId(email),
    customcampaign,
    CustomID: '',
    Payload: '',
  };
  addTypeFields(payload, type, messageId, ctx);
  // Defined, not assigned: a given "__proto__" is a field like any other, never the payload's prototype.
  for (const key of Object.keys(given)) Object.defineProperty(payload, key, { value: given[key], writable: true, enumerable: true, configurable: true });
  payload.event = type;
  payload.MessageID = messageId;
  if (type === 'sent' && given.mj_message_id === undefined) payload.mj_message_id = messageId.toString();
  return payload;
}

/** Adds the fields of `type` to `payload`, after the common ones. */
function addTypeFields(payload: EventPayload, type: EventType, messageId: bigint, ctx: EventContext): void {
  const seconds = Math.floor(ctx.time / 1000);
  switch (type) {
    case 'sent':
      payload.mj_message_id = messageId.toString();
      payload.smtp_reply = `sent (250 2.0.0 OK ${seconds} ${Math.floor(ctx.random() * 1e9).toString(36)}.${Math.floor(ctx.random() * 1000)} - gsmtp)`;
      return;
    case 'open':
      payload.ip = '127.0.0.1';
      payload.geo = pick(GEOS, ctx.random);
      payload.agent = pick(AGENTS, ctx.random);
      return;
    case 'click':
      payload.url = 'https://www.example.com/';
      payload.ip = '127.0.0.1';
      payload.geo = pick(GEOS, ctx.random);
      payload.agent = pick(AGENTS, ctx.random);
      return;
    case 'bounce':
      payload.blocked = false;
      payload.hard_bounce = true;
      payload.error_related_to = 'recipient';
      payload.error = 'user unknown';
      payload.comment = '550 5.1.1 The email account that you tried to reach does not exist.';
      return;
    case 'blocked':
      payload.error_related_to = 'recipient';
      payload.error = 'user unknown';
      return;
    case 'spam':
      payload.source = 'JMRPP';
      return;
    case 'unsub':
      payload.mj_list_id = 1;
      payload.ip = '127.0.0.1';
      payload.geo = pick(GEOS, ctx.random);
      payload.agent = pick(AGENTS, ctx.random);
      return;
  }
}
