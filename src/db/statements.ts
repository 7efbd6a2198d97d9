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

/**
 * Rows per multi-row insert: one statement of many rows costs far less per row than a statement per row or
 * rows read from one JSON array by `json_each` (bench:v2 spent 15 % of the server's CPU inserting events one
 * row at a time). Smaller parts take the next smaller power of two, so a few prepared statements serve every
 * size.
 */
const INSERT_ROWS = 64;

const multiRowSqls = new Map<string, string[]>();

/** `head` followed by `rows` copies of `tuple` (built once). */
function multiRowSql(head: string, tuple: string, rows: number): string {
  const key = head + tuple;
  let byRows = multiRowSqls.get(key);
  if (!byRows) multiRowSqls.set(key, (byRows = []));
  return (byRows[rows] ??= head + Array.from({ length: rows }, () => tuple).join(', '));
}

/**
 * Runs the multi-row insert `head` (`insert into t (a, b) values `) of one `tuple` per row (`(?, lower(?))`)
 * over `values`, flat, one per placeholder of the tuple, in parts of INSERT_ROWS rows and smaller powers of two; returns the last row ID (0 for no rows). The rows go in
 * in order, each row ID one above the last (one writer, AUTOINCREMENT or max + 1).
 *
 * @example
 * insertRows(db, 'insert into due_events (occurred_at, event_id) values ', '(?, ?)', [t, 1, t, 2]) // 2
 */
export function insertRows(db: Db, head: string, tuple: string, values: readonly unknown[]): number {
  const width = tuple.split('?').length - 1;
  let lastId = 0;
  for (let at = 0, left = values.length / width; left > 0; ) {
    let rows = INSERT_ROWS;
    while (rows > left) rows /= 2;
    lastId = Number(statement(db, multiRowSql(head, tuple, rows)).run(values.slice(at * width, (at + rows) * width)).lastInsertRowid);
    at += rows;
    left -= rows;
  }
  return lastId;
}
