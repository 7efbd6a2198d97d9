/**
 * Filing: putting messages into the polling filter indexes (CustomID, contact, campaign, sender, recipient
 * domain) in bulk, off the send path. A send writes only the indexes it must; its message is filed later,
 * with thousands of others, in row-ID order. Every message up to the *filed-through* row ID is filed;
 * a filter reads the ones after it (the newest) in row-ID slices.
 */
import { inTransaction, type Db } from './open-db.js';
import { readState, writeState } from './sim-state.js';
import { statement } from './statements.js';

const KEY = 'messages_filed_through';

/** The highest message row ID up to which every message is filed (0: none). @example filedThrough(db) // 120000 */
export function filedThrough(db: Db): number {
  return Number(readState(db, KEY) ?? '0');
}

/**
 * Files the next `limit` row IDs' worth of messages in one transaction; returns how many row IDs it covered
 * (0 once every message is filed).
 *
 * @example
 * while (fileMessages(db, 2_000) > 0) await pause();
 */
export function fileMessages(db: Db, limit: number): number {
  return inTransaction(db, () => {
    const from = filedThrough(db);
    const high = (statement(db, 'select max(id) as id from messages').get() as { id: number | null }).id ?? 0;
    if (high <= from) return 0;
    const to = Math.min(high, from + limit);
    statement(db, 'update messages set filed = 1 where id > ? and id <= ?').run(from, to);
    writeState(db, KEY, String(to));
    return to - from;
  });
}
