/**
 * Puts a freshly inserted (pending) delivery of a fixture into any status through the state machine's own
 * moves (db/delivery-status.ts), so seeded data never holds a state production could not reach.
 */
import type { DeliveryStatus } from '../../src/core/delivery-state.js';
import { moveDelivery, type MoveChanges } from '../../src/db/delivery-status.js';
import type { Db } from '../../src/db/open-db.js';

/**
 * Walks a pending delivery to `target`: `in_flight` by a claim; `pending`, `delivered` and `failed` by a
 * claim and an attempt; `suppressed` and `handed_over` straight from pending. `changes` go with the last move.
 *
 * @example
 * seedStatus(db, { id, accountId }, 'failed', { attemptCount: 3, nextAttemptAt: null, reason: 'gave up' }, T0);
 */
export function seedStatus(db: Db, delivery: { id: number; accountId: number }, target: DeliveryStatus, changes: MoveChanges, now: number): void {
  const pending = { ...delivery, status: 'pending' as const };
  const inFlight = { ...delivery, status: 'in_flight' as const };
  const claim = () => moveDelivery(db, pending, { kind: 'claim' }, { nextAttemptAt: changes.nextAttemptAt }, now);
  switch (target) {
    case 'pending':
      // A failed attempt with a retry left (interrupted when no retry time is given).
      claim();
      moveDelivery(db, inFlight, changes.nextAttemptAt === null ? { kind: 'interrupted' } : { kind: 'failure', nextAttemptAt: changes.nextAttemptAt }, changes, now);
      return;
    case 'in_flight':
      moveDelivery(db, pending, { kind: 'claim' }, changes, now);
      return;
    case 'delivered':
      claim();
      moveDelivery(db, inFlight, { kind: 'success' }, changes, now);
      return;
    case 'failed':
      claim();
      moveDelivery(db, inFlight, { kind: 'failure', nextAttemptAt: null }, changes, now);
      return;
    case 'suppressed':
      moveDelivery(db, pending, { kind: 'url-gone' }, changes, now);
      return;
    case 'handed_over':
      moveDelivery(db, pending, { kind: 'handed-over' }, changes, now);
      return;
  }
}
