/**
 * The reads and writes of a routing pass, a few statements whatever the number of events (the rows go in as
 * one JSON array, read by `json_each`, or as multi-row inserts of 64 links): a pass of 2,000 events used to
 * run some 10,000 statements, and their per-statement cost was most of its time (issue #22). The plan itself
 * is src/core/route-plan.ts.
 */
import type { GroupExtension, OpenGroup, PlannedDelivery, RouteTarget } from '../core/route-plan.js';
import { countStatus } from './delivery-status.js';
import type { Db } from './open-db.js';
import { insertRows, statement } from './statements.js';

/**
 * The alive URL of each of `pairs` (account, event type): the alive primary, else the alive backup. Keyed
 * `accountId|eventType`; a pair with neither is absent.
 *
 * @example
 * aliveTargets(db, [[1, 'open']]).get('1|open')?.version // 2
 */
export function aliveTargets(db: Db, pairs: readonly (readonly [number, string])[]): Map<string, RouteTarget> {
  const rows = statement(
    db,
    `select c.account_id, c.event_type, c.is_backup, c.id, c.url, c.version from json_each(?) k
      join callback_urls c on c.account_id = k.value ->> 0 and c.event_type = k.value ->> 1
      where c.status = 'alive' order by c.is_backup desc`,
  ).all(JSON.stringify(pairs)) as { account_id: number; event_type: string; id: number; url: string; version: number }[];
  // Backups first, so a primary overwrites its backup.
  return new Map(rows.map((row) => [`${row.account_id}|${row.event_type}`, { id: row.id, url: row.url, version: row.version }]));
}

/**
 * The stored Version 2 groups of each (account, URL text, from) in `wanted` that are still open to an event
 * at `from`: pending, never attempted, closing after `from`, holding fewer than `maxBatch` events. Groups are
 * per account and URL text, so event types registered on the same URL share one array.
 *
 * @example
 * openGroups(db, [[1, 'https://example.com/hook', now]], 500) // [] before the URL's first group
 */
export function openGroups(db: Db, wanted: readonly (readonly [number, string, number])[], maxBatch: number): OpenGroup[] {
  if (wanted.length === 0) return [];
  const rows = statement(
    db,
    // CROSS JOIN keeps this order (without it the planner may walk every pending delivery): the wanted URLs,
    // their registrations, then each registration's pending deliveries (index deliveries_url).
    `select d.id, d.event_count, d.event_types, d.group_closes_at, c.account_id, c.url from json_each(?) k
      cross join callback_urls c cross join deliveries d
      where c.account_id = k.value ->> 0 and c.url = k.value ->> 1 and d.callback_url_id = c.id and d.status = 'pending' and d.attempt_count = 0 and d.version = 2 and d.group_closes_at > k.value ->> 2 and d.event_count < ?`,
  ).all(JSON.stringify(wanted), maxBatch) as { id: number; event_count: number; event_types: string; group_closes_at: number; account_id: number; url: string }[];
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    eventCount: row.event_count,
    eventTypes: row.event_types,
    closesAt: row.group_closes_at,
  }));
}

const INSERT_DELIVERIES = `insert into deliveries (account_id, callback_url_id, version, status, event_count, event_types, attempt_count,
    next_attempt_at, group_closes_at, parent_id, reason, parse_route_id, created_at, updated_at)
  select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, 0, value ->> 6, value ->> 7, null, value ->> 8, null,
    value ->> 9, value ->> 10 from json_each(?) order by key`;

// A link's email is its event's, lower-cased by SQLite as in deliveries.ts (LINK_EVENT), so both agree.
const INSERT_LINKS = 'insert into delivery_events (delivery_id, position, event_id, event_types, email) values ';
const LINK = '(?, ?, ?, ?, lower(?))';

/**
 * Writes a plan: its deliveries (IDs in plan order), the events it adds to stored groups, every link, and the
 * per-status counts, in a few statements (the links in parts of 64 rows). Call inside the routing transaction.
 *
 * @example
 * writeRoutePlan(db, planRoutes(due, targetOf, openGroups(db, wanted, 500), now, 500));
 */
export function writeRoutePlan(db: Db, deliveries: readonly PlannedDelivery[], extensions: readonly GroupExtension[]): void {
  const links: (string | number | null)[] = [];
  const counts = new Map<string, { accountId: number; status: PlannedDelivery['status']; n: number }>();
  if (deliveries.length > 0) {
    const rows = deliveries.map((d) => {
      const types = d.eventTypes.join(',');
      return [d.accountId, d.callbackUrlId, d.version, d.status, d.events.length, types, d.nextAttemptAt, d.groupClosesAt, d.reason, d.createdAt, d.updatedAt];
    });
    const inserted = statement(db, INSERT_DELIVERIES).run(JSON.stringify(rows));
    // One statement inserts its rows in order, each ID one above the last (AUTOINCREMENT, one writer).
    const firstId = Number(inserted.lastInsertRowid) - inserted.changes + 1;
    deliveries.forEach((d, i) => {
      const types = d.eventTypes.join(',');
      d.events.forEach((event, position) => links.push(firstId + i, position, event.id, types, event.email));
      const key = `${d.accountId}|${d.status}`;
      const count = counts.get(key) ?? { accountId: d.accountId, status: d.status, n: 0 };
      count.n += 1;
      counts.set(key, count);
    });
  }
  for (const { group, events, eventTypes } of extensions) {
    const types = eventTypes.join(',');
    events.forEach((event, i) => links.push(group.id, group.eventCount + i, event.id, types, event.email));
  }
  insertRows(db, INSERT_LINKS, LINK, links);
  if (extensions.length > 0) extendGroups(db, extensions);
  for (const { accountId, status, n } of counts.values()) countStatus(db, accountId, status, n);
}

/** Stored groups take their new events' count, type set and time; a group that gained a type rewrites its older links' set. */
function extendGroups(db: Db, extensions: readonly GroupExtension[]): void {
  const rows = extensions.map(({ group, events, eventTypes, updatedAt }) => [group.id, events.length, eventTypes.join(','), updatedAt]);
  statement(
    db,
    `update deliveries set event_count = event_count + (k.value ->> 1), event_types = k.value ->> 2, updated_at = k.value ->> 3
      from json_each(?) k where deliveries.id = k.value ->> 0`,
  ).run(JSON.stringify(rows));
  const changed = extensions.filter(({ group, eventTypes }) => eventTypes.join(',') !== group.eventTypes);
  if (changed.length === 0) return;
  statement(
    db,
    `update delivery_events set event_types = k.value ->> 1
      from json_each(?) k where delivery_events.delivery_id = k.value ->> 0 and delivery_events.event_types is not k.value ->> 1`,
  ).run(JSON.stringify(changed.map(({ group, eventTypes }) => [group.id, eventTypes.join(',')])));
}
