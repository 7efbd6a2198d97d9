/**
 * `mjsim check`: the cases it runs against a webhook consumer, as data. Each case is a list of probes
 * (exact request bodies, built by the same `buildEventPayload` the engine uses) and the rule that judges
 * the answers (check-verdicts.ts). Pure: the time, the random source and the GUIDs come in through
 * `CheckEventSource`.
 */
import { buildEventPayload, type EventPayload } from './event-payload.js';
import type { EventType } from './event-types.js';
import { stringifyJson } from './json.js';

/** The burst size when none is given; bigger bursts must be asked for. */
export const DEFAULT_BURST = 50;
/** The largest burst `mjsim check` sends: a load test belongs in `mjsim generate`, not in a readiness check. */
export const MAX_BURST = 2_000;
/** Burst requests in flight at once (mjsim's own per-URL default, `--url-concurrency`). */
export const BURST_CONCURRENCY = 32;
/** The largest Version 2 array the check sends. */
export const MAX_CHECK_BATCH = 10_000;
/** The longest per-request timeout accepted, so that a run stays bounded. */
export const MAX_CHECK_TIMEOUT_MS = 120_000;

/** Which credentials a probe carries: the URL's own, a wrong password, or none. */
export type ProbeAuth = 'url' | 'wrong' | 'none';

/** One POST of the check. */
export interface Probe {
  /** The exact JSON body. */
  readonly body: string;
  readonly auth: ProbeAuth;
}

/** How a case's answers are judged (check-verdicts.ts). */
export type CaseRule = 'all-200' | 'refused' | 'burst' | 'no-credentials';

/** One case: what it sends and how it is judged. */
export interface CheckCase {
  /** Stable identifier, e.g. `v1-open` (also the JUnit test name). */
  readonly id: string;
  readonly title: string;
  /** What is sent, in words. */
  readonly sent: string;
  readonly rule: CaseRule;
  readonly probes: readonly Probe[];
  /** Probes may run at once (bounded by `BURST_CONCURRENCY`); otherwise one after the other. */
  readonly concurrent: boolean;
  /** Advice printed with the case whatever its verdict. */
  readonly note?: string;
}

/** What a run needs to build its bodies; passed in so the plan stays pure. */
export interface CheckEventSource {
  /** Epoch ms of the run (the events' `time`). */
  readonly now: number;
  /** Uniform [0, 1). */
  readonly random: () => number;
  /** A fresh `Message_GUID`. */
  readonly guid: () => string;
}

/** The settings a plan is built from (already validated). */
export interface CheckPlanOptions {
  readonly versions: readonly (1 | 2)[];
  readonly types: readonly EventType[];
  readonly maxBatch: number;
  readonly burst: number;
  /** The URL carries `user:pass@`. */
  readonly hasCredentials: boolean;
}

/** Fields every check event carries, so a consumer can recognise (and discard) check traffic. */
const CHECK_FIELDS: EventPayload = {
  email: 'mjsim-check@example.com',
  customcampaign: 'mjsim-check',
  CustomID: 'mjsim-check',
  Payload: '{"source":"mjsim check"}',
};
/** Below 2^53 (like `--safe-message-ids`), so that only the big-number case tests big numbers. */
const SAFE_ID_BASE = 1n << 40n;
const BIG_ID_BASE = 1n << 59n;

/** The idempotency advice shown with the duplicate case. */
export const IDEMPOTENCY_NOTE =
  'Mailjet delivers an event again whenever an attempt did not get a 200 in time, even when the work was done; ' +
  'only the consumer can tell. Key each event on MessageID + event + time, skip a key already processed, and still answer 200 ' +
  '(docs/check.md: "Idempotency").';

/**
 * Every case of a run, in the order they are run and reported.
 *
 * @example
 * const cases = planCheck({ versions: [1, 2], types: ['sent', 'open'], maxBatch: 500, burst: 50, hasCredentials: false }, source);
 * cases.map((c) => c.id) // ['v1-sent', 'v1-open', 'v2-mixed', 'v2-max-batch', 'unknown-fields', ...]
 */
