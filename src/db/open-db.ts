/**
 * Opens the SQLite database (WAL for files) and applies the committed migrations.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Opens `path` (`:memory:` allowed), creating its folder, and migrates it.
 *
 * @example
 * const db = openDb(':memory:');
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const client = new Database(path);
  if (path !== ':memory:') client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('cache_size = -32768'); // 32 MiB of page cache: a large backlog's indexes stay in memory
  const db = drizzle(client, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

type Transaction = Database.Transaction<(work: () => unknown) => unknown>;

/** One transaction wrapper per connection: better-sqlite3 builds several closures per `transaction()` call. */
const transactions = new WeakMap<Database.Database, Transaction>();

/** Runs `work` in one immediate transaction. @example inTransaction(db, () => claimDue(db, now, 10)) */
export function inTransaction<T>(db: Db, work: () => T): T {
  let transaction = transactions.get(db.$client);
  if (!transaction) {
    transaction = db.$client.transaction((inner: () => unknown) => inner());
    transactions.set(db.$client, transaction);
  }
  return transaction.immediate(work) as T;
}

/**
 * Runs `work` atomically: inside the caller's transaction when one is open (no savepoint of its own, so a
 * throw aborts whatever the caller set up: its transaction, or its savepoint), else in a transaction of its
 * own. For verbs called both alone and as part of a larger write, such as one send inside a group commit.
 *
 * @example
 * atomically(db, () => insertEvents(db, rows, now));
 */
export function atomically<T>(db: Db, work: () => T): T {
  return db.$client.inTransaction ? work() : inTransaction(db, work);
}
