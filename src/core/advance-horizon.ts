/**
 * How far ahead of the visible clock an advance may claim work without changing what happens. An attempt's
 * outcome can only add work at its scheduled time plus a retry delay (a retry), or change routing at its
 * scheduled time (the last attempt of a `suspend` policy suspends its URL there). So work up to the
 * horizon below is already fixed: claiming it early and recording each attempt at its scheduled time gives
 * the same history as stepping the clock to every due time. Pure: the engine passes in what it knows.
 */
import { maxAttempts, type RetryPolicy } from './retry-policy.js';

/** What the engine knows when it computes the horizon. */
export interface HorizonInput {
  /** Where the advance ends. */
  until: number;
  /** The earliest scheduled time of unfinished work: in flight, pending, or an event not yet routed (null: none). */
  earliestUnfinished: number | null;
  /** The earliest scheduled time of an unfinished attempt that would suspend its URL if it failed (null: none). */
  earliestLastAttempt: number | null;
  /** The shortest retry delay of the policy. */
  minRetryDelayMs: number;
}

/**
 * The latest clock time up to which work may be routed and claimed now.
 *
 * @example
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, earliestLastAttempt: null, minRetryDelayMs: 30_000 }) // 31_000
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, earliestLastAttempt: 5_000, minRetryDelayMs: 30_000 }) // 5_000
 */
export function safeHorizon(input: HorizonInput): number {
  let horizon = input.until;
  if (input.earliestUnfinished !== null) horizon = Math.min(horizon, input.earliestUnfinished + input.minRetryDelayMs);
  if (input.earliestLastAttempt !== null) horizon = Math.min(horizon, input.earliestLastAttempt);
  return horizon;
}

/** The shortest delay between two attempts of `policy` (Infinity: it never retries). @example minRetryDelay(RETRY_POLICIES['mailjet-2017']!) // 30_000 */
export function minRetryDelay(policy: RetryPolicy): number {
  return policy.steps.reduce((min, step) => Math.min(min, step.delayMs), Number.POSITIVE_INFINITY);
}

/**
 * The attempt count after which a failure suspends the URL (the pending delivery's next attempt is the
 * policy's last), or null when the policy gives up instead.
 *
 * @example
 * suspendingAttemptCount(RETRY_POLICIES['mailjet-2017']!) // 20 (attempt 21 is the last)
 */
export function suspendingAttemptCount(policy: RetryPolicy): number | null {
  return policy.onExhausted === 'suspend' ? maxAttempts(policy) - 1 : null;
}
