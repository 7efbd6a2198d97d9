/**
 * Pruning finished history: deliveries that ended before a cutoff, their attempts and event links, the
 * events no remaining delivery carries, and the sent messages left without events. One call does one bounded
 * step in one transaction, so a caller can yield to the event loop between steps.
 *
 * What is never pruned: pending and in-flight deliveries, events not yet routed, and everything that
 * shares an event with a delivery that is not prunable. A delivery and the deliveries continuing it (backup
 * hand-over, replay: they carry the same events) go together, in one step, so `parent_id` never points at a
 * pruned delivery while its continuation is still there.
 */
import { deleteAttemptsOf } from './attempts.js';
import { FINAL_STATUSES, isFinal, type DeliveryStatus, type FinalStatus } from '../core/delivery-state.js';
import { countStatus } from './delivery-status.js';
import type { Db } from './open-db.js';
import { inTransaction } from './open-db.js';
import type { PruneCounts } from '../core/prune-summary.js';
import { statement } from './statements.js';

/** The statuses a delivery never leaves: only these are pruned. */
export const PRUNABLE_STATUSES: readonly FinalStatus[] = FINAL_STATUSES;

export type { PruneCounts } from '../core/prune-summary.js';

/** Where a pass has got to: per status, the last delivery ID looked at; `done` once every status is through. */
export interface PruneCursor {
  afterId: Record<FinalStatus, number>;
  messagesAfterId: number;
  done: boolean;
}

/** A fresh pass from the oldest rows. @example const cursor = newPruneCursor(); */
export function newPruneCursor(): PruneCursor {
  return { afterId: Object.fromEntries(PRUNABLE_STATUSES.map((status) => [status, 0])) as Record<FinalStatus, number>, messagesAfterId: 0, done: false };
}

/** Nothing removed yet. @example const total = emptyCounts(); */
export const emptyCounts = (): PruneCounts => ({ deliveries: 0, attempts: 0, events: 0, messages: 0 });

/** A chain (a delivery and the ones sharing its events) larger than this is left alone by a step. */
const MAX_CHAIN = 2_000;

interface CandidateRow {
  id: number;
  account_id: number;
  created_at: number;
  updated_at: number;
}

/**
 * One bounded step of a prune pass: looks at up to `limit` finished deliveries (per status, oldest first,
 * through the `deliveries_status` index) and removes those that ended before `before`, with their chains.
 * Advances `cursor`; sets `cursor.done` when every status has reached deliveries created at or after
 * `before` (IDs grow with clock time, so nothing further can be old enough) and old event-less messages are
 * swept. `accountId` null prunes every account; `budgetMs` ends the step early so it holds the database (and the
 * event loop) only briefly.
 *
 * @example
 * const cursor = newPruneCursor();
 * while (!cursor.done) pruneStep(db, cursor, clock.now() - 3_600_000, null, 500);
 */
export function pruneStep(db: Db, cursor: PruneCursor, before: number, accountId: number | null, limit: number, budgetMs = Number.POSITIVE_INFINITY): PruneCounts {
  // Deleting costs about twice as much as finding: stop looking once a third of the budget is spent.
  const lookUntil = performance.now() + budgetMs / 3;
  return inTransaction(db, () => {
    const counts = emptyCounts();
    const status = PRUNABLE_STATUSES.find((name) => cursor.afterId[name] !== Number.POSITIVE_INFINITY);
    if (status === undefined) {
      counts.messages += sweepMessages(db, cursor, before, accountId, limit);
      return counts;
    }
    const rows = statement(
      db,
      `select id, account_id, created_at, updated_at from deliveries indexed by deliveries_status
        where status = ? and id > ? order by id limit ?`,
    ).all(status, cursor.afterId[status], limit) as CandidateRow[];
    const prunable = new Set<number>();
    const kept = new Set<number>();
    let reachedCutoff = rows.length < limit;
    for (const row of rows) {
      if (row.created_at >= before) {
        reachedCutoff = true;
        break;
      }
      // At least one row per step, so a slow machine still makes progress.
      if (row !== rows[0] && performance.now() > lookUntil) {
        reachedCutoff = false;
        break;
      }
      cursor.afterId[status] = row.id;
      if (row.updated_at >= before || (accountId !== null && row.account_id !== accountId)) continue;
      if (prunable.has(row.id) || kept.has(row.id)) continue;
      const chain = chainOf(db, row.id);
      const target = chain && chainIsPrunable(db, chain, before) ? prunable : kept;
      for (const id of chain ?? [row.id]) target.add(id);
    }
    if (reachedCutoff) cursor.afterId[status] = Number.POSITIVE_INFINITY;
    if (prunable.size > 0) addCounts(counts, deleteDeliveries(db, [...prunable], before));
    return counts;
  });
}

