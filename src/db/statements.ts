/**
 * Prepared statements for the hot path, compiled once per database. The delivery engine runs thousands of
 * these a second; building them through the query builder each time would dominate its CPU.
 */
import type Database from 'better-sqlite3';
import type { Db } from './open-db.js';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The prepared form of `sql` for this database. @example statement(db, 'select 1').get() */
export function statement(db: Db, sql: string): Database.Statement {
  let perDb = cache.get(db.$client);
  if (!perDb) {
    perDb = new Map();
    cache.set(db.$client, perDb);
  }
  let prepared = perDb.get(sql);
  if (!prepared) {
    prepared = db.$client.prepare(sql);
    perDb.set(sql, prepared);
  }
  return prepared;
}
