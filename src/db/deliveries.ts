/**
 * The `deliveries` and `delivery_events` tables: one POST to one URL and the events it carries.
 */
import type { DeliveryStatus } from '../core/delivery-state.js';
import { countStatus, deliveryCountsByStatus } from './delivery-status.js';
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
 * Deliveries per status, of one account or (accountId null) of all (for metrics and the dashboard), from the
 * kept counts (`deliveryCountsByStatus`), so it costs a few rows at any size.
 */
export function countDeliveriesByStatus(db: Db, accountId: number | null = null): Record<string, number> {
  return deliveryCountsByStatus(db, accountId);
}
