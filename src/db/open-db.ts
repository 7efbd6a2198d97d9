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

/** Once a checkpoint has emptied the write-ahead log, it is cut back to this size (bytes). */
const WAL_SIZE_LIMIT = 64 * 2 ** 20;

/**
 * Opens `path` (`:memory:` allowed), creating its folder, and migrates it. A new file gets
 * `auto_vacuum = incremental` (it can only be set before the first table), so pruning can give pages back
 * to the file system; `incrementalVacuum: true` also converts an older file, with a one-time `VACUUM`.
 *
 * @example
 * const db = openDb(':memory:');
 */
export function openDb(path: string, options: { incrementalVacuum?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const client = new Database(path);
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
  client.pragma('busy_timeout = 5000');
  client.pragma('cache_size = -32768'); // 32 MiB of page cache: a large backlog's indexes stay in memory
  const db = drizzle(client, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

/** The file's auto_vacuum mode. @example autoVacuumMode(db.$client) // 'incremental' */
export function autoVacuumMode(client: Database.Database): 'none' | 'full' | 'incremental' {
  return (['none', 'full', 'incremental'] as const)[client.pragma('auto_vacuum', { simple: true }) as number] ?? 'none';
}

/** Runs `work` in one immediate transaction. @example inTransaction(db, () => claimDue(db, now, 10)) */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work).immediate();
}
