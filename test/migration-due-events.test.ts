/**
 * Migration 0010 (the time index becomes the `due_events` table): a database made by the previous migrations
 * keeps every event, each in the state it had (staged, waiting in the time index, routed), and the ones that
 * were waiting are routed afterwards in (time, ID) order, once each. Then what 0010 changes for accounts:
 * resetting one takes its waiting events out of the time index too.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { dueUnroutedEvents, insertEvents, markRouted, nextUnroutedAt } from '../src/db/events.js';
import { inTransaction, openDb } from '../src/db/open-db.js';
import { resetAccount } from '../src/db/reset.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mjsim-migrate-0010-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('migration 0010 on a database made by the previous migrations', () => {
  it('keeps every event in its state and routes the waiting ones afterwards, in (time, ID) order', () => {
    const dir = tempDir();
    // The migrations as they were before 0010.
    const old = join(dir, 'drizzle');
    cpSync(join(import.meta.dirname, '../drizzle'), old, { recursive: true });
    rmSync(join(old, '0010_due_events.sql'));
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    expect(journal.entries.map((entry) => entry.tag)).toContain('0010_due_events');
    journal.entries = journal.entries.filter((entry) => entry.idx < 10);
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'sim.db');
    const client = new Database(file);
    migrate(drizzle(client), { migrationsFolder: old });
    client.prepare("insert into accounts (id, public_key, secret_key, is_dev, created_at) values (1, 'k', 's', 0, 0)").run();
    const insert = client.prepare(
      "insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values (1, 'open', ?, '{}', null, 'a@example.com', ?, 0)",
    );
    const add = (at: number, routed: number) => Number(insert.run(at, routed).lastInsertRowid);
    add(100, 1); // routed already
    const waitingLate = add(300, 0);
    const waitingEarly = add(200, 0);
    const waitingTie = add(200, 0);
    const staged = add(250, 2);
    client.close();

    const db = openDb(file);
    cleanups.push(() => db.$client.close());
    const all = JSON.parse(readFileSync(join(import.meta.dirname, '../drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(db.$client.prepare('select id from __drizzle_migrations').all()).toHaveLength(all.entries.length);
    expect(db.$client.prepare('select count(*) from events').pluck().get()).toBe(5);
    expect(db.$client.prepare('select event_id from due_events order by occurred_at, event_id').pluck().all()).toEqual([waitingEarly, waitingTie, waitingLate]);
    expect(db.$client.prepare('select id from events where routed = 2').pluck().all()).toEqual([staged]);
    expect(db.$client.prepare("select count(*) from sqlite_master where name = 'events_unrouted'").pluck().get()).toBe(0);
    expect(nextUnroutedAt(db)).toBe(200);

    // Routing goes on from there: the waiting events, then the staged one once it is due, each once.
    const pass = (now: number) =>
      inTransaction(db, () => {
        const due = dueUnroutedEvents(db, now, 10);
        markRouted(
          db,
          due.map((event) => event.id),
        );
        return due.map((event) => event.id);
      });
    expect(pass(240)).toEqual([waitingEarly, waitingTie]);
    expect(pass(1_000)).toEqual([staged, waitingLate]);
    expect(pass(1_000)).toEqual([]);
    expect(nextUnroutedAt(db)).toBeNull();
    expect(db.$client.prepare('select count(*) from events where routed = 1').pluck().get()).toBe(5);
  });
});

describe('the time index and accounts', () => {
  it('resetting an account takes its waiting events out of the time index, and leaves the other accounts', () => {
    const db = openDb(join(tempDir(), 'sim.db'));
    cleanups.push(() => db.$client.close());
    db.$client.exec("insert into accounts (id, public_key, secret_key, is_dev, created_at) values (1, 'a', 's', 0, 0), (2, 'b', 's', 0, 0)");
    const event = (accountId: number, occurredAt: number) => ({ accountId, eventType: 'open', occurredAt, payload: '{}', messageId: null, email: null });
    inTransaction(db, () => insertEvents(db, [event(1, 10), event(2, 20), event(1, 30)], 100));
    expect(db.$client.prepare('select count(*) from due_events').pluck().get()).toBe(3);
    resetAccount(db, 1);
    expect(db.$client.prepare('select count(*) from due_events').pluck().get()).toBe(1);
    expect(nextUnroutedAt(db)).toBe(20);
    expect(inTransaction(db, () => dueUnroutedEvents(db, 100, 10)).map((e) => e.accountId)).toEqual([2]);
  });
});