/** The deliveries sharing events with `id`, transitively (itself included); undefined when larger than MAX_CHAIN. */
function chainOf(db: Db, id: number): number[] | undefined {
  const eventsOf = statement(db, 'select event_id from delivery_events where delivery_id = ?').pluck();
  const carriers = statement(db, 'select distinct delivery_id from delivery_events where event_id = ?').pluck();
  const deliveries = new Set([id]);
  const seenEvents = new Set<number>();
  const queue = [id];
  while (queue.length > 0) {
    const next = queue.pop() as number;
    for (const eventId of eventsOf.all(next) as number[]) {
      if (seenEvents.has(eventId)) continue;
      seenEvents.add(eventId);
      for (const carrier of carriers.all(eventId) as number[]) {
        if (deliveries.has(carrier)) continue;
        deliveries.add(carrier);
        queue.push(carrier);
        if (deliveries.size > MAX_CHAIN) return undefined;
      }
    }
  }
  return [...deliveries];
}

/** True when every delivery of the chain is finished and ended before `before`. */
function chainIsPrunable(db: Db, chain: readonly number[], before: number): boolean {
  const row = statement(db, 'select status, updated_at from deliveries where id = ?');
  return chain.every((id) => {
    const delivery = row.get(id) as { status: DeliveryStatus; updated_at: number } | undefined;
    return delivery !== undefined && isFinal(delivery.status) && delivery.updated_at < before;
  });
}

/** Deletes deliveries with their attempts and links, then their events no delivery carries any more. */
function deleteDeliveries(db: Db, ids: readonly number[], before: number): PruneCounts {
  // Set-based: one statement per table for the whole step, the IDs passed as one JSON array.
  const counts = emptyCounts();
  const list = JSON.stringify(ids);
  const eventIds = statement(db, 'select distinct event_id from delivery_events where delivery_id in (select value from json_each(?))').pluck().all(list);
  counts.attempts += deleteAttemptsOf(db, ids);
  statement(db, 'delete from delivery_events where delivery_id in (select value from json_each(?))').run(list);
  const byStatus = statement(db, 'select account_id, status, count(*) as n from deliveries where id in (select value from json_each(?)) group by 1, 2').all(list) as {
    account_id: number;
    status: DeliveryStatus;
    n: number;
  }[];
  for (const row of byStatus) countStatus(db, row.account_id, row.status, -row.n);
  // A pruned Parse API delivery takes its inbound mail with it.
  statement(db, 'delete from inbound_messages where delivery_id in (select value from json_each(?))').run(list);
  counts.deliveries += statement(db, 'delete from deliveries where id in (select value from json_each(?))').run(list).changes;
  const orphans = statement(
    db,
    `select id, account_id, message_id from events e where id in (select value from json_each(?)) and routed = 1
       and not exists (select 1 from due_events u where u.occurred_at = e.occurred_at and u.event_id = e.id)
       and not exists (select 1 from delivery_events de where de.event_id = e.id)`,
  ).all(JSON.stringify(eventIds)) as { id: number; account_id: number; message_id: string | null }[];
  counts.events += statement(db, 'delete from events where id in (select value from json_each(?))').run(JSON.stringify(orphans.map((event) => event.id))).changes;
  const messages = new Map<string, number>();
  for (const event of orphans) if (event.message_id !== null) messages.set(event.message_id, event.account_id);
  const deleteMessage = statement(
    db,
    `delete from messages where message_id = ? and account_id = ? and arrived_at < ?
       and not exists (select 1 from events e where e.message_id = messages.message_id)`,
  );
  for (const [messageId, accountId] of messages) counts.messages += deleteMessage.run(messageId, accountId, before).changes;
  return counts;
}

