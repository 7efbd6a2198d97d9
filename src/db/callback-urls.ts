/**
 * The `eventcallbackurl` table: every verb takes the db first and is scoped to one account.
 */
import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import type { EventType } from '../core/event-types.js';
import type { Db } from './open-db.js';
import { callbackUrls } from './schema.js';

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

/** One callback URL of the account by ID. */
export function getCallbackUrl(db: Db, accountId: number, id: number): CallbackUrl | undefined {
  return db.select().from(callbackUrls).where(and(eq(callbackUrls.accountId, accountId), eq(callbackUrls.id, id))).get();
}

/** One callback URL by its unique key `EventType|Backup`. */
export function getCallbackUrlByKey(db: Db, accountId: number, eventType: string, isBackup: boolean): CallbackUrl | undefined {
  return db
    .select()
    .from(callbackUrls)
    .where(and(eq(callbackUrls.accountId, accountId), eq(callbackUrls.eventType, eventType), eq(callbackUrls.isBackup, isBackup)))
    .get();
}

/** An account's registrations on one URL text (several event types may share a URL). */
export function callbackUrlsWithUrl(db: Db, accountId: number, url: string): CallbackUrl[] {
  return db.select().from(callbackUrls).where(and(eq(callbackUrls.accountId, accountId), eq(callbackUrls.url, url))).orderBy(asc(callbackUrls.id)).all();
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
  db.update(callbackUrls).set({ status: 'dead', updatedAt: now }).where(eq(callbackUrls.id, id)).run();
}

/** Deletes a callback URL. */
export function deleteCallbackUrl(db: Db, id: number): void {
  db.delete(callbackUrls).where(eq(callbackUrls.id, id)).run();
}
