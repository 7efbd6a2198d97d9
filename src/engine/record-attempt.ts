/**
 * What one finished attempt changes, inside the engine's flush transaction: the attempt row, the delivery's
 * transition, and — when the policy is exhausted — the URL's suspension and the hand-over of its work to the
 * backup URL (docs/delivery.md#the-retry-schedule, docs/decisions.md#our-decisions-where-mailjet-is-silent).
 */
import type { Settings } from './settings.js';
import { transition, type DeliveryStatus } from '../core/delivery-state.js';
import { nextAttemptAt } from '../core/retry-policy.js';
import { finishAttempt, type AttemptResult } from '../db/attempts.js';
import { callbackUrlsWithUrl, getCallbackUrl, suspendCallbackUrl, type CallbackUrl } from '../db/callback-urls.js';
import { getDelivery, pendingOfUrl, updateDeliveryStatus, type ClaimedDelivery } from '../db/deliveries.js';
import type { Db } from '../db/open-db.js';
import { reroute, resolveTarget } from './router.js';

/** The delivery's new status and the URLs this attempt suspended. */
export interface Recorded {
  status: DeliveryStatus;
  suspended: CallbackUrl[];
}

/**
 * Applies one attempt's result.
 *
 * @example
 * inTransaction(db, () => recordAttempt(db, settings, claim, result, clock.now()));
 */
export function recordAttempt(db: Db, settings: Settings, claim: ClaimedDelivery, result: AttemptResult, now: number): Recorded {
  finishAttempt(db, claim.attemptId, result);
  if (result.outcome === 'url-gone' && claim.parseRouteId !== null) {
    // A parse route has no backup: its deleted route's mail is kept, visible, with nowhere to go.
    const status = transition('in_flight', { kind: 'url-gone' });
    updateDeliveryStatus(db, claim.id, { status, nextAttemptAt: null, reason: `its parse route #${claim.parseRouteId} was deleted` }, now);
    return { status, suspended: [] };
  }
  if (result.outcome === 'url-gone') {
    const delivery = getDelivery(db, claim.accountId, claim.id);
    const ids = delivery ? reroute(db, delivery, now, settings.maxBatch, `URL #${claim.callbackUrlId} is deleted or dead`).ids : [];
    const status = transition('in_flight', { kind: 'handed-over' });
    updateDeliveryStatus(db, claim.id, { status, nextAttemptAt: null, reason: `its URL is deleted or dead; continued by delivery #${ids.join(', #')}` }, now);
    return { status, suspended: [] };
  }
  if (result.outcome === 'success') {
    const status = transition('in_flight', { kind: 'success' });
    updateDeliveryStatus(db, claim.id, { status, attemptCount: claim.attemptNumber, nextAttemptAt: null }, now);
    return { status, suspended: [] };
  }
  const next = nextAttemptAt(settings.policy, claim.attemptNumber, claim.scheduledAt, now);
  if (next === null && claim.callbackUrlId !== null && settings.policy.onExhausted === 'suspend') {
    // The suspension runs first: when the backup takes the events on, this delivery is `handed_over` (its
    // continuation is what counts), not `failed` — a failed delivery is an event nobody received.
    const { suspended, continuedBy } = suspend(db, settings, claim, now);
    const exhausted = `all ${claim.attemptNumber} attempts failed`;
    const status = transition('in_flight', continuedBy.length > 0 ? { kind: 'handed-over' } : { kind: 'failure', nextAttemptAt: null });
    const reason = continuedBy.length > 0 ? `${exhausted}; URL suspended, continued by delivery #${continuedBy.join(', #')}` : exhausted;
    updateDeliveryStatus(db, claim.id, { status, attemptCount: claim.attemptNumber, nextAttemptAt: null, reason }, now);
    return { status, suspended };
  }
  const status = transition('in_flight', { kind: 'failure', nextAttemptAt: next });
  const reason = next === null ? (claim.attemptNumber === 1 ? 'its only attempt failed' : `all ${claim.attemptNumber} attempts failed`) : null;
  updateDeliveryStatus(db, claim.id, { status, attemptCount: claim.attemptNumber, nextAttemptAt: next, reason }, now);
  if (claim.callbackUrlId === null) return { status, suspended: [] };
  if (next !== null) {
    // Another delivery may have suspended this URL while this attempt was in flight.
    const url = getCallbackUrl(db, claim.accountId, claim.callbackUrlId);
    if (url?.status === 'dead') handOverPending(db, url, now, settings.maxBatch, `URL #${url.id} suspended`);
  }
  return { status, suspended: [] };
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
    const status = transition('pending', { kind: 'handed-over' });
    updateDeliveryStatus(db, delivery.id, { status, nextAttemptAt: null, reason: `${reason}; continued by delivery #${ids.join(', #')}` }, now);
  }
}
