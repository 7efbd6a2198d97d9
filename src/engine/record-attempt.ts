/**
 * What one finished attempt changes, inside the engine's flush transaction: the attempt row, the delivery's
 * transition, and — when the policy is exhausted — the URL's suspension and the hand-over of its work to the
 * backup URL (docs/delivery.md#the-retry-schedule, docs/decisions.md#our-decisions-where-mailjet-is-silent).
 * The decision is pure (core/attempt-decision.ts); this file only writes it.
 */
import type { Settings } from './settings.js';
import { decideAttempt, type AttemptDecision } from '../core/attempt-decision.js';
import type { AttemptResult } from '../core/attempt.js';
import type { DeliveryStatus } from '../core/delivery-state.js';
import { finishAttempt } from '../db/attempts.js';
import { callbackUrlStatuses, callbackUrlsWithUrl, getCallbackUrl, suspendCallbackUrl, type CallbackUrl } from '../db/callback-urls.js';
import type { ClaimedDelivery } from '../db/claim-due.js';
import { getDelivery, pendingOfUrl } from '../db/deliveries.js';
import { moveDelivery } from '../db/delivery-status.js';
import type { Db } from '../db/open-db.js';
import { reroute, resolveTarget } from './router.js';

/** The delivery's new status and the URLs this attempt suspended. */
export interface Recorded {
  status: DeliveryStatus;
  suspended: CallbackUrl[];
}

/** A finished attempt to record, at its clock time. */
export interface FinishedAttempt {
  readonly claim: ClaimedDelivery;
  readonly result: AttemptResult;
  readonly at: number;
}

/**
 * Applies one attempt's result: decides, then writes the decision.
 *
 * @example
 * inTransaction(db, () => recordAttempt(db, settings, claim, result, clock.now()));
 */
export function recordAttempt(db: Db, settings: Settings, claim: ClaimedDelivery, result: AttemptResult, now: number): Recorded {
  return recordAttempts(db, settings, [{ claim, result, at: now }])[0] as Recorded;
}

/**
 * Applies a flush's results in order, each as if recorded alone. A retry checks that no other attempt
 * suspended its URL meanwhile: the statuses of the flush's URLs are read once, and the suspensions the flush
 * itself makes are noted as they happen (a read per attempt was a tenth of the flush).
 *
 * @example
 * inTransaction(db, () => recordAttempts(db, settings, finished.map(({ claim, result }) => ({ claim, result, at: clock.now() }))));
 */
export function recordAttempts(db: Db, settings: Settings, finished: readonly FinishedAttempt[]): Recorded[] {
  const decisions = finished.map(({ claim, result, at }) => decideAttempt(claim, result, settings.policy, at));
  const watched = finished.filter((_, i) => watchesUrl(decisions[i])).map(({ claim }) => claim.callbackUrlId as number);
  const urlStatus = callbackUrlStatuses(db, [...new Set(watched)]);
  return finished.map(({ claim, result, at }, i) => {
    const recorded = writeDecision(db, settings, claim, result, decisions[i] as AttemptDecision, at, urlStatus);
    for (const row of recorded.suspended) urlStatus.set(row.id, 'dead');
    return recorded;
  });
}

function watchesUrl(decision: AttemptDecision | undefined): boolean {
  return decision?.kind === 'move' && decision.watchUrl;
}

/**
 * The single write step of an attempt: closes its row, then moves the delivery as `decision` says (through
 * db/delivery-status.ts) with what the move drags along: re-routing, suspension, hand-over. `urlStatus`
 * holds the status of a retry's URL as of now (see `recordAttempts`).
 */
