/**
 * The `events` table: accepted events, routed to deliveries once their time has come.
 *
 * An accepted event is first *staged* (`routed = 2`), in an index on its ID that only grows at its end,
 * unless it is due already and nothing is staged: then it goes straight into the time index (`insertEvents`),
 * which saves injected events (`POST /sim/events`, due at once) a write. The time index is the narrow
 * table `due_events` (time, ID), and an event's row leaves staging for good (`routed = 1`) as it enters it:
 * routing deletes the index's rows and leaves the events' rows, whose payloads fill their pages, as they
 * are (migration 0010; a pass of 2,000 events had rewritten some 250 pages of them for a flag). The time
 * index takes the staged events ("the move") once the earliest of them could be due. A send's events are
 * due a few random seconds later, so in the time index they land all over its busiest part: inserted there
 * one commit at a time, they made every commit write a page per event, half of all a send wrote. Moved in
 * bulk, a page takes many.
 *
 * The move goes in slices of MOVE_SLICE events, lowest IDs first, one per routing pass (each in that pass's
 * transaction, the event loop free between passes): one statement over a million staged events held the loop
 * 4 s and took 450 MB of temporary store. Every staged event has a higher ID than every event in the time
 * index (IDs only grow, and the lowest staged go first), so while a move is under way, routing takes the
 * time index only up to the staged events' lower bound: in (time, ID) order nothing staged comes before what
 * it routes, and nothing is routed before it is due. A slice's move is one transaction, so a crash mid-move
 * leaves each event either staged or in the time index, which is all a new process needs.
 *
 * Memory keeps a lower bound of the staged events' times (`earliest`), so "when is the next event due" needs
 * no look at them: it is raised only once a move's last slice commits, and is only ever too early (a wasted
 * slice) after a rollback.
 */
import type Database from 'better-sqlite3';
import { atomically, transactionScope, type Db } from './open-db.js';
import { insertRows, statement } from './statements.js';

/** What memory knows of a connection's staged events. */
interface Staging {
  /** No staged event happens before this (Infinity: none staged). */
  earliest: number;
  /** The earliest of the events staged since the last slice that emptied the staging index (becomes `earliest` when it commits). */
  sinceMove: number;
}

/** Staged events moved per statement: some milliseconds of work, whatever the backlog. */
export const MOVE_SLICE = 4_096;

const stagings = new WeakMap<Database.Database, Staging>();

function stagingOf(db: Db): Staging {
  let staging = stagings.get(db.$client);
  if (!staging) {
    // First use on this connection: read what an earlier process left staged (once, however many).
    const row = statement(db, 'select min(occurred_at) as t from events where routed = 2').get() as { t: number | null };
    staging = { earliest: row.t ?? Infinity, sinceMove: Infinity };
    stagings.set(db.$client, staging);
  }
  return staging;
}

/**
 * Moves the next MOVE_SLICE staged events (lowest IDs first) into the time index; returns whether any are
 * left staged. The slice that empties the staging index raises the bound once its transaction commits
 * (inside a savepoint, which could be rolled back alone, it is left low); outside a transaction it runs in one
 * of its own.
 */