export function planCheck(options: CheckPlanOptions, source: CheckEventSource): CheckCase[] {
  let nextSafeId = SAFE_ID_BASE + BigInt(Math.floor(source.random() * 2 ** 46));
  const event = (type: EventType, fields: EventPayload = {}, messageId?: bigint): EventPayload => {
    const id = messageId ?? nextSafeId++;
    return buildEventPayload(type, { ...CHECK_FIELDS, ...fields }, { time: source.now, messageId: id, messageGuid: source.guid(), random: source.random });
  };
  const types = options.types;
  const main = types[0] as EventType;
  const v1 = options.versions.includes(1);
  /** A shared case's body: a bare object when Version 1 is checked, otherwise a one-event array. */
  const shaped = (payload: EventPayload): string => stringifyJson(v1 ? payload : [payload]);
  const form = v1 ? 'Version 1' : 'Version 2 (an array of one)';
  const all200 = (id: string, title: string, sent: string, bodies: string[], note?: string): CheckCase => ({
    id,
    title,
    sent,
    rule: 'all-200',
    probes: bodies.map((body) => ({ body, auth: 'url' as const })),
    concurrent: false,
    ...(note ? { note } : {}),
  });
  const cases: CheckCase[] = [];

  if (v1) {
    for (const type of types) {
      const body = stringifyJson(event(type));
      cases.push(all200(`v1-${type}`, `Version 1 ${type}`, `Version 1: one ${type} object, ${size(body)}`, [body]));
    }
  }
  if (options.versions.includes(2)) {
    const mixed = stringifyJson(types.map((type) => event(type)));
    cases.push(all200('v2-mixed', 'Version 2 mixed array', `Version 2: an array of ${types.length} event${types.length === 1 ? '' : 's'} (${types.join(', ')}), ${size(mixed)}`, [mixed]));
    const batch = stringifyJson(Array.from({ length: options.maxBatch }, (_, i) => event(types[i % types.length] as EventType)));
    cases.push(all200('v2-max-batch', 'Version 2 largest array', `Version 2: an array of ${options.maxBatch} events (--max-batch), ${size(batch)}`, [batch]));
  }

  const unknown = shaped(event(main, { mj_future_field: 'added by Mailjet later', future_object: { nested: [1, 'two', null], flag: true } }));
  cases.push(all200('unknown-fields', 'Unknown extra fields', `${form}: one ${main} event with two fields it has never seen (mj_future_field, future_object)`, [unknown]));
  const empty = shaped(event(main, { CustomID: '', Payload: '', customcampaign: '' }));
  cases.push(all200('empty-fields', 'Empty CustomID, Payload, customcampaign', `${form}: one ${main} event with CustomID, Payload and customcampaign all ""`, [empty]));

  const bigId = BIG_ID_BASE + 2n * BigInt(Math.floor(source.random() * 2 ** 30)) + 1n;
  const big = shaped(event(main, {}, bigId));
  cases.push(
    all200(
      'big-message-id',
      'MessageID above 2^53',
      `${form}: one ${main} event with MessageID ${bigId} as an exact JSON integer`,
      [big],
      `Real MessageIDs exceed 2^53: a consumer that parses JSON into doubles (JSON.parse) reads ${String(Number(bigId))} instead, another message's ID. The answer cannot show it: check that ${bigId} was stored exactly.`,
    ),
  );

  const duplicate = shaped(event(main));
  cases.push(all200('duplicate', 'The same event twice', `${form}: the same ${main} event twice, one after the other`, [duplicate, duplicate], IDEMPOTENCY_NOTE));

  const probe = (auth: ProbeAuth) => ({ body: shaped(event(main)), auth });
  if (options.hasCredentials) {
    cases.push({ id: 'credentials-right', title: 'The URL\'s credentials', sent: `${form}: one ${main} event with the URL's user and password (Basic auth)`, rule: 'all-200', probes: [probe('url')], concurrent: false });
    cases.push({ id: 'credentials-wrong', title: 'Wrong credentials', sent: `${form}: one ${main} event with the URL's user and a wrong password`, rule: 'refused', probes: [probe('wrong')], concurrent: false });
    cases.push({ id: 'credentials-none', title: 'No credentials', sent: `${form}: one ${main} event without an Authorization header`, rule: 'refused', probes: [probe('none')], concurrent: false });
  } else {
    cases.push({ id: 'credentials', title: 'Credentials in the URL', sent: 'nothing: the URL has no user:pass@', rule: 'no-credentials', probes: [], concurrent: false });
  }

  if (v1 && options.burst > 0) {
    const bodies = Array.from({ length: options.burst }, () => ({ body: stringifyJson(event(main)), auth: 'url' as const }));
    cases.push({
      id: 'burst',
      title: `Burst of ${options.burst}`,
      sent: `Version 1: ${options.burst} ${main} objects at once, at most ${Math.min(BURST_CONCURRENCY, options.burst)} in flight`,
      rule: 'burst',
      probes: bodies,
      concurrent: true,
    });
  }
  return cases;
}

/** A body size in words: `412 B`, `2.9 kB`, `201 kB`. */
function size(body: string): string {
  const bytes = new TextEncoder().encode(body).length;
  if (bytes < 1000) return `${bytes} B`;
  return bytes < 10_000 ? `${(bytes / 1000).toFixed(1)} kB` : `${Math.round(bytes / 1000)} kB`;
}
