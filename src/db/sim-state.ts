/**
 * Small persisted values: the clock's time, counters. Read and written on hot paths (every send reserves
 * MessageIDs, every clock move persists the time), so through cached prepared statements.
 */
import { transactionScope, type Db } from './open-db.js';
import { statement } from './statements.js';

/** Reads a stored value. @example readState(db, 'clock_now') // '1767225600000' */
export function readState(db: Db, key: string): string | undefined {
  return (statement(db, 'select value from sim_state where key = ?').get(key) as { value: string } | undefined)?.value;
}

/** Stores a value, replacing the previous one. @example writeState(db, 'clock_now', String(clock.now())) */
export function writeState(db: Db, key: string, value: string): void {
  statement(db, 'insert into sim_state (key, value) values (?, ?) on conflict (key) do update set value = excluded.value').run(key, value);
}

/**
 * Reserves `count` consecutive numbers of the counter `key` and returns the first (the counter starts at 0,
 * so the first ever reserved is 1). Inside a transaction begun by `inTransaction`, the counter is read once
 * and kept in memory, and written back once just before the commit: a group commit of many sends costs one
 * read and one write, not one upsert per send. Numbers drawn by work that a savepoint then rolls back stay
 * drawn (a gap, never a reuse); a rolled-back transaction takes its numbers and its write back together.
 *
 * @example
 * reserveSequence(db, 'message_seq', 50) // 1n, then 51n for the next call
 */
export function reserveSequence(db: Db, key: string, count: number): bigint {
  const scope = transactionScope(db);
  if (!scope) return reserveNow(db, key, count);
  const slot = `sequence:${key}`;
  let last = scope.values.get(slot) as bigint | undefined;
  if (last === undefined) {
    last = BigInt(readState(db, key) ?? '0');
    scope.beforeCommit.set(slot, () => writeState(db, key, String(scope.values.get(slot))));
  }
  scope.values.set(slot, last + BigInt(count));
  return last + 1n;
}

/** Reserves in one statement, for a caller outside any transaction of `inTransaction`'s. */
function reserveNow(db: Db, key: string, count: number): bigint {
  const row = statement(
    db,
    `insert into sim_state (key, value) values (@key, cast(cast(@count as integer) as text))
       on conflict (key) do update set value = cast(cast(value as integer) + cast(@count as integer) as text) returning value`,
  ).get({ key, count }) as { value: string };
  return BigInt(row.value) - BigInt(count) + 1n;
}
