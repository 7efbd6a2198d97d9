/**
 * Group commit: writes submitted during one turn of the event loop share one transaction, committed at the
 * end of that turn. A commit in WAL mode writes every page the transaction touched, and for a one-recipient
 * send that write costs more than the send itself; concurrent requests arrive in the same turn, so sharing
 * the commit makes each request's share small. A piece of work that throws is rolled back alone (the turn's
 * pieces then run again, each in its own savepoint), and each promise settles only after the commit: an
 * answer sent after `await` is an answer about durable data.
 */
import type Database from 'better-sqlite3';
import { inTransaction, type Db } from './open-db.js';
import { storageFaultOf } from './storage-health.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const queues = new WeakMap<Database.Database, Pending[]>();

/**
 * Runs `work` inside the shared transaction of this turn and resolves with its result once that
 * transaction has committed (rejects if `work` throws, or if the commit fails).
 *
 * @example
 * const sent = await inGroupCommit(db, () => sendMessages(deps, account, messages, { sandbox: false }));
 */
export function inGroupCommit<T>(db: Db, work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let queue = queues.get(db.$client);
    if (!queue) {
      queue = [];
      queues.set(db.$client, queue);
    }
    queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    if (queue.length === 1) setImmediate(() => commit(db));
  });
}

function commit(db: Db): void {
  const batch = (queues.get(db.$client) ?? []).splice(0);
  let outcomes: Outcome[];
  try {
    // Optimistic: the pieces run straight in the shared transaction. A savepoint per piece would copy every
    // page the piece touches (a one-recipient send touches about ten), which costs more than its rows.
    outcomes = inTransaction(db, () => batch.map(({ work }): Outcome => ({ ok: true, value: work() })));
  } catch {
    // A piece threw, so nothing of this turn was kept: run every piece again, each in its own savepoint so
    // that one that throws is rolled back alone. (Pieces may thus run twice: an effect outside the database
    // waits for the commit in TransactionScope.afterCommit, as a send's "accepted" notice does.)
    try {
      outcomes = inTransaction(db, () => batch.map(({ work }) => attempt(db, work)));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
  }
  batch.forEach((pending, i) => {
    const outcome = outcomes[i];
    if (outcome?.ok) pending.resolve(outcome.value);
    else pending.reject(outcome?.error);
  });
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs `work` in a savepoint (nested transaction), rolled back alone when it throws. A full disk is not the
 * piece's fault, and SQLite may already have rolled back the whole transaction: it fails the turn.
 */
function attempt(db: Db, work: () => unknown): Outcome {
  try {
    return { ok: true, value: inTransaction(db, work) };
  } catch (error) {
    if (storageFaultOf(error) !== null) throw error;
    return { ok: false, error };
  }
}
