/**
 * The one place a delivery's status is written. Every write asks the state machine (core/delivery-state.ts)
 * first and changes the row only from the status it was asked about (`where status = ?`), so an impossible
 * move throws instead of being stored; `delivery_counts` follows in the same transaction.
 * test/status-writes.test.ts fails when a status write appears anywhere else.
 */
import { InvalidTransitionError, transition, type DeliveryEvent, type DeliveryStatus } from '../core/delivery-state.js';
import { transactionScope, type Db } from './open-db.js';
import { statement } from './statements.js';

/** A delivery as a status write needs it: which row, whose counts, and the status it is known to be in. */
export interface DeliveryRef {
  readonly id: number;
  readonly accountId: number;
  readonly status: DeliveryStatus;
}

/** What a move changes besides the status (null or absent: kept as it is, except `nextAttemptAt`). */
export interface MoveChanges {
  readonly attemptCount?: number | null;
  readonly nextAttemptAt: number | null;
  readonly reason?: string | null;
}

/**
 * Moves one delivery on `event` from the status it is in; returns the new status. Throws
 * `InvalidTransitionError` when the machine has no such move or the row is in another status. A row that
 * is gone (its account was reset while an attempt was in flight) is left alone.
 *
 * @example
 * moveDelivery(db, { id: claim.id, accountId: claim.accountId, status: 'in_flight' }, { kind: 'success' }, { attemptCount: 1, nextAttemptAt: null }, now);
 */
export function moveDelivery(db: Db, delivery: DeliveryRef, event: DeliveryEvent, changes: MoveChanges, now: number): DeliveryStatus {
  const status = transition(delivery.status, event);
  const changed = statement(
    db,
    `update deliveries set status = ?, attempt_count = coalesce(?, attempt_count), next_attempt_at = ?,
       reason = coalesce(?, reason), updated_at = ? where id = ? and status = ?`,
  ).run(status, changes.attemptCount ?? null, changes.nextAttemptAt, changes.reason ?? null, now, delivery.id, delivery.status).changes;
  if (changed === 0) {
    const actual = statement(db, 'select status from deliveries where id = ?').pluck().get(delivery.id) as DeliveryStatus | undefined;
    if (actual === undefined) return status;
    throw new InvalidTransitionError(actual, event.kind);
  }
  if (counterOf(status) !== counterOf(delivery.status)) {
    countStatus(db, delivery.accountId, delivery.status, -1);
    countStatus(db, delivery.accountId, status, 1);
  }
  return status;
}

/**
 * Claims pending deliveries: each becomes in-flight (the move is checked once for the set). Throws when one
 * of them is not pending, which would be a double claim. No counter changes: see `counterOf`.
 *
 * @example
 * markClaimed(db, chosen.map((row) => ({ id: row.id, accountId: row.account_id })), now);
 */
export function markClaimed(db: Db, deliveries: readonly { id: number }[], now: number): void {
  const status = transition('pending', { kind: 'claim' });
  const write = statement(db, 'update deliveries set status = ?, updated_at = ? where id = ? and status = ?');
  for (const { id } of deliveries) {
    if (write.run(status, now, id, 'pending').changes !== 1) throw new Error(`delivery #${id} is not pending: it cannot be claimed`);
  }
}

/**
 * Turns every in-flight delivery back to pending (`interrupted`), due `now` or at its scheduled time when
 * that is later (an advance may have claimed it ahead of the stored clock). Crash recovery at start; no
 * counter changes (`counterOf`). Returns how many.
 *
 * @example
 * inTransaction(db, () => requeueInFlight(db, clock.now())) // 3
 */
export function requeueInFlight(db: Db, now: number): number {
  const status = transition('in_flight', { kind: 'interrupted' });
  return statement(db, 'update deliveries set status = ?, next_attempt_at = max(next_attempt_at, ?), updated_at = ? where status = ?').run(status, now, now, 'in_flight')
    .changes;
}

const PENDING_COUNTS = 'delivery_counts';

/**
 * The `delivery_counts` row a status is counted under. Pending and in-flight deliveries share the `pending`
 * row (the unfinished ones): a claim and a retry then change no counter, which would otherwise be four
 * upserts per attempt; how many of them are in flight is counted from the table when read, a few hundred
 * rows at most (the attempt pool). A row `in_flight` left by an older mjsim is read as part of the bucket.
 */
