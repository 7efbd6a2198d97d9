/**
 * The `parse_routes` table (Mailjet's `parseroute` resource): every verb takes the db first; the REST verbs
 * are scoped to one account, the inbound lookup by address is not (mail is addressed, not authenticated).
 */
import type { Db } from './open-db.js';
import { statement } from './statements.js';

/** A parse route as stored. */
export interface ParseRoute {
  id: number;
  accountId: number;
  email: string;
  url: string;
  createdAt: number;
  updatedAt: number;
}

interface ParseRouteRow {
  id: number;
  account_id: number;
  email: string;
  url: string;
  created_at: number;
  updated_at: number;
}

const toParseRoute = (row: ParseRouteRow): ParseRoute => ({
  id: row.id,
  accountId: row.account_id,
  email: row.email,
  url: row.url,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The key an address is found by: routes and inbound recipients compare without regard to case. */
const keyOf = (email: string): string => email.trim().toLowerCase();

/** A page of an account's parse routes by ascending ID. @example listParseRoutes(db, 1, 10, 0) */
export function listParseRoutes(db: Db, accountId: number, limit: number, offset: number): ParseRoute[] {
  const rows = statement(db, 'select * from parse_routes where account_id = ? order by id limit ? offset ?').all(accountId, limit, offset) as ParseRouteRow[];
  return rows.map(toParseRoute);
}

/** How many parse routes an account has. @example countParseRoutes(db, 1) // 2 */
export function countParseRoutes(db: Db, accountId: number): number {
  return (statement(db, 'select count(*) as n from parse_routes where account_id = ?').get(accountId) as { n: number }).n;
}

/** How many parse routes exist, in every account (for `/metrics`). @example countAllParseRoutes(db) // 3 */
export function countAllParseRoutes(db: Db): number {
  return (statement(db, 'select count(*) as n from parse_routes').get() as { n: number }).n;
}

/** One route of an account. @example getParseRoute(db, 1, 7)?.email */
export function getParseRoute(db: Db, accountId: number, id: number): ParseRoute | undefined {
  const row = statement(db, 'select * from parse_routes where id = ? and account_id = ?').get(id, accountId) as ParseRouteRow | undefined;
  return row && toParseRoute(row);
}

/** The route that owns `email`, in any account (case-insensitive). @example findParseRouteByEmail(db, 'Help@Acme.test') */
export function findParseRouteByEmail(db: Db, email: string): ParseRoute | undefined {
  const row = statement(db, 'select * from parse_routes where email_key = ?').get(keyOf(email)) as ParseRouteRow | undefined;
  return row && toParseRoute(row);
}

/** Whether any parse route exists (the SMTP listener's gate for unauthenticated mail). @example hasAnyParseRoute(db) */
export function hasAnyParseRoute(db: Db): boolean {
  return statement(db, 'select 1 from parse_routes limit 1').get() !== undefined;
}

/** Inserts a route; the caller has checked that the address is free. @example insertParseRoute(db, 1, { email, url }, now) */
export function insertParseRoute(db: Db, accountId: number, route: { email: string; url: string }, now: number): ParseRoute {
  const id = Number(
    statement(db, 'insert into parse_routes (account_id, email, email_key, url, created_at, updated_at) values (?, ?, ?, ?, ?, ?)').run(
      accountId,
      route.email,
      keyOf(route.email),
      route.url,
      now,
      now,
    ).lastInsertRowid,
  );
  return { id, accountId, email: route.email, url: route.url, createdAt: now, updatedAt: now };
}

/** Changes a route's address and/or URL. @example updateParseRoute(db, route, { url }, now) */
export function updateParseRoute(db: Db, route: ParseRoute, changes: { email?: string; url?: string }, now: number): ParseRoute {
  const email = changes.email ?? route.email;
  const url = changes.url ?? route.url;
  statement(db, 'update parse_routes set email = ?, email_key = ?, url = ?, updated_at = ? where id = ?').run(email, keyOf(email), url, now, route.id);
  return { ...route, email, url, updatedAt: now };
}

/** Deletes a route. @example deleteParseRoute(db, 7) */
export function deleteParseRoute(db: Db, id: number): void {
  statement(db, 'delete from parse_routes where id = ?').run(id);
}
