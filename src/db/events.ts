/**
 * The `events` table: accepted events, routed to deliveries once their time has come.
 */
import { statement } from './statements.js';
import type { Db } from './open-db.js';

export interface NewEvent {
  accountId: number;
  eventType: string;
  occurredAt: number;
  /** The exact JSON text of the payload (big integers exact). */
  payload: string;
  messageId: string | null;
  email: string | null;
}

export interface StoredEvent extends NewEvent {
  id: number;
  routed: boolean;
  createdAt: number;
}

interface EventRow {
  id: number;
  account_id: number;
  event_type: string;
  occurred_at: number;
  payload: string;
  message_id: string | null;
  email: string | null;
  routed: number;
  created_at: number;
}

const toEvent = (row: EventRow): StoredEvent => ({
  id: row.id,
  accountId: row.account_id,
  eventType: row.event_type,
  occurredAt: row.occurred_at,
  payload: row.payload,
  messageId: row.message_id,
  email: row.email,
  routed: row.routed === 1,
  createdAt: row.created_at,
});

/** Inserts events (call inside a transaction for many); returns their IDs in order. */
export function insertEvents(db: Db, rows: readonly NewEvent[], now: number): number[] {
  const insert = statement(
    db,
    'insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values (?, ?, ?, ?, ?, ?, 0, ?)',
  );
  return rows.map((row) => Number(insert.run(row.accountId, row.eventType, row.occurredAt, row.payload, row.messageId, row.email, now).lastInsertRowid));
}

/** Unrouted events whose time has come, oldest first. */
export function dueUnroutedEvents(db: Db, now: number, limit: number): StoredEvent[] {
  const rows = statement(db, 'select * from events where routed = 0 and occurred_at <= ? order by occurred_at, id limit ?').all(now, limit) as EventRow[];
  return rows.map(toEvent);
}

/** Marks events routed. */
export function markRouted(db: Db, ids: readonly number[]): void {
  const update = statement(db, 'update events set routed = 1 where id = ?');
  for (const id of ids) update.run(id);
}

/** When the earliest unrouted event happens, or null. */
export function nextUnroutedAt(db: Db): number | null {
  const row = statement(db, 'select min(occurred_at) as t from events where routed = 0').get() as { t: number | null };
  return row.t;
}

/** How many events wait for their time. */
export function countUnrouted(db: Db): number {
  return (statement(db, 'select count(*) as n from events where routed = 0').get() as { n: number }).n;
}

/** The events of a delivery, in body order. */
export function eventsOfDelivery(db: Db, deliveryId: number): StoredEvent[] {
  const rows = statement(
    db,
    'select e.* from delivery_events de join events e on e.id = de.event_id where de.delivery_id = ? order by de.position',
  ).all(deliveryId) as EventRow[];
  return rows.map(toEvent);
}

/** The payload texts of a delivery, in body order. */
export function payloadsOfDelivery(db: Db, deliveryId: number): string[] {
  const rows = statement(
    db,
    'select e.payload from delivery_events de join events e on e.id = de.event_id where de.delivery_id = ? order by de.position',
  ).all(deliveryId) as { payload: string }[];
  return rows.map((row) => row.payload);
}

/** An account's events, newest first, with an optional message filter. */
export function listEvents(db: Db, accountId: number, options: { messageId?: string; limit: number; offset: number }): StoredEvent[] {
  const rows = options.messageId
    ? (statement(db, 'select * from events where account_id = ? and message_id = ? order by occurred_at, id limit ? offset ?').all(
        accountId,
        options.messageId,
        options.limit,
        options.offset,
      ) as EventRow[])
    : (statement(db, 'select * from events where account_id = ? order by id desc limit ? offset ?').all(
        accountId,
        options.limit,
        options.offset,
      ) as EventRow[]);
  return rows.map(toEvent);
}
