/**
 * `mjsim check` options, validated once for the CLI, the library and the dashboard alike: the same limits
 * everywhere, and one error class whose message names the option.
 */
import { DEFAULT_BURST, MAX_BURST, MAX_CHECK_BATCH, MAX_CHECK_TIMEOUT_MS } from './check-cases.js';
import { readDuration } from './duration.js';
import { EVENT_TYPES, isEventType, type EventType } from './event-types.js';
import { DEFAULT_POLICY_NAME, resolvePolicy, type RetryPolicy } from './retry-policy.js';
import { maskCredentials } from './webhook-url.js';

/** What `checkConsumer` accepts; every field is optional. */
export interface CheckOptions {
  /** Which webhook versions to check: `1`, `2` or `'both'` (default). */
  version?: 1 | 2 | 'both' | '1' | '2';
  /** Event types to send (default all seven), as a list or comma-separated; the first is used by the shared cases. */
  types?: readonly EventType[] | readonly string[] | string;
  /** Per-request timeout: `'10s'`, `'300ms'` (default 10 s, like delivery's `--attempt-timeout`); a bare number is refused. */
  timeout?: string;
  /** The timeout in milliseconds, for callers that hold a number (the name says the unit); `timeout` wins. */
  timeoutMs?: number;
  /** Events in the burst case (default 50, at most 2,000; 0 skips it). */
  burst?: number | string;
  /** Events in the largest Version 2 array (default 500, like delivery's `--max-batch`). */
  maxBatch?: number | string;
  /** The retry policy that "what Mailjet would do" describes (default `mailjet-2017`). */
  policy?: string | RetryPolicy;
}

/**
 * A bad option: the message starts with its name (`option`, as `CheckOptions` spells it; the CLI shows its
 * flag instead) and says what it takes.
 *
 * @example
 * await checkConsumer(url, { burst: 5000 }); // throws CheckOptionsError: burst takes a whole number from 0 to 2000, got 5000
 */
export class CheckOptionsError extends Error {
  constructor(
    message: string,
    readonly option?: keyof CheckOptions | 'url',
  ) {
    super(message);
  }
}

/** A `CheckOptionsError` whose message names `option` first. */
const bad = (option: keyof CheckOptions | 'url', text: string) => new CheckOptionsError(`${option} ${text}`, option);

/** Options after validation. */
export interface ResolvedCheckOptions {
  readonly url: URL;
  readonly maskedUrl: string;
  readonly hasCredentials: boolean;
  readonly versions: readonly (1 | 2)[];
  readonly types: readonly EventType[];
  readonly timeoutMs: number;
  readonly burst: number;
  readonly maxBatch: number;
  readonly policy: RetryPolicy;
}

const wholeNumber = (value: unknown, name: 'burst' | 'maxBatch', min: number, max: number): number => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw bad(name, `takes a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
};

/**
 * Validates `url` and `options`; throws `CheckOptionsError`.
 *
 * @example
 * resolveCheckOptions('http://u:p@127.0.0.1:8080/hook', { version: 1, timeout: '2s' }).maskedUrl // 'http://***:***@127.0.0.1:8080/hook'
 */
export function resolveCheckOptions(url: string, options: CheckOptions = {}): ResolvedCheckOptions {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw bad('url', `must be an absolute http:// or https:// URL, got ${JSON.stringify(maskCredentials(url))}`);
  }
  const version = String(options.version ?? 'both');
  if (!['1', '2', 'both'].includes(version)) throw bad('version', `takes 1, 2 or both, got ${JSON.stringify(options.version)}`);
  const versions: (1 | 2)[] = version === 'both' ? [1, 2] : [Number(version) as 1 | 2];

  const typeList = typeof options.types === 'string' ? options.types.split(',').map((type) => type.trim()).filter(Boolean) : [...(options.types ?? EVENT_TYPES)];
  const unknown = typeList.filter((type) => !isEventType(type));
  if (unknown.length > 0 || typeList.length === 0) {
    throw bad('types', `takes a comma-separated list of ${EVENT_TYPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  const timeoutName = options.timeout === undefined && options.timeoutMs !== undefined ? 'timeoutMs' : 'timeout';
  const timeoutMs = timeoutName === 'timeoutMs' ? options.timeoutMs : readDuration(options.timeout ?? '10s');
  if (typeof timeoutMs === 'string') throw bad('timeout', `takes a duration: ${timeoutMs}`);
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_CHECK_TIMEOUT_MS) {
    throw bad(timeoutName, `takes a duration from 1ms to ${MAX_CHECK_TIMEOUT_MS / 1000}s (e.g. 10s, 500ms), got ${JSON.stringify(options[timeoutName])}`);
  }
  const policy = typeof options.policy === 'object' ? options.policy : resolvePolicy(options.policy ?? DEFAULT_POLICY_NAME);
  if (typeof policy === 'string') throw bad('policy', `takes a retry policy: ${policy}`);
  return Object.freeze({
    url: parsed,
    maskedUrl: maskCredentials(parsed.toString()),
    hasCredentials: parsed.username !== '' || parsed.password !== '',
    versions,
    types: [...new Set(typeList)] as EventType[],
    timeoutMs,
    burst: wholeNumber(options.burst ?? DEFAULT_BURST, 'burst', 0, MAX_BURST),
    maxBatch: wholeNumber(options.maxBatch ?? 500, 'maxBatch', 1, MAX_CHECK_BATCH),
    policy,
  });
}

