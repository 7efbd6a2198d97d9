/**
 * The `eventcallbackurl` table: every verb takes the db first and is scoped to one account.
 */
import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import type { EventType } from '../core/event-types.js';
import type { Db } from './open-db.js';
import { callbackUrls } from './schema.js';
import { statement } from './statements.js';

export type CallbackUrl = typeof callbackUrls.$inferSelect;
export type CallbackUrlStatus = CallbackUrl['status'];

export interface CallbackUrlFilter {
  eventType?: EventType;
  status?: CallbackUrlStatus;
  isBackup?: boolean;
  version?: number;
  /** Filter on APIKeyID; another account's ID simply matches nothing. */
  apiKeyId?: number;
}

interface CallbackUrlRow {
  id: number;
  account_id: number;
  event_type: string;
  is_backup: number;
  status: CallbackUrlStatus;
  url: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const toCallbackUrl = (row: CallbackUrlRow): CallbackUrl => ({
  id: row.id,
  accountId: row.account_id,
  eventType: row.event_type,
  isBackup: row.is_backup === 1,
  status: row.status,
  url: row.url,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function whereOf(accountId: number, filter: CallbackUrlFilter): SQL | undefined {
  const conditions: SQL[] = [eq(callbackUrls.accountId, accountId)];
  if (filter.eventType !== undefined) conditions.push(eq(callbackUrls.eventType, filter.eventType));
  if (filter.status !== undefined) conditions.push(eq(callbackUrls.status, filter.status));
  if (filter.isBackup !== undefined) conditions.push(eq(callbackUrls.isBackup, filter.isBackup));
  if (filter.version !== undefined) conditions.push(eq(callbackUrls.version, filter.version));
  if (filter.apiKeyId !== undefined) conditions.push(eq(callbackUrls.accountId, filter.apiKeyId));
  return and(...conditions);
}

/** A page of an account's callback URLs, by ascending ID. */
export function listCallbackUrls(db: Db, accountId: number, filter: CallbackUrlFilter, limit: number, offset: number): CallbackUrl[] {
  return db.select().from(callbackUrls).where(whereOf(accountId, filter)).orderBy(asc(callbackUrls.id)).limit(limit).offset(offset).all();
}

/** How many of an account's callback URLs match. */
export function countCallbackUrls(db: Db, accountId: number, filter: CallbackUrlFilter): number {
  return db.select({ n: count() }).from(callbackUrls).where(whereOf(accountId, filter)).get()?.n ?? 0;
}

// The three look-ups below run for every routed event and every failed attempt: prepared once, not rebuilt.

/** One callback URL of the account by ID. @example getCallbackUrl(db, accountId, 7)?.status // 'alive' */
export function getCallbackUrl(db: Db, accountId: number, id: number): CallbackUrl | undefined {
  const row = statement(db, 'select * from callback_urls where account_id = ? and id = ?').get(accountId, id) as CallbackUrlRow | undefined;
  return row && toCallbackUrl(row);
}

/**
 * The status of each of `ids` that is still registered (one statement for a flush's URLs).
 *
 * @example
 * callbackUrlStatuses(db, [3, 4]).get(3) // 'dead'
 */
export function callbackUrlStatuses(db: Db, ids: readonly number[]): Map<number, CallbackUrl['status']> {
  if (ids.length === 0) return new Map();
  const rows = statement(db, 'select id, status from callback_urls where id in (select value from json_each(?))').all(JSON.stringify(ids)) as {
    id: number;
    status: CallbackUrl['status'];
  }[];
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** One callback URL by its unique key `EventType|Backup`. @example getCallbackUrlByKey(db, accountId, 'open', false)?.url */
export function getCallbackUrlByKey(db: Db, accountId: number, eventType: string, isBackup: boolean): CallbackUrl | undefined {
  const row = statement(db, 'select * from callback_urls where account_id = ? and event_type = ? and is_backup = ?').get(
    accountId,
    eventType,
    Number(isBackup),
  ) as CallbackUrlRow | undefined;
  return row && toCallbackUrl(row);
}

/** An account's registrations on one URL text (several event types may share a URL). @example callbackUrlsWithUrl(db, accountId, url).length */
export function callbackUrlsWithUrl(db: Db, accountId: number, url: string): CallbackUrl[] {
  const rows = statement(db, 'select * from callback_urls where account_id = ? and url = ? order by id').all(accountId, url) as CallbackUrlRow[];
  return rows.map(toCallbackUrl);
}

/** Every callback URL of every account (for the dashboard and metrics). */
export function listAllCallbackUrls(db: Db): CallbackUrl[] {
  return db.select().from(callbackUrls).orderBy(asc(callbackUrls.id)).all();
}

export interface NewCallbackUrl {
  eventType: EventType;
  isBackup: boolean;
  status: CallbackUrlStatus;
  url: string;
  version: number;
}

/** Inserts a callback URL; the caller has checked the unique key. */
export function insertCallbackUrl(db: Db, accountId: number, values: NewCallbackUrl, now: number): CallbackUrl {
  return db
    .insert(callbackUrls)
    .values({ ...values, accountId, createdAt: now, updatedAt: now })
    .returning()
    .get();
}

/** Applies a partial update. */
export function updateCallbackUrl(db: Db, id: number, changes: Partial<NewCallbackUrl>, now: number): CallbackUrl {
  return db
    .update(callbackUrls)
    .set({ ...changes, updatedAt: now })
    .where(eq(callbackUrls.id, id))
    .returning()
    .get() as CallbackUrl;
}

/** Marks a URL suspended (`dead`). */
export function suspendCallbackUrl(db: Db, id: number, now: number): void {
  statement(db, `update callback_urls set status = 'dead', updated_at = ? where id = ?`).run(now, id);
}

/** Deletes a callback URL. */
export function deleteCallbackUrl(db: Db, id: number): void {
  db.delete(callbackUrls).where(eq(callbackUrls.id, id)).run();
}