/**
 * Sent messages that arrived before `before` and have no event at all (none planned, or all pruned): up to
 * `limit` looked at per step, oldest first; marks the pass done at the first message not old enough.
 */
function sweepMessages(db: Db, cursor: PruneCursor, before: number, accountId: number | null, limit: number): number {
  const rows = statement(db, 'select id, account_id, message_id, arrived_at from messages where id > ? order by id limit ?').all(
    cursor.messagesAfterId,
    limit,
  ) as { id: number; account_id: number; message_id: string; arrived_at: number }[];
  const hasEvents = statement(db, 'select 1 from events where message_id = ? limit 1');
  const deleteMessage = statement(db, 'delete from messages where id = ?');
  let removed = 0;
  for (const row of rows) {
    if (row.arrived_at >= before) {
      cursor.done = true;
      return removed;
    }
    cursor.messagesAfterId = row.id;
    if (accountId !== null && row.account_id !== accountId) continue;
    if (hasEvents.get(row.message_id) === undefined) removed += deleteMessage.run(row.id).changes;
  }
  if (rows.length < limit) cursor.done = true;
  return removed;
}

const ROLLBACK = Symbol('rollback');

/**
 * What a prune before `before` would remove now, counted exactly by running the whole pass in one
 * transaction that is then rolled back (a dry run: nothing changes). It holds the database for the pass.
 *
 * @example
 * countPrunable(db, clock.now() - 7 * 86_400_000, accountId) // { deliveries: 12, attempts: 40, events: 12, messages: 3 }
 */
export function countPrunable(db: Db, before: number, accountId: number | null): PruneCounts {
  const total = emptyCounts();
  try {
    inTransaction(db, () => {
      const cursor = newPruneCursor();
      while (!cursor.done) addCounts(total, pruneStep(db, cursor, before, accountId, 500));
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return total;
}

/** Adds `more` into `total`. @example addCounts(total, pruneStep(db, cursor, before, null, 500)) */
export function addCounts(total: PruneCounts, more: PruneCounts): PruneCounts {
  total.deliveries += more.deliveries;
  total.attempts += more.attempts;
  total.events += more.events;
  total.messages += more.messages;
  return total;
}

/**
 * Gives up to `maxPages` free pages back to the file system when the file keeps more free pages than a
 * reserve (a quarter of the used pages, at least 1,024): freed space is first reused by new rows, so the
 * file neither keeps growing nor shrinks and regrows on every pass. Needs `auto_vacuum = incremental`;
 * returns the pages released (0 otherwise).
 *
 * @example
 * while (reclaimFreePages(db, 256) > 0) await yieldToLoop();
 */
export function reclaimFreePages(db: Db, maxPages: number): number {
  if (db.$client.pragma('auto_vacuum', { simple: true }) !== 2) return 0;
  const free = db.$client.pragma('freelist_count', { simple: true }) as number;
  const total = db.$client.pragma('page_count', { simple: true }) as number;
  const excess = free - Math.max(1_024, Math.floor((total - free) / 4));
  if (excess <= 0) return 0;
  const pages = Math.min(excess, maxPages);
  db.$client.pragma(`incremental_vacuum(${pages})`);
  return pages;
}
