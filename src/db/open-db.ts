/**
 * Opens the SQLite database (WAL for files) and applies the committed migrations.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { VERSION } from '../core/version.js';
import { makeDataFolder } from './data-folder.js';
import { nativeBinding } from './native-binding.js';
import * as schema from './schema.js';
import { fullDiskAtStart, storageHealth } from './storage-health.js';
import { refuseVanishedDatabase } from './vanished-database.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** A database migrated by a newer mjsim than this one; the message names that version. */
export class DatabaseTooNewError extends Error {}

export { DiskFullError } from './storage-health.js';

/** Once a checkpoint has emptied the write-ahead log, it is cut back to this size (bytes). */
const WAL_SIZE_LIMIT = 64 * 2 ** 20;

/**
 * Opens `path` (`:memory:` allowed), creating its folder (`makeDataFolder`), and migrates it. A new file gets
 * `auto_vacuum = incremental` (it can only be set before the first table), so pruning can give pages back
 * to the file system; `incrementalVacuum: true` also converts an older file, with a one-time `VACUUM`.
 *
 * @example
 * const db = openDb(':memory:');
 */
export function openDb(path: string, options: { incrementalVacuum?: boolean } = {}): Db {
  if (path !== ':memory:') {
    refuseVanishedDatabase(path);
    makeDataFolder(dirname(resolve(path)));
  }
  try {
    return openAndMigrate(path, options);
  } catch (error) {
    // On a full disk SQLite often fails to map its shared-memory file first, and calls that a "disk I/O error".
    throw fullDiskAtStart(path, error) ?? error;
  }
}

function openAndMigrate(path: string, options: { incrementalVacuum?: boolean }): Db {
  const client = new Database(path, { nativeBinding: nativeBinding() });
  try {
    return prepare(client, path, options);
  } catch (error) {
    client.close();
    throw error;
  }
}

function prepare(client: Database.Database, path: string, options: { incrementalVacuum?: boolean }): Db {
  if (path !== ':memory:') {
    const fresh = (client.prepare('select count(*) as n from sqlite_master').get() as { n: number }).n === 0;
    if (fresh) client.pragma('auto_vacuum = incremental');
    client.pragma('journal_mode = WAL');
    client.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    if (!fresh && options.incrementalVacuum && autoVacuumMode(client) !== 'incremental') {
      client.pragma('auto_vacuum = incremental');
      client.exec('vacuum');
    }
  }
  client.pragma('synchronous = NORMAL');
  // Savepoints (one per send in a group commit) copy each page they first touch to a sub-journal; in a
  // temporary file that costs a send more than its own rows. Set after any VACUUM, which would build its
  // copy of the whole database in the temporary store.
  client.pragma('temp_store = MEMORY');
  client.pragma('busy_timeout = 5000');
  client.pragma('cache_size = -32768'); // 32 MiB of page cache: a large backlog's indexes stay in memory
  const db = drizzle(client, { schema }) as Db;
  const newestKnown = newestKnownMigration();
  const newestApplied = newestAppliedMigration(client);
  if (newestApplied !== undefined) refuseNewerMigrations(client, path, newestKnown);
  // Drizzle applies the migrations newer than the newest one recorded: none when that is our newest, and
  // reading and hashing every migration file to find so is a few ms of each start.
  if (newestApplied === undefined || newestApplied < newestKnown) migrate(db, { migrationsFolder: MIGRATIONS });
  // Recorded so that an older mjsim opening this file later can say which version it needs.
  const recorded = client.prepare("select value from sim_state where key = 'migrated_by'").get() as { value: string } | undefined;
  if (recorded?.value !== VERSION) {
    client.prepare("insert into sim_state (key, value) values ('migrated_by', ?) on conflict (key) do update set value = excluded.value").run(VERSION);
  }
  return db;
}

