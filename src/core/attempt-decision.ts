/**
 * What a finished attempt does to its delivery, decided from plain data: the claim, the result and the retry
 * policy. engine/record-attempt.ts writes the decision in one step (docs/delivery.md#delivery-states).
 */
import type { AttemptResult } from './attempt.js';
import type { DeliveryEvent } from './delivery-state.js';
import { nextAttemptAt, type RetryPolicy } from './retry-policy.js';

/** What the decision needs to know of the claimed delivery (a `ClaimedDelivery` is one). */
export interface AttemptClaim {
  readonly attemptNumber: number;
  readonly scheduledAt: number;
  /** Null for a Parse API delivery, or when its URL was deleted. */
  readonly callbackUrlId: number | null;
  /** A Parse API delivery's route (null for event deliveries). */
  readonly parseRouteId: number | null;
}

/**
 * The decision:
 * - `move`: the delivery takes `event` and nothing else changes. `watchUrl`: a retry stays with its URL, so
 *   the write step checks that no other attempt suspended that URL meanwhile (its work is handed over then).
 * - `reroute`: its callback URL is deleted or dead; its events go to the backup URL (or a suppressed
 *   delivery), and it is `handed_over`.
 * - `suspend`: the policy is exhausted and suspends the URL; the delivery is `handed_over` when an alive URL
 *   takes its events on, else `failed`.
 */
export type AttemptDecision =
  | {
      readonly kind: 'move';
      readonly event: DeliveryEvent;
      readonly attemptCount: number | null;
      readonly nextAttemptAt: number | null;
      readonly reason: string | null;
      readonly watchUrl: boolean;
    }
  | { readonly kind: 'reroute'; readonly reason: string }
  | { readonly kind: 'suspend'; readonly attemptCount: number; readonly exhausted: string };

/**
 * Decides what `result` does to the claimed delivery at clock time `now` (a retry is never due earlier).
 *
 * @example
 * decideAttempt({ attemptNumber: 1, scheduledAt: 0, callbackUrlId: 1, parseRouteId: null }, failed500, RETRY_POLICIES['mailjet-2017']!, 0)
 * // { kind: 'move', event: { kind: 'failure', nextAttemptAt: 30_000 }, attemptCount: 1, nextAttemptAt: 30_000, reason: null, watchUrl: true }
 */
export function decideAttempt(claim: AttemptClaim, result: Pick<AttemptResult, 'outcome'>, policy: RetryPolicy, now: number): AttemptDecision {
  if (result.outcome === 'url-gone') {
    if (claim.parseRouteId !== null) return move({ kind: 'url-gone' }, null, null, `its parse route #${claim.parseRouteId} was deleted`, false);
    return { kind: 'reroute', reason: `URL #${claim.callbackUrlId} is deleted or dead` };
  }
  if (result.outcome === 'success') return move({ kind: 'success' }, claim.attemptNumber, null, null, false);
  const next = nextAttemptAt(policy, claim.attemptNumber, claim.scheduledAt, now);
  const exhausted = claim.attemptNumber === 1 ? 'its only attempt failed' : `all ${claim.attemptNumber} attempts failed`;
  if (next === null && claim.callbackUrlId !== null && policy.onExhausted === 'suspend') {
    return { kind: 'suspend', attemptCount: claim.attemptNumber, exhausted: `all ${claim.attemptNumber} attempts failed` };
  }
  return move({ kind: 'failure', nextAttemptAt: next }, claim.attemptNumber, next, next === null ? exhausted : null, next !== null && claim.callbackUrlId !== null);
}

function move(event: DeliveryEvent, attemptCount: number | null, next: number | null, reason: string | null, watchUrl: boolean): AttemptDecision {
  return { kind: 'move', event, attemptCount, nextAttemptAt: next, reason, watchUrl };
}
