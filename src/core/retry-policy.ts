/**
 * Retry policies as data. A policy is a table of retry delays; `nextAttemptAt` is the only function that
 * reads it. Offsets are measured from the scheduled time of the previous attempt, so the default policy's
 * attempts land exactly at 0 s, 30 s, ..., 5 h 05 min after the first.
 */
import { compactDuration, formatDuration, readDuration } from './duration.js';

/** What happens when the last attempt of a policy fails. */
export type ExhaustedAction = 'suspend' | 'give-up';

/** One run of equal delays: `count` retries, each `delayMs` after the previous attempt. */
export interface RetryStep {
  readonly delayMs: number;
  readonly count: number;
}

/** A named retry table. */
export interface RetryPolicy {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly RetryStep[];
  readonly onExhausted: ExhaustedAction;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The presets Mailjet documents (docs/delivery.md#the-retry-schedule). */
export const RETRY_POLICIES: Readonly<Record<string, RetryPolicy>> = Object.freeze({
  'mailjet-2017': {
    name: 'mailjet-2017',
    description: '10 retries 30 s apart, then 10 retries 30 min apart, then the URL is suspended',
    steps: [
      { delayMs: 30 * SECOND, count: 10 },
      { delayMs: 30 * MINUTE, count: 10 },
    ],
    onExhausted: 'suspend',
  },
  'mailjet-2015': {
    name: 'mailjet-2015',
    description: 'up to 10 retries every 10 minutes, then give up (the URL stays alive)',
    steps: [{ delayMs: 10 * MINUTE, count: 10 }],
    onExhausted: 'give-up',
  },
  'mailjet-current': {
    name: 'mailjet-current',
    description: 'a retry every 30 s until 24 h after the first failure, then give up',
    steps: [{ delayMs: 30 * SECOND, count: (24 * HOUR) / (30 * SECOND) }],
    onExhausted: 'give-up',
  },
});

export const DEFAULT_POLICY_NAME = 'mailjet-2017';

/** Total attempts a policy allows: the first plus every retry. @example maxAttempts(RETRY_POLICIES['mailjet-2017']!) // 21 */
export function maxAttempts(policy: RetryPolicy): number {
  return 1 + policy.steps.reduce((sum, step) => sum + step.count, 0);
}

/**
 * Delay before attempt `attemptNumber` (2 = the first retry), or `null` when the policy has no such attempt.
 *
 * @example
 * retryDelay(RETRY_POLICIES['mailjet-2017']!, 12) // 1_800_000
 */
export function retryDelay(policy: RetryPolicy, attemptNumber: number): number | null {
  let retry = attemptNumber - 1;
  if (retry < 1) return null;
  for (const step of policy.steps) {
    if (retry <= step.count) return step.delayMs;
    retry -= step.count;
  }
  return null;
}

/**
 * When the attempt after `failedAttempt` is due, given when the failed one was scheduled; `null` when the
 * policy is exhausted. Never earlier than `now`.
 *
 * @example
 * nextAttemptAt(RETRY_POLICIES['mailjet-2017']!, 1, 1_000, 1_000) // 31_000
 * nextAttemptAt(RETRY_POLICIES['mailjet-2017']!, 21, 0, 0)        // null
 */
export function nextAttemptAt(policy: RetryPolicy, failedAttempt: number, scheduledAt: number, now: number): number | null {
  const delay = retryDelay(policy, failedAttempt + 1);
  return delay === null ? null : Math.max(scheduledAt + delay, now);
}

/** Every attempt's offset from the first, in order. @example scheduleOffsets(p).at(-1) // 18_300_000 */
export function scheduleOffsets(policy: RetryPolicy): number[] {
  const offsets = [0];
  for (const step of policy.steps) {
    for (let i = 0; i < step.count; i++) offsets.push((offsets.at(-1) as number) + step.delayMs);
  }
  return offsets;
}

/**
 * A policy in the `custom:` form `--policy` reads (the same schedule, written out), for banners and logs.
 *
 * @example
 * policyShortForm(RETRY_POLICIES['mailjet-2017']!) // 'custom:30s*10,30m*10,suspend'
 */
export function policyShortForm(policy: RetryPolicy): string {
  return `custom:${[...policy.steps.map((step) => `${compactDuration(step.delayMs)}*${step.count}`), policy.onExhausted].join(',')}`;
}

/** The schedule as a Markdown table, as printed in docs/delivery.md. */
export function scheduleTable(policy: RetryPolicy): string {
  const rows = scheduleOffsets(policy).map((offset, i, all) => {
    const wait = i === 0 ? '—' : formatDuration(offset - (all[i - 1] as number));
    return `| ${i + 1} | ${formatDuration(offset)} | ${wait} |`;
  });
  return ['| attempt | offset from the first | wait before it |', '|---|---|---|', ...rows].join('\n');
}

const MAX_STEP_DELAY_MS = 365 * 86_400_000;
const MAX_STEP_COUNT = 100_000;

/**
 * Resolves `--policy`: a preset name, or `custom:` followed by comma-separated `DELAY*COUNT` steps and an
 * optional final `suspend` or `give-up` (default `suspend`). Returns an error string when invalid.
 *
 * @example
 * resolvePolicy('custom:10s*3,1m*2,give-up') // { name: 'custom', steps: [...], onExhausted: 'give-up', ... }
 */
export function resolvePolicy(spec: string): RetryPolicy | string {
  const preset = RETRY_POLICIES[spec];
  if (preset) return preset;
  if (!spec.startsWith('custom:')) {
    return `unknown retry policy "${spec}": use ${Object.keys(RETRY_POLICIES).join(', ')} or custom:30s*10,30m*10`;
  }
  const parts = spec.slice('custom:'.length).split(',').map((part) => part.trim()).filter(Boolean);
  let onExhausted: ExhaustedAction = 'suspend';
  if (parts.at(-1) === 'suspend' || parts.at(-1) === 'give-up') onExhausted = parts.pop() as ExhaustedAction;
  const steps: RetryStep[] = [];
  for (const part of parts) {
    const [delayText, countText = '1'] = part.split('*');
    const delayMs = readDuration(delayText ?? '');
    const count = Number(countText);
    if (typeof delayMs === 'string' || delayMs <= 0 || !Number.isInteger(count) || count < 1) {
      const why = typeof delayMs === 'string' ? ` (${delayMs})` : '';
      return `invalid step "${part}" in custom policy: write DELAY*COUNT, e.g. 30s*10${why}`;
    }
    // Bounds keep the schedule table small and every retry within the clock's range (clock-range.ts).
    if (delayMs > MAX_STEP_DELAY_MS || count > MAX_STEP_COUNT) {
      return `invalid step "${part}" in custom policy: a delay is at most 365d and a count at most ${MAX_STEP_COUNT}`;
    }
    steps.push({ delayMs, count });
  }
  return { name: 'custom', description: `custom: ${parts.join(', ')}, then ${onExhausted}`, steps, onExhausted };
}
