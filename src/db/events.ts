/**
 * The `events` table: accepted events, routed to deliveries once their time has come.
 *
 * An accepted event is first *staged* (`routed = 2`), in an index on its ID that only grows at its end. The
 * time index (`routed = 0`, by `occurred_at`) takes the staged events in one statement ("folding") once the
 * earliest of them could be due, or when a read needs it. A send's events are due a few random seconds
 * later, so in the time index they land all over its busiest part: inserted there one commit at a time, they
 * made every commit write a page per event, half of all a send wrote. Folded in bulk, a page takes many.
 *
 * Memory keeps a lower bound of the staged events' times (`earliest`), so "when is the next event due" needs
 * no look at them: it is exact after a fold, and only ever too early (a wasted fold) after a rollback.
 */
import type Database from 'better-sqlite3';
import { atomically, transactionScope, type Db } from './open-db.js';
import { statement } from './statements.js';

/** What memory knows of a connection's staged events. */
interface Staging {
  /** No staged event happens before this (Infinity: none staged). */
  earliest: number;
  /** The earliest of the events staged since the last fold began (becomes `earliest` when it commits). */
  sinceFold: number;
}

const stagings = new WeakMap<Database.Database, Staging>();

function stagingOf(db: Db): Staging {
  let staging = stagings.get(db.$client);
  if (!staging) {
    // First use on this connection: read what an earlier process left staged (once, however many).
    const row = statement(db, 'select min(occurred_at) as t from events where routed = 2').get() as { t: number | null };
    staging = { earliest: row.t ?? Infinity, sinceFold: Infinity };
    stagings.set(db.$client, staging);
  }
  return staging;
}

/**
 * Moves every staged event into the time index. Inside a transaction (not a savepoint, which could be
 * rolled back alone) the bound is raised once that transaction commits; otherwise in a transaction of its own.
 */
function fold(db: Db): void {
  const staging = stagingOf(db);
  staging.sinceFold = Infinity;
  atomically(db, () => {
    statement(db, 'update events set routed = 0 where routed = 2').run();
    const scope = transactionScope(db);
    if (scope && scope.savepoints === 0) scope.afterCommit.set('events:fold', () => (staging.earliest = staging.sinceFold));
  });
}

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

/** Inserts events, staged (call inside a transaction for many); returns their IDs in order. */
export function insertEvents(db: Db, rows: readonly NewEvent[], now: number): number[] {
  const insert = statement(
    db,
    'insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values (?, ?, ?, ?, ?, ?, 2, ?)',
  );
  const staging = stagingOf(db);
  return rows.map((row) => {
    if (row.occurredAt < staging.earliest) staging.earliest = row.occurredAt;
    if (row.occurredAt < staging.sinceFold) staging.sinceFold = row.occurredAt;
    return Number(insert.run(row.accountId, row.eventType, row.occurredAt, row.payload, row.messageId, row.email, now).lastInsertRowid);
  });
}

/** Unrouted events whose time has come, oldest first (folding the staged ones first when any could be due). */
export function dueUnroutedEvents(db: Db, now: number, limit: number): StoredEvent[] {
  if (stagingOf(db).earliest <= now) fold(db);
  const rows = statement(db, 'select * from events where routed = 0 and occurred_at <= ? order by occurred_at, id limit ?').all(now, limit) as EventRow[];
  return rows.map(toEvent);
}

/** Marks events routed. */
export function markRouted(db: Db, ids: readonly number[]): void {
  const update = statement(db, 'update events set routed = 1 where id = ?');
  for (const id of ids) update.run(id);
}

/** When the earliest unrouted event happens, or null (a staged event counts by memory's bound). */
export function nextUnroutedAt(db: Db): number | null {
  const row = statement(db, 'select min(occurred_at) as t from events where routed = 0').get() as { t: number | null };
  const earliest = Math.min(row.t ?? Infinity, stagingOf(db).earliest);
  return earliest === Infinity ? null : earliest;
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