function moveSlice(db: Db): boolean {
  const staging = stagingOf(db);
  return atomically(db, () => {
    // The same slice twice (nothing changes it in between): into the time index, then out of staging.
    const moved = statement(
      db,
      'insert into due_events (occurred_at, event_id) select occurred_at, id from events where routed = 2 order by id limit ?',
    ).run(MOVE_SLICE).changes;
    statement(db, 'update events set routed = 1 where id in (select id from events where routed = 2 order by id limit ?)').run(MOVE_SLICE);
    if (moved === MOVE_SLICE) return true;
    staging.sinceMove = Infinity;
    const scope = transactionScope(db);
    if (scope && scope.savepoints === 0) scope.afterCommit.set('events:move', () => (staging.earliest = staging.sinceMove));
    return false;
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

/** An event row as routing reads it (see DueEvent): no creation time, the payload only where it is read. */
type DueRow = Omit<EventRow, 'payload' | 'routed' | 'created_at'> & { payload: string | null };

const toDueEvent = (row: DueRow): DueEvent => ({
  id: row.id,
  accountId: row.account_id,
  eventType: row.event_type,
  occurredAt: row.occurred_at,
  payload: row.payload,
  messageId: row.message_id,
  email: row.email,
});

const toEvent = (row: EventRow): StoredEvent => ({ ...toDueEvent(row), payload: row.payload, createdAt: row.created_at });

const EVENT_COLUMNS = 'insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values ';
const DUE_COLUMNS = 'insert into due_events (occurred_at, event_id) values ';
/**
 * Inserts events (call inside a transaction for many); returns their IDs in order. An event already due goes
 * straight into the time index while nothing is staged: the next pass would move it there first anyway (its
 * time has come), and every staged event still has a higher ID than the time index's. Others are staged.
 */
export function insertEvents(db: Db, rows: readonly NewEvent[], now: number): number[] {
  if (rows.length === 0) return [];
  const staging = stagingOf(db);
  const values: unknown[] = [];
  const due: boolean[] = [];
  for (const row of rows) {
    const isDue = row.occurredAt <= now && staging.earliest === Infinity;
    if (!isDue) {
      if (row.occurredAt < staging.earliest) staging.earliest = row.occurredAt;
      if (row.occurredAt < staging.sinceMove) staging.sinceMove = row.occurredAt;
    }
    due.push(isDue);
    values.push(row.accountId, row.eventType, row.occurredAt, row.payload, row.messageId, row.email, isDue ? 1 : 2, now);
  }
  // Each statement inserts its rows in order, each ID one above the last (AUTOINCREMENT, one writer).
  const firstId = insertRows(db, EVENT_COLUMNS, '(?, ?, ?, ?, ?, ?, ?, ?)', values) - rows.length + 1;
  const ids = rows.map((_, i) => firstId + i);
  const dueValues: number[] = [];
  rows.forEach((row, i) => {
    if (due[i]) dueValues.push(row.occurredAt, firstId + i);
  });
  insertRows(db, DUE_COLUMNS, '(?, ?)', dueValues);
  return ids;
}

/**
 * An unrouted event as routing reads it: no creation time, and its payload only where routing reads it (a
 * bounce's or a block's error gives the message's state), null otherwise. A pass used to read every payload
 * (a few hundred bytes each) for nothing.
 */
export interface DueEvent extends Omit<StoredEvent, 'payload' | 'createdAt'> {
  payload: string | null;
}

/**
 * Unrouted events whose time has come, oldest first. When staged events could be due, one slice of them moves
 * into the time index first; while some are left staged, only events up to their lower bound come out (the
 * caller routes again on its next pass).
 */
export function dueUnroutedEvents(db: Db, now: number, limit: number): DueEvent[] {
  const staging = stagingOf(db);
  const upTo = staging.earliest <= now && moveSlice(db) ? Math.min(now, staging.earliest) : now;
  const rows = statement(
    db,
    `select e.id, e.account_id, e.event_type, e.occurred_at, e.message_id, e.email,
        case when e.event_type in ('bounce', 'blocked') then e.payload end as payload
      from due_events u cross join events e on e.id = u.event_id where u.occurred_at <= ? order by u.occurred_at, u.event_id limit ?`,
  ).all(upTo, limit) as DueRow[];
  return rows.map(toDueEvent);
}

/**
 * Marks events routed, wherever they are: out of the time index (their rows in `events` stay as they are),
 * or out of staging (a test event routed as it is stored, while others are staged). One statement for each,
 * however many events; the second only while something may be staged.
 *
 * @example
 * markRouted(db, [1, 2, 3])
 */
export function markRouted(db: Db, ids: readonly number[]): void {
  if (ids.length === 0) return;
  const list = JSON.stringify(ids);
  statement(
    db,
    'delete from due_events where (occurred_at, event_id) in (select occurred_at, id from events where id in (select value from json_each(?)))',
  ).run(list);
  if (stagingOf(db).earliest !== Infinity) statement(db, 'update events set routed = 1 where routed = 2 and id in (select value from json_each(?))').run(list);
}

/**
 * Marks routed the events `dueUnroutedEvents` just gave, in the same transaction: every entry of the time
 * index up to the last of them in (time, ID) order, which is exactly them (it gives the first entries in that
 * order). One range delete at the index's start, with no look at the events' rows.
 *
 * @example
 * const due = dueUnroutedEvents(db, now, 2_000);
 * markRoutedThrough(db, due[due.length - 1]!);
 */
export function markRoutedThrough(db: Db, last: { occurredAt: number; id: number }): void {
  statement(db, 'delete from due_events where (occurred_at, event_id) <= (?, ?)').run(last.occurredAt, last.id);
}

/** When the earliest unrouted event happens, or null (a staged event counts by memory's bound). */
export function nextUnroutedAt(db: Db): number | null {
  const row = statement(db, 'select min(occurred_at) as t from due_events').get() as { t: number | null };
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
