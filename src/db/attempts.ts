/**
 * The `attempts` table: one row per HTTP attempt.
 */
import type { Db } from './open-db.js';
import { statement } from './statements.js';

import type { Attempt, AttemptOutcome, AttemptResult } from '../core/attempt.js';

export type { Attempt, AttemptOutcome, AttemptResult } from '../core/attempt.js';

/** Closes an open attempt with its result. */
export function finishAttempt(db: Db, attemptId: number, result: AttemptResult): void {
  statement(db, 'update attempts set ended_at = ?, outcome = ?, http_status = ?, latency_ms = ?, response_body = ?, error = ? where id = ?').run(
    result.endedAt,
    result.outcome,
    result.httpStatus,
    result.latencyMs,
    result.responseBody,
    result.error,
    attemptId,
  );
}

/** Marks every open attempt interrupted (crash recovery at start). Returns how many. */
export function interruptOpenAttempts(db: Db, now: number): number {
  return statement(
    db,
    `update attempts set ended_at = ?, outcome = 'interrupted', error = 'mjsim stopped during this attempt; it is tried again'
      where ended_at is null`,
  ).run(now).changes;
}

/** The last finished attempt of a delivery, as a listing shows it. */
export type LastAttempt = Pick<Attempt, 'outcome' | 'httpStatus' | 'error'>;

/**
 * The last finished attempt of each of `deliveryIds` (by attempt ID, through `attempts_delivery`); a
 * delivery never attempted has no entry.
 *
 * @example
 * lastAttemptsOf(db, [1, 2]).get(1) // { outcome: 'http-status', httpStatus: 500, error: null }
 */
export function lastAttemptsOf(db: Db, deliveryIds: readonly number[]): Map<number, LastAttempt> {
  const rows = statement(
    db,
    `select delivery_id, outcome, http_status, error from attempts where id in
       (select max(id) from attempts where delivery_id in (select value from json_each(?)) and ended_at is not null group by delivery_id)`,
  ).all(JSON.stringify(deliveryIds)) as { delivery_id: number; outcome: AttemptOutcome | null; http_status: number | null; error: string | null }[];
  return new Map(rows.map((row) => [row.delivery_id, { outcome: row.outcome, httpStatus: row.http_status, error: row.error }]));
}

/** A delivery's attempts in order. */
export function attemptsOf(db: Db, deliveryId: number): Attempt[] {
  const rows = statement(db, 'select * from attempts where delivery_id = ? order by id').all(deliveryId) as Record<string, unknown>[];
  return rows.map((row) => ({
    id: row.id as number,
    deliveryId: row.delivery_id as number,
    number: row.number as number,
    url: row.url as string,
    scheduledAt: row.scheduled_at as number,
    startedAt: row.started_at as number,
    endedAt: row.ended_at as number | null,
    outcome: row.outcome as AttemptOutcome | null,
    httpStatus: row.http_status as number | null,
    latencyMs: row.latency_ms as number | null,
    responseBody: row.response_body as string | null,
    error: row.error as string | null,
  }));
}

const BY_CLASS = `select coalesce(outcome, 'in_flight') as outcome,
    case when http_status is null then 'none' else (http_status / 100) || 'xx' end as statusClass, count(*) as n
  from attempts`;

/** Where the attempts removed by pruning are counted, so the metrics' totals never go down. */
const PRUNED_KEY = 'pruned_attempts';

/** Attempts per outcome and status class (for metrics), including those pruned since. */
export function countAttemptsByClass(db: Db): { outcome: string; statusClass: string; n: number }[] {
  const totals = prunedAttempts(db);
  for (const row of statement(db, `${BY_CLASS} group by 1, 2`).all() as { outcome: string; statusClass: string; n: number }[]) {
    const key = `${row.outcome}|${row.statusClass}`;
    totals[key] = (totals[key] ?? 0) + row.n;
  }
  return Object.entries(totals).map(([key, n]) => {
    const [outcome, statusClass] = key.split('|') as [string, string];
    return { outcome, statusClass, n };
  });
}

/**
 * Deletes a delivery's attempts, adding them to the pruned totals the metrics keep counting (call in the
 * pruning transaction). Returns how many.
 */
export function deleteAttemptsOf(db: Db, deliveryIds: readonly number[]): number {
  const ids = JSON.stringify(deliveryIds);
  const totals = prunedAttempts(db);
  const rows = statement(db, `${BY_CLASS} where delivery_id in (select value from json_each(?)) group by 1, 2`).all(ids) as {
    outcome: string;
    statusClass: string;
    n: number;
  }[];
  for (const row of rows) {
    const key = `${row.outcome}|${row.statusClass}`;
    totals[key] = (totals[key] ?? 0) + row.n;
  }
  const removed = statement(db, 'delete from attempts where delivery_id in (select value from json_each(?))').run(ids).changes;
  if (removed > 0) statement(db, 'insert into sim_state (key, value) values (?, ?) on conflict (key) do update set value = excluded.value').run(PRUNED_KEY, JSON.stringify(totals));
  return removed;
}

function prunedAttempts(db: Db): Record<string, number> {
  const row = statement(db, 'select value from sim_state where key = ?').get(PRUNED_KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as Record<string, number>) : {};
}

/** A finished attempt as the dashboard's feed words it. */
export interface RecentAttempt {
  deliveryId: number;
  number: number;
  startedAt: number;
  outcome: AttemptOutcome | null;
  httpStatus: number | null;
  latencyMs: number | null;
}

/**
 * The last `limit` finished attempts of an account (every account when `accountId` is null), newest
 * first. Walks the attempts' primary key backwards, so it costs about `limit` rows.
 *
 * @example
 * recentAttempts(db, null, 50)[0]?.deliveryId // 7
 */
export function recentAttempts(db: Db, accountId: number | null, limit: number): RecentAttempt[] {
  const rows = statement(
    db,
    `select a.delivery_id, a.number, a.started_at, a.outcome, a.http_status, a.latency_ms from attempts a
       join deliveries d on d.id = a.delivery_id
      where a.ended_at is not null and (@a is null or d.account_id = @a) order by a.id desc limit @limit`,
  ).all({ a: accountId, limit }) as Record<string, unknown>[];
  return rows.map((row) => ({
    deliveryId: row.delivery_id as number,
    number: row.number as number,
    startedAt: row.started_at as number,
    outcome: row.outcome as AttemptOutcome | null,
    httpStatus: row.http_status as number | null,
    latencyMs: row.latency_ms as number | null,
  }));
}