/** The `when` of the newest migration this mjsim ships (drizzle records it as the migration's created_at). */
function newestKnownMigration(): number {
  const journal = JSON.parse(readFileSync(resolve(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

/** The created_at of the newest migration recorded in the file, or undefined when none is (a new file). */
function newestAppliedMigration(client: Database.Database): number | undefined {
  const hasTable = client.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!hasTable) return undefined;
  const row = client.prepare('select max(created_at) as newest from __drizzle_migrations').get() as { newest: number | string | null };
  return row.newest === null ? undefined : Number(row.newest);
}

/**
 * Drizzle applies only migrations newer than the newest one it finds recorded, so a database migrated by a
 * newer mjsim would otherwise open silently and fail later with "no such column". Refuse it by name.
 */
function refuseNewerMigrations(client: Database.Database, path: string, newestKnown: number): void {
  const unknown = client.prepare('select count(*) as n from __drizzle_migrations where created_at > ?').get(newestKnown) as { n: number };
  if (unknown.n === 0) return;
  const hasState = client.prepare("select 1 from sqlite_master where type = 'table' and name = 'sim_state'").get();
  const by = hasState ? (client.prepare("select value from sim_state where key = 'migrated_by'").get() as { value: string } | undefined)?.value : undefined;
  const writer = by && by !== VERSION ? `mjsim ${by.slice(0, 40)} or newer` : 'a newer mjsim';
  throw new DatabaseTooNewError(
    `the database ${path} was written by ${writer} (it has ${unknown.n} migration(s) this mjsim ${VERSION} does not know): ` +
      `run that version of mjsim, or point --db at another file`,
  );
}

type Transaction = Database.Transaction<(work: () => unknown) => unknown>;

/** One transaction wrapper per connection: better-sqlite3 builds several closures per `transaction()` call. */
const transactions = new WeakMap<Database.Database, Transaction>();

/** The file's auto_vacuum mode. @example autoVacuumMode(db.$client) // 'incremental' */
export function autoVacuumMode(client: Database.Database): 'none' | 'full' | 'incremental' {
  return (['none', 'full', 'incremental'] as const)[client.pragma('auto_vacuum', { simple: true }) as number] ?? 'none';
}

/**
 * What the outermost transaction begun by `inTransaction` keeps in memory until it commits: values read once
 * and changed many times (a counter every send draws from), the writes that store them, run once just
 * before the commit, and what memory learns once the commit has succeeded. A rollback discards all of it,
 * together with everything else the transaction did.
 */
export interface TransactionScope {
  readonly values: Map<string, unknown>;
  readonly beforeCommit: Map<string, () => void>;
  readonly afterCommit: Map<string, () => void>;
  /** How many savepoints (nested `inTransaction` calls) are open: work inside one may be rolled back alone. */
  readonly savepoints: number;
}

interface OpenScope extends TransactionScope {
  savepoints: number;
}

const scopes = new WeakMap<Database.Database, OpenScope>();

/**
 * The scope of the transaction open on `db`, or undefined when none is open or it was not begun by
 * `inTransaction` (whose end would not run the scope's writes).
 *
 * @example
 * transactionScope(db)?.beforeCommit.set('message_seq', () => writeState(db, 'message_seq', next));
 */
export function transactionScope(db: Db): TransactionScope | undefined {
  return db.$client.inTransaction ? scopes.get(db.$client) : undefined;
}

/** Runs `work` in one immediate transaction. @example inTransaction(db, () => claimDue(db, now, 10)) */
export function inTransaction<T>(db: Db, work: () => T): T {
  const client = db.$client;
  let transaction = transactions.get(client);
  if (!transaction) {
    transaction = client.transaction((inner: () => unknown) => inner());
    transactions.set(client, transaction);
  }
  // Nested: a savepoint inside the open transaction, sharing its scope. What it meant to announce after the
  // commit is dropped with it when it is rolled back alone.
  if (client.inTransaction) {
    const outer = scopes.get(client);
    if (!outer) return transaction.immediate(work) as T;
    const announced = new Set(outer.afterCommit.keys());
    outer.savepoints += 1;
    try {
      return transaction.immediate(work) as T;
    } catch (error) {
      for (const key of outer.afterCommit.keys()) if (!announced.has(key)) outer.afterCommit.delete(key);
      throw error;
    } finally {
      outer.savepoints -= 1;
    }
  }
  const scope: OpenScope = { values: new Map(), beforeCommit: new Map(), afterCommit: new Map(), savepoints: 0 };
  let result: T;
  try {
    result = transaction.immediate(() => {
      scopes.set(client, scope);
      try {
        const value = work();
        for (const write of scope.beforeCommit.values()) write();
        return value;
      } finally {
        scopes.delete(client);
      }
    }) as T;
  } catch (error) {
    // A full disk or a vanished file is a state every writer shares (storage-health.ts).
    storageHealth(client).noteFault(error);
    throw error;
  }
  storageHealth(client).noteWritten();
  for (const learn of scope.afterCommit.values()) learn();
  return result;
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
