/**
 * How far ahead of the visible clock an advance may route and claim work without changing what happens.
 *
 * An attempt's outcome changes other work in two ways only. (1) A failure schedules a retry of the same
 * delivery, at its scheduled time plus the policy's delay: that touches no other delivery, and the engine
 * keeps each message's deliveries to a URL in clock order by itself (a delivery waits while an earlier one
 * for the same URL and message is pending or in flight, see `claimDue`). (2) A failure of the policy's last
 * attempt suspends the URL at that attempt's scheduled time, which changes where later events are routed and
 * hands the URL's pending work over. So the horizon stops at the earliest time a suspension could still
 * happen: an unfinished last attempt's scheduled time, or, for any other unfinished attempt, the earliest
 * unfinished work plus the policy's last retry delay (the shortest way to reach a last attempt). A pending
 * last attempt is not claimed while earlier work is unfinished, so that when it suspends its URL at T every
 * attempt scheduled before T has been recorded against a URL that was alive then. A policy that gives up
 * instead of suspending sets no horizon but the target. Pure: the engine passes in what it knows.
 */
import { maxAttempts, retryDelay, type RetryPolicy } from './retry-policy.js';

/** What the engine knows when it computes the horizon. */
export interface HorizonInput {
  /** Where the advance ends. */
  until: number;
  /** The earliest scheduled time of unfinished work: in flight, pending, or an event not yet routed (null: none). */
  earliestUnfinished: number | null;
  /** The earliest scheduled time of an attempt in flight that would suspend its URL if it failed (null: none). */
  earliestLastInFlight: number | null;
  /** The earliest scheduled time of a pending attempt that would suspend its URL if it failed (null: none). */
  earliestLastPending: number | null;
  /** The policy's delay before its last attempt (`suspensionReach`), or null when the policy never suspends. */
  suspensionReachMs: number | null;
}

/**
 * The latest clock time up to which work may be routed and claimed now.
 *
 * @example
 * const none = { earliestLastInFlight: null, earliestLastPending: null };
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, suspensionReachMs: 1_800_000, ...none }) // 1_801_000
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, suspensionReachMs: null, ...none }) // 7_200_000
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, suspensionReachMs: 1_800_000, earliestLastInFlight: 5_000, earliestLastPending: null }) // 5_000
 * safeHorizon({ until: 7_200_000, earliestUnfinished: 1_000, suspensionReachMs: 1_800_000, earliestLastInFlight: null, earliestLastPending: 5_000 }) // 4_999
 */
export function safeHorizon(input: HorizonInput): number {
  let horizon = input.until;
  const earliest = input.earliestUnfinished;
  if (input.suspensionReachMs !== null && earliest !== null) horizon = Math.min(horizon, earliest + input.suspensionReachMs);
  if (input.earliestLastInFlight !== null) horizon = Math.min(horizon, input.earliestLastInFlight);
  const last = input.earliestLastPending;
  if (last !== null) horizon = Math.min(horizon, earliest !== null && earliest < last ? last - 1 : last);
  return horizon;
}

/**
 * The shortest time from an attempt that is not the last to a suspension: the delay before the last attempt
 * (null when the policy gives up instead of suspending).
 *
 * @example
 * suspensionReach(RETRY_POLICIES['mailjet-2017']!) // 1_800_000 (attempt 21 comes 30 min after attempt 20)
 */
export function suspensionReach(policy: RetryPolicy): number | null {
  return policy.onExhausted === 'suspend' ? retryDelay(policy, maxAttempts(policy)) : null;
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