function writeDecision(
  db: Db,
  settings: Settings,
  claim: ClaimedDelivery,
  result: AttemptResult,
  decision: AttemptDecision,
  now: number,
  urlStatus: ReadonlyMap<number, CallbackUrl['status']>,
): Recorded {
  finishAttempt(db, claim.attemptId, result);
  const inFlight = { id: claim.id, accountId: claim.accountId, status: 'in_flight' } as const;
  switch (decision.kind) {
    case 'move': {
      const status = moveDelivery(db, inFlight, decision.event, decision, now);
      // Another delivery may have suspended this URL while this attempt was in flight.
      if (decision.watchUrl && urlStatus.get(claim.callbackUrlId as number) === 'dead') {
        const url = getCallbackUrl(db, claim.accountId, claim.callbackUrlId as number);
        if (url?.status === 'dead') handOverPending(db, url, now, settings.maxBatch, `URL #${url.id} suspended`);
      }
      return { status, suspended: [] };
    }
    case 'reroute': {
      const delivery = getDelivery(db, claim.accountId, claim.id);
      const ids = delivery ? reroute(db, delivery, now, settings.maxBatch, decision.reason).ids : [];
      const reason = `its URL is deleted or dead; continued by delivery #${ids.join(', #')}`;
      return { status: moveDelivery(db, inFlight, { kind: 'handed-over' }, { nextAttemptAt: null, reason }, now), suspended: [] };
    }
    case 'suspend': {
      // The suspension runs first: when the backup takes the events on, this delivery is `handed_over` (its
      // continuation is what counts), not `failed` — a failed delivery is an event nobody received.
      const { suspended, continuedBy } = suspend(db, settings, claim, now);
      const handedOver = continuedBy.length > 0;
      const reason = handedOver ? `${decision.exhausted}; URL suspended, continued by delivery #${continuedBy.join(', #')}` : decision.exhausted;
      const event = handedOver ? ({ kind: 'handed-over' } as const) : ({ kind: 'failure', nextAttemptAt: null } as const);
      return { status: moveDelivery(db, inFlight, event, { attemptCount: decision.attemptCount, nextAttemptAt: null, reason }, now), suspended };
    }
  }
}

/**
 * Suspends the URL — every registration of the account on the same URL text, since one Version 2 array may
 * carry several types — and passes the failed delivery and the URL's pending work on.
 */
function suspend(db: Db, settings: Settings, claim: ClaimedDelivery, now: number): { suspended: CallbackUrl[]; continuedBy: number[] } {
  const url = getCallbackUrl(db, claim.accountId, claim.callbackUrlId as number);
  if (!url) return { suspended: [], continuedBy: [] };
  const siblings = callbackUrlsWithUrl(db, url.accountId, url.url).filter((row) => row.isBackup === url.isBackup);
  const suspended = siblings.filter((row) => row.status === 'alive');
  for (const row of suspended) suspendCallbackUrl(db, row.id, now);
  const failed = getDelivery(db, claim.accountId, claim.id);
  // Handed over only when an alive URL takes some of its events; then a type no URL takes (a mixed Version 2
  // group) continues as a suppressed delivery, kept and replayable, so no event drops out of the counts.
  const taken = failed?.eventTypes.split(',').some((type) => resolveTarget(db, claim.accountId, type) !== undefined) ?? false;
  const continuedBy = failed && taken ? reroute(db, failed, now, settings.maxBatch, `URL #${url.id} suspended after ${claim.attemptNumber} failed attempts`).ids : [];
  for (const row of siblings) handOverPending(db, row, now, settings.maxBatch, `URL #${row.id} suspended`);
  return { suspended, continuedBy };
}

/**
 * Re-routes every pending delivery of `url` (to the backup, or kept suppressed when none is alive).
 *
 * @example
 * handOverPending(db, deletedUrl, clock.now(), settings.maxBatch, `URL #${deletedUrl.id} was deleted`);
 */
export function handOverPending(db: Db, url: CallbackUrl, now: number, maxBatch: number, reason: string): void {
  for (const delivery of pendingOfUrl(db, url.id)) {
    const { ids } = reroute(db, delivery, now, maxBatch, reason);
    moveDelivery(db, delivery, { kind: 'handed-over' }, { nextAttemptAt: null, reason: `${reason}; continued by delivery #${ids.join(', #')}` }, now);
  }
}
