/**
 * The `deliveries` and `delivery_events` tables: one POST to one URL and the events it carries.
 */
import type { DeliveryStatus } from '../core/delivery-state.js';
import { maskCredentials } from '../core/webhook-url.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

export interface Delivery {
  id: number;
  accountId: number;
  callbackUrlId: number | null;
  version: number;
  status: DeliveryStatus;
  eventCount: number;
  eventTypes: string;
  attemptCount: number;
  nextAttemptAt: number | null;
  groupClosesAt: number | null;
  parentId: number | null;
  /** A Parse API delivery's route (null for event deliveries). */
  parseRouteId: number | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A `deliveries` row as SQLite returns it (read by delivery-listing.ts too). */
export interface DeliveryRow {
  id: number;
  account_id: number;
  callback_url_id: number | null;
  version: number;
  status: DeliveryStatus;
  event_count: number;
  event_types: string;
  attempt_count: number;
  next_attempt_at: number | null;
  group_closes_at: number | null;
  parent_id: number | null;
  parse_route_id: number | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

/** A row as the `Delivery` the verbs return. */
export const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  accountId: row.account_id,
  callbackUrlId: row.callback_url_id,
  version: row.version,
  status: row.status,
  eventCount: row.event_count,
  eventTypes: row.event_types,
  attemptCount: row.attempt_count,
  nextAttemptAt: row.next_attempt_at,
  groupClosesAt: row.group_closes_at,
  parentId: row.parent_id,
  parseRouteId: row.parse_route_id ?? null,
  reason: row.reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewDelivery {
  accountId: number;
  callbackUrlId: number | null;
  version: number;
  status: 'pending' | 'suppressed';
  eventIds: readonly number[];
  eventTypes: readonly string[];
  nextAttemptAt: number | null;
  groupClosesAt: number | null;
  parentId: number | null;
  reason: string | null;
  /** A Parse API delivery: its route (its body is the inbound message's JSON, and it carries no events). */
  parseRouteId?: number | null;
}

/** Inserts a delivery with its events; returns its ID. */
export function insertDelivery(db: Db, delivery: NewDelivery, now: number): number {
  const id = Number(
    statement(
      db,
      `insert into deliveries (account_id, callback_url_id, version, status, event_count, event_types, attempt_count, next_attempt_at,
         group_closes_at, parent_id, reason, parse_route_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      delivery.accountId,
      delivery.callbackUrlId,
      delivery.version,
      delivery.status,
      delivery.eventIds.length,
      [...new Set(delivery.eventTypes)].join(','),
      delivery.nextAttemptAt,
      delivery.groupClosesAt,
      delivery.parentId,
      delivery.reason,
      delivery.parseRouteId ?? null,
      now,
      now,
    ).lastInsertRowid,
  );
  countStatus(db, delivery.accountId, delivery.status, 1);
  const link = statement(db, LINK_EVENT);
  const types = [...new Set(delivery.eventTypes)].join(',');
  delivery.eventIds.forEach((eventId, position) => link.run(id, position, eventId, types, eventId));
  return id;
}

/**
 * Adds `delta` to an account's count of deliveries in `status` (`delivery_counts`). Every verb that inserts,
 * deletes or changes the status of a delivery calls it in the same transaction; a test checks the counts
 * against the table after each kind of write.
 *
 * @example
 * countStatus(db, 1, 'pending', -1); countStatus(db, 1, 'in_flight', 1);
 */
export function countStatus(db: Db, accountId: number, status: string, delta: number): void {
  statement(db, 'insert into delivery_counts (account_id, status, n) values (?, ?, ?) on conflict (account_id, status) do update set n = n + excluded.n').run(
    accountId,
    status,
    delta,
  );
}

/**
 * Links an event to a delivery, with the event's recipient lower-cased (read here, so no caller can forget it)
 * and the delivery's event types (`delivery_events.event_types` stays equal to `deliveries.event_types`).
 */
const LINK_EVENT =
  'insert into delivery_events (delivery_id, position, event_id, event_types, email) values (?, ?, ?, ?, (select lower(email) from events where id = ?))';

/** Adds one event at the end of a group. */
export function appendToGroup(db: Db, group: Delivery, eventId: number, eventType: string, now: number): void {
  const types = [...new Set([...group.eventTypes.split(','), eventType])].join(',');
  statement(db, LINK_EVENT).run(group.id, group.eventCount, eventId, types, eventId);
  statement(db, 'update deliveries set event_count = event_count + 1, event_types = ?, updated_at = ? where id = ?').run(types, now, group.id);
  // A new type changes the set: the group's earlier links follow (rare: a group gains each type once).
  if (types !== group.eventTypes) statement(db, 'update delivery_events set event_types = ? where delivery_id = ? and event_types is not ?').run(types, group.id, types);
  group.eventCount += 1;
  group.eventTypes = types;
}

export interface ClaimedDelivery {
  id: number;
  accountId: number;
  callbackUrlId: number | null;
  version: number;
  eventTypes: string;
  attemptNumber: number;
  scheduledAt: number;
  attemptId: number;
  /** The clock time the attempt starts at: its scheduled time, or the clock's time when that is later. */
  startedAt: number;
  /** The URL as registered now (null when it was deleted). */
  url: string | null;
  isBackup: boolean;
  urlStatus: 'alive' | 'dead' | null;
  /** A Parse API delivery's route (its URL is the route's; a parse route is never suspended). */
  parseRouteId: number | null;
}

interface DueRow {
  id: number;
  account_id: number;
  callback_url_id: number | null;
  version: number;
  event_types: string;
  attempt_count: number;
  next_attempt_at: number;
  url: string | null;
  is_backup: number | null;
  url_status: 'alive' | 'dead' | null;
  parse_route_id: number | null;
}

// A Parse API delivery takes its URL from its parse route (src/db/parse-routes.ts), which is never dead.
const DUE_COLUMNS = `d.id, d.account_id, d.callback_url_id, d.version, d.event_types, d.attempt_count, d.next_attempt_at,
  coalesce(c.url, p.url) as url, c.is_backup, coalesce(c.status, case when p.id is null then null else 'alive' end) as url_status, d.parse_route_id`;
const DUE_JOINS = 'left join callback_urls c on c.id = d.callback_url_id left join parse_routes p on p.id = d.parse_route_id';

/** Decides, slot by slot, whether a delivery to a URL may start now (see `ClaimGate` in core/fair-share.ts). */
export interface ClaimGate {
  admits(callbackUrlId: number): boolean;
  take(callbackUrlId: number): void;
}

/**
 * Claims up to `limit` due deliveries in one transaction (the caller's): each becomes in-flight and gets
 * an open attempt row, so a crash leaves a trace that recovery turns into `interrupted`. `gate` says which
 * URL may take another slot (per-URL limit, slow lane).
 *
 * Slots go round-robin across URLs, oldest due work first: the head of the queue comes from the partial
 * index `deliveries_due` (named, because SQLite's planner otherwise prefers the status index and sorts
 * every pending row) and is dealt one delivery per URL per round. When the gate turns a URL of the head
 * away, the other URLs' due work is looked up per URL through `deliveries_url_due`, starting after URL
 * `rotateAfter` (the last one served) so that no URL starves behind lower IDs, and a huge backlog on one
 * busy URL never costs a scan.
 *
 * During an advance of the manual clock, `ahead.upTo` claims work scheduled after `now` too (up to that
 * horizon): each attempt then starts at its scheduled time, and a delivery waits while an earlier one for
 * the same URL text and one of its MessageIDs is pending or in flight, so that a message's events reach a
 * URL in clock order however many attempts run at once.
 *
 * @example
 * inTransaction(db, () => claimDue(db, clock.now(), 16, new ClaimGate({ concurrency: 128, perUrlLimit: 32, inFlightByUrl, speedOf })));
 */
export function claimDue(db: Db, now: number, limit: number, gate: ClaimGate, rotateAfter = 0, ahead?: { upTo: number }): ClaimedDelivery[] {
  const dueBy = ahead ? Math.max(ahead.upTo, now) : now;
  const mayStart = ahead ? (row: DueRow) => row.url === null || !waitsForEarlier(db, row) : () => true;
  const head = statement(
    db,
    `select ${DUE_COLUMNS} from deliveries d indexed by deliveries_due ${DUE_JOINS}
      where d.status = 'pending' and d.next_attempt_at <= ? order by d.next_attempt_at, d.id limit ?`,
  ).all(dueBy, limit) as DueRow[];
  const chosen: DueRow[] = [];
  const turnedAway = new Set<number>();
  const queues = new Map<number | null, DueRow[]>();
  for (const row of head) {
    const queue = queues.get(row.callback_url_id);
    if (queue) queue.push(row);
    else queues.set(row.callback_url_id, [row]);
  }
  dealRoundRobin([...queues.keys()], limit, chosen, gate, turnedAway, (urlId) => queues.get(urlId)?.shift(), mayStart);
  if (turnedAway.size > 0 && chosen.length < limit) {
    const seen = new Set(chosen.map((row) => row.id));
    const fetched = new Map<number, DueRow[]>();
    const more = statement(
      db,
      `select ${DUE_COLUMNS} from deliveries d indexed by deliveries_url_due ${DUE_JOINS}
        where d.status = 'pending' and d.callback_url_id = ? and d.next_attempt_at <= ? order by d.next_attempt_at, d.id limit ?`,
    );
    const next = (urlId: number | null): DueRow | undefined => {
      const id = urlId as number;
      let rows = fetched.get(id);
      if (!rows) {
        const alreadyChosen = chosen.filter((row) => row.callback_url_id === id).length;
        rows = (more.all(id, dueBy, limit + alreadyChosen) as DueRow[]).filter((row) => !seen.has(row.id));
        fetched.set(id, rows);
      }
      return rows.shift();
    };
    const urls = urlsWithDueWork(db, dueBy).filter((id) => !turnedAway.has(id));
    const rotated = [...urls.filter((id) => id > rotateAfter), ...urls.filter((id) => id <= rotateAfter)];
    dealRoundRobin(rotated, limit, chosen, gate, turnedAway, next, mayStart);
  }
  const markInFlight = statement(db, `update deliveries set status = 'in_flight', updated_at = ? where id = ?`);
  const openAttempt = statement(db, 'insert into attempts (delivery_id, number, url, scheduled_at, started_at) values (?, ?, ?, ?, ?)');
  const claimedBy = new Map<number, number>();
  for (const row of chosen) claimedBy.set(row.account_id, (claimedBy.get(row.account_id) ?? 0) + 1);
  for (const [accountId, n] of claimedBy) {
    countStatus(db, accountId, 'pending', -n);
    countStatus(db, accountId, 'in_flight', n);
  }
  return chosen.map((row) => {
    markInFlight.run(now, row.id);
    const attemptNumber = row.attempt_count + 1;
    const startedAt = Math.max(row.next_attempt_at, now);
    const attemptId = Number(openAttempt.run(row.id, attemptNumber, maskCredentials(row.url ?? ''), row.next_attempt_at, startedAt).lastInsertRowid);
    return {
      id: row.id,
      accountId: row.account_id,
      callbackUrlId: row.callback_url_id,
      version: row.version,
      eventTypes: row.event_types,
      attemptNumber,
      scheduledAt: row.next_attempt_at,
      attemptId,
      startedAt,
      url: row.url,
      isBackup: row.is_backup === 1,
      urlStatus: row.url_status,
      parseRouteId: row.parse_route_id,
    };
  });
}

/**
 * Deals slots one delivery per URL per round until `limit` are chosen or no URL can take more. Deliveries
 * without a URL (deleted) always pass: they end at once. A URL the gate turns away leaves the deal. A
 * delivery that `mayStart` holds back stays pending, and its URL keeps its turn for the next one.
 */
function dealRoundRobin(
  urls: (number | null)[],
  limit: number,
  chosen: DueRow[],
  gate: ClaimGate,
  turnedAway: Set<number>,
  nextOf: (urlId: number | null) => DueRow | undefined,
  mayStart: (row: DueRow) => boolean,
): void {
  let active = urls;
  while (active.length > 0 && chosen.length < limit) {
    const stillActive: (number | null)[] = [];
    for (const urlId of active) {
      if (chosen.length >= limit) break;
      if (urlId !== null && !gate.admits(urlId)) {
        turnedAway.add(urlId);
        continue;
      }
      const row = nextOf(urlId);
      if (!row) continue;
      if (!mayStart(row)) {
        stillActive.push(urlId);
        continue;
      }
      if (urlId !== null) gate.take(urlId);
      chosen.push(row);
      stillActive.push(urlId);
    }
    active = stillActive;
  }
}

/**
 * Whether an earlier delivery to the same URL text that carries one of this delivery's MessageIDs is still
 * pending or in flight (one index probe per event of the delivery and per event of those messages).
 */
function waitsForEarlier(db: Db, row: DueRow): boolean {
  return (
    statement(
      db,
      `select 1 from delivery_events de join events e on e.id = de.event_id
         join events e2 on e2.message_id = e.message_id
         join delivery_events de2 on de2.event_id = e2.id
         join deliveries d2 on d2.id = de2.delivery_id
         join callback_urls c2 on c2.id = d2.callback_url_id
        where de.delivery_id = ? and e.message_id is not null and d2.id != ? and d2.status in ('pending', 'in_flight') and c2.url = ?
          and (d2.next_attempt_at < ? or (d2.next_attempt_at = ? and d2.id < ?))
        limit 1`,
    ).get(row.id, row.id, row.url, row.next_attempt_at, row.next_attempt_at, row.id) !== undefined
  );
}

/**
 * The earliest pending delivery due by `dueBy` whose next attempt comes after `attemptCount` attempts (the
 * policy's last one, which suspends its URL when it fails), or null.
 */
export function earliestPendingAfterAttempts(db: Db, attemptCount: number, dueBy: number): number | null {
  const row = statement(
    db,
    `select min(next_attempt_at) as t from deliveries indexed by deliveries_due
      where status = 'pending' and next_attempt_at <= ? and attempt_count >= ?`,
  ).get(dueBy, attemptCount) as { t: number | null };
  return row.t;
}

/** Callback URLs with a pending delivery due by `now`, by ID (one index probe per registered URL). */
function urlsWithDueWork(db: Db, now: number): number[] {
  const rows = statement(
    db,
    `select c.id from callback_urls c where exists (select 1 from deliveries d indexed by deliveries_url_due
       where d.status = 'pending' and d.callback_url_id = c.id and d.next_attempt_at <= ?) order by c.id`,
  ).all(now) as { id: number }[];
  return rows.map((row) => row.id);
}

/** Writes a delivery's new status after an attempt (or a routing change). */
export function updateDeliveryStatus(
  db: Db,
  id: number,
  changes: { status: DeliveryStatus; attemptCount?: number; nextAttemptAt: number | null; reason?: string | null },
  now: number,
): void {
  const before = statement(db, 'select account_id, status from deliveries where id = ?').get(id) as { account_id: number; status: string } | undefined;
  if (before && before.status !== changes.status) {
    countStatus(db, before.account_id, before.status, -1);
    countStatus(db, before.account_id, changes.status, 1);
  }
  statement(
    db,
    `update deliveries set status = ?, attempt_count = coalesce(?, attempt_count), next_attempt_at = ?,
       reason = coalesce(?, reason), updated_at = ? where id = ?`,
  ).run(changes.status, changes.attemptCount ?? null, changes.nextAttemptAt, changes.reason ?? null, now, id);
}

/**
 * Turns every in-flight delivery back to pending, due `now` or at its scheduled time when that is later (an
 * advance may have claimed it ahead of the stored clock). Crash recovery at start. Returns how many.
 */
export function requeueInFlight(db: Db, now: number): number {
  const byAccount = statement(db, `select account_id, count(*) as n from deliveries where status = 'in_flight' group by account_id`).all() as { account_id: number; n: number }[];
  for (const { account_id: accountId, n } of byAccount) {
    countStatus(db, accountId, 'in_flight', -n);
    countStatus(db, accountId, 'pending', n);
  }
  return statement(db, `update deliveries set status = 'pending', next_attempt_at = max(next_attempt_at, ?), updated_at = ? where status = 'in_flight'`).run(
    now,
    now,
  ).changes;
}

/** When the earliest pending delivery is due, or null. */
export function nextPendingAt(db: Db): number | null {
  return (statement(db, `select min(next_attempt_at) as t from deliveries indexed by deliveries_due where status = 'pending'`).get() as { t: number | null })
    .t;
}

/** Pending deliveries of one URL. */
export function pendingOfUrl(db: Db, callbackUrlId: number): Delivery[] {
  const rows = statement(db, `select * from deliveries where callback_url_id = ? and status = 'pending' order by id`).all(callbackUrlId) as DeliveryRow[];
  return rows.map(toDelivery);
}

/** One delivery of an account (any account when `accountId` is null). */
export function getDelivery(db: Db, accountId: number | null, id: number): Delivery | undefined {
  const row = statement(db, 'select * from deliveries where id = ? and (? is null or account_id = ?)').get(id, accountId, accountId) as
    | DeliveryRow
    | undefined;
  return row && toDelivery(row);
}

/**
 * The deliveries that continue `id` (the backup's after a suspension or deletion, a replay's): those whose
 * `parent_id` is `id`. Found through the events they share, so no index on `parent_id` is needed: a
 * continuation always carries some of its parent's events.
 *
 * @example
 * continuationsOf(db, 1) // [3]: delivery #3 took #1's event to the backup URL
 */
export function continuationsOf(db: Db, id: number): number[] {
  const rows = statement(
    db,
    // Deduplicated and sorted here, not by SQL: a few rows, and DISTINCT/ORDER BY would build a temporary B-tree.
    `select theirs.delivery_id as id from delivery_events mine
       join delivery_events theirs indexed by delivery_events_event on theirs.event_id = mine.event_id
       join deliveries d on d.id = theirs.delivery_id
      where mine.delivery_id = ? and theirs.delivery_id > ? and d.parent_id = ?`,
  ).all(id, id, id) as { id: number }[];
  return [...new Set(rows.map((row) => row.id))].sort((a, b) => a - b);
}

/**
 * Deliveries per status, of one account or (accountId null) of all (for metrics and the dashboard). Reads
 * `delivery_counts` (see `countStatus`), so it costs a few rows at any size.
 */
export function countDeliveriesByStatus(db: Db, accountId: number | null = null): Record<string, number> {
  const rows = statement(db, 'select status, sum(n) as n from delivery_counts where (? is null or account_id = ?) group by status having sum(n) > 0').all(accountId, accountId) as {
    status: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}