function counterOf(status: DeliveryStatus): DeliveryStatus {
  return status === 'in_flight' ? 'pending' : status;
}

/**
 * Deliveries per status, of one account or (accountId null) of all, from `delivery_counts` plus a count of
 * the in-flight ones (see `counterOf`): a few rows at any size. Statuses with none are left out.
 *
 * @example
 * deliveryCountsByStatus(db, 1) // { pending: 3, in_flight: 2, delivered: 40 }
 */
export function deliveryCountsByStatus(db: Db, accountId: number | null): Partial<Record<DeliveryStatus, number>> {
  // Summed here, not by SQL: GROUP BY status would build a temporary B-tree (the key starts with the account).
  const rows = statement(db, 'select status, n from delivery_counts where (? is null or account_id = ?)').all(accountId, accountId) as { status: DeliveryStatus; n: number }[];
  const counts: Partial<Record<DeliveryStatus, number>> = {};
  for (const row of rows) counts[counterOf(row.status)] = (counts[counterOf(row.status)] ?? 0) + row.n;
  const inFlight = inFlightCount(db, accountId);
  counts.pending = (counts.pending ?? 0) - inFlight;
  counts.in_flight = inFlight;
  for (const status of Object.keys(counts) as DeliveryStatus[]) if ((counts[status] ?? 0) <= 0) delete counts[status];
  return counts;
}

/**
 * Deliveries in one status, of one account or (accountId null) of all, from the kept counts.
 *
 * @example
 * deliveryCount(db, null, 'failed') // 12
 */
export function deliveryCount(db: Db, accountId: number | null, status: DeliveryStatus): number {
  const counted = (row: DeliveryStatus) =>
    statement(db, 'select coalesce(sum(n), 0) from delivery_counts where status = ? and (? is null or account_id = ?)').pluck().get(row, accountId, accountId) as number;
  if (counterOf(status) !== 'pending') return counted(status);
  const inFlight = inFlightCount(db, accountId);
  return status === 'in_flight' ? inFlight : counted('pending') + counted('in_flight') - inFlight;
}

/** In-flight deliveries, counted through the status index (no more than the attempt pool holds). */
function inFlightCount(db: Db, accountId: number | null): number {
  return statement(db, 'select count(*) from deliveries indexed by deliveries_status where status = ? and (? is null or account_id = ?)')
    .pluck()
    .get('in_flight', accountId, accountId) as number;
}

/**
 * Adds `delta` to an account's count of deliveries in `status` (`delivery_counts`, under `counterOf`). Every
 * verb that inserts or deletes a delivery, or moves it between counters, calls it in the same transaction;
 * a test checks the counts against the table after each kind of write. Inside a transaction begun by `inTransaction` the deltas are
 * summed in memory and written once, just before the commit (a flush of many attempts moves the same few
 * counters again and again); inside a savepoint, which may be rolled back alone, they are written at once.
 *
 * @example
 * countStatus(db, 1, 'pending', -1); countStatus(db, 1, 'in_flight', 1);
 */
export function countStatus(db: Db, accountId: number, status: DeliveryStatus, delta: number): void {
  const scope = transactionScope(db);
  if (!scope || scope.savepoints > 0) {
    writeCount(db, accountId, counterOf(status), delta);
    return;
  }
  let pending = scope.values.get(PENDING_COUNTS) as Map<string, { accountId: number; status: DeliveryStatus; delta: number }> | undefined;
  if (!pending) {
    const deltas = new Map<string, { accountId: number; status: DeliveryStatus; delta: number }>();
    scope.values.set(PENDING_COUNTS, deltas);
    scope.beforeCommit.set(PENDING_COUNTS, () => {
      for (const entry of deltas.values()) if (entry.delta !== 0) writeCount(db, entry.accountId, entry.status, entry.delta);
    });
    pending = deltas;
  }
  const counter = counterOf(status);
  const key = `${accountId} ${counter}`;
  const entry = pending.get(key);
  if (entry) entry.delta += delta;
  else pending.set(key, { accountId, status: counter, delta });
}

function writeCount(db: Db, accountId: number, status: DeliveryStatus, delta: number): void {
  statement(db, 'insert into delivery_counts (account_id, status, n) values (?, ?, ?) on conflict (account_id, status) do update set n = n + excluded.n').run(
    accountId,
    status,
    delta,
  );
}
