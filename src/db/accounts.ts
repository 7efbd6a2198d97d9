/**
 * Accounts: one per API key pair. The numeric `id` is the `APIKeyID` of every object the account owns.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './open-db.js';
import { accounts } from './schema.js';
import { statement } from './statements.js';

export type Account = typeof accounts.$inferSelect;

const FIRST_ACCOUNT_ID = 1_000_001;

/** Finds the account for a key pair, or `undefined` when the pair is unknown or the secret is wrong. */
export function authenticate(db: Db, publicKey: string, secretKey: string): Account | undefined {
  // Every authenticated request comes here: a prepared statement, not a query rebuilt per call.
  const row = statement(db, 'select id, public_key, secret_key, is_dev, created_at from accounts where public_key = ?').get(publicKey) as
    | { id: number; public_key: string; secret_key: string; is_dev: number; created_at: number }
    | undefined;
  if (!row || row.secret_key !== secretKey) return undefined;
  return { id: row.id, publicKey: row.public_key, secretKey: row.secret_key, isDev: row.is_dev === 1, createdAt: row.created_at };
}

/** The account owning `publicKey`, if any. */
export function findAccountByKey(db: Db, publicKey: string): Account | undefined {
  return db.select().from(accounts).where(eq(accounts.publicKey, publicKey)).get();
}

/**
 * Makes sure every configured pair has an account (keeping its ID across restarts); a changed secret
 * replaces the stored one.
 */
export function ensureAccounts(db: Db, pairs: readonly { publicKey: string; secretKey: string }[], now: number): Account[] {
  return pairs.map((pair) => {
    const existing = findAccountByKey(db, pair.publicKey);
    if (existing) {
      if (existing.secretKey !== pair.secretKey) {
        db.update(accounts).set({ secretKey: pair.secretKey }).where(eq(accounts.id, existing.id)).run();
      }
      return { ...existing, secretKey: pair.secretKey };
    }
    return insertAccount(db, pair.publicKey, pair.secretKey, false, now);
  });
}

/** The development account, generated once and kept in the database. */
export function ensureDevAccount(db: Db, now: number): Account {
  const existing = db.select().from(accounts).where(eq(accounts.isDev, true)).get();
  if (existing) return existing;
  return insertAccount(db, randomBytes(16).toString('hex'), randomBytes(16).toString('hex'), true, now);
}

/** Every account, by ID. */
export function listAccounts(db: Db): Account[] {
  return db.select().from(accounts).orderBy(accounts.id).all();
}

function insertAccount(db: Db, publicKey: string, secretKey: string, isDev: boolean, now: number): Account {
  const max = db.select({ max: sql<number | null>`max(${accounts.id})` }).from(accounts).get()?.max ?? FIRST_ACCOUNT_ID - 1;
  return db
    .insert(accounts)
    .values({ id: Math.max(max + 1, FIRST_ACCOUNT_ID), publicKey, secretKey, isDev, createdAt: now })
    .returning()
    .get();
}
