/**
 * Opening a database file migrates it only when it needs it: a file already at this mjsim's newest migration
 * opens without drizzle's migrator (which reads and hashes every migration file: a few ms of each start) and
 * without any write; a file one migration behind gets the missing one, its rows kept; a newer one is refused
 * (test/input-hygiene.test.ts has the messages).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VERSION } from '../src/core/version.js';
import { DatabaseTooNewError, openDb } from '../src/db/open-db.js';

const MIGRATIONS = join(import.meta.dirname, '../drizzle');
const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-migrations-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const applied = (client: Database.Database) => client.prepare('select created_at from __drizzle_migrations order by created_at').all().map((row) => Number((row as { created_at: number }).created_at));
const migratedBy = (client: Database.Database) => (client.prepare("select value from sim_state where key = 'migrated_by'").get() as { value: string }).value;

it('a new file gets every migration; opened again, it is written nothing and keeps its rows', () => {
  const file = join(dir, 'current.db');
  const first = openDb(file);
  expect(applied(first.$client)).toEqual(journal.entries.map((entry) => entry.when));
  expect(migratedBy(first.$client)).toBe(VERSION);
  first.$client.prepare("insert into sim_state (key, value) values ('kept', 'yes')").run();
  first.$client.close();

  const again = openDb(file);
  // total_changes() counts the rows this connection wrote: the migrator's, and the migrated_by record's.
  expect(again.$client.prepare('select total_changes() as n').get()).toEqual({ n: 0 });
  expect(applied(again.$client)).toEqual(journal.entries.map((entry) => entry.when));
  expect(again.$client.prepare("select value from sim_state where key = 'kept'").get()).toEqual({ value: 'yes' });
  again.$client.close();
});

it('a file without the newest migration gets it, and the version that migrated it', () => {
  const old = join(dir, 'drizzle-old');
  cpSync(MIGRATIONS, old, { recursive: true });
  const newest = journal.entries[journal.entries.length - 1]!;
  rmSync(join(old, `${newest.tag}.sql`));
  writeFileSync(join(old, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
  const file = join(dir, 'behind.db');
  const client = new Database(file);
  migrate(drizzle(client), { migrationsFolder: old });
  client.prepare("insert into sim_state (key, value) values ('migrated_by', '0.0.1')").run();
  client.close();

  const db = openDb(file);
  expect(applied(db.$client)).toEqual(journal.entries.map((entry) => entry.when));
  expect(migratedBy(db.$client)).toBe(VERSION);
  db.$client.close();
});

it('a file with a migration newer than ours is still refused', () => {
  const file = join(dir, 'newer.db');
  const db = openDb(file);
  db.$client.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.parse('2030-01-01T00:00:00Z'));
  db.$client.close();
  expect(() => openDb(file)).toThrow(DatabaseTooNewError);
});
