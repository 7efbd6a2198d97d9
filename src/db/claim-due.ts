/**
 * The claim scheduler: which due deliveries start now, dealt fairly across URLs, each claimed (in flight, with
 * an open attempt row) in the caller's transaction.
 */
import { maskCredentials } from '../core/webhook-url.js';
import { markClaimed } from './delivery-status.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

export interface ClaimedDelivery {
  id: number;
  accountId: number;
  callbackUrlId: number | null;
  version: number;
  eventTypes: string;
  attemptNumber: number;
  scheduledAt: number;
  attemptId: number;
  /** The clock time the attempt starts at: its scheduled time, or the clock's time when that is later. */
  startedAt: number;
  /** The URL as registered now (null when it was deleted). */
  url: string | null;
  isBackup: boolean;
  urlStatus: 'alive' | 'dead' | null;
  /** A Parse API delivery's route (its URL is the route's; a parse route is never suspended). */
  parseRouteId: number | null;
}

interface DueRow {
  id: number;
  account_id: number;
  callback_url_id: number | null;
  version: number;
  event_types: string;
  attempt_count: number;
  next_attempt_at: number;
  url: string | null;
  is_backup: number | null;
  url_status: 'alive' | 'dead' | null;
  parse_route_id: number | null;
}

// A Parse API delivery takes its URL from its parse route (src/db/parse-routes.ts), which is never dead.
const DUE_COLUMNS = `d.id, d.account_id, d.callback_url_id, d.version, d.event_types, d.attempt_count, d.next_attempt_at,
  coalesce(c.url, p.url) as url, c.is_backup, coalesce(c.status, case when p.id is null then null else 'alive' end) as url_status, d.parse_route_id`;
const DUE_JOINS = 'left join callback_urls c on c.id = d.callback_url_id left join parse_routes p on p.id = d.parse_route_id';

/** Decides, slot by slot, whether a delivery to a URL may start now (see `ClaimGate` in core/fair-share.ts). */
export interface ClaimGate {
  admits(callbackUrlId: number): boolean;
  take(callbackUrlId: number): void;
}

/**
 * Claims up to `limit` due deliveries in one transaction (the caller's): each becomes in-flight and gets
 * an open attempt row, so a crash leaves a trace that recovery turns into `interrupted`. `gate` says which
 * URL may take another slot (per-URL limit, slow lane).
 *
 * Slots go round-robin across URLs, oldest due work first: the head of the queue comes from the partial
 * index `deliveries_due` (named, because SQLite's planner otherwise prefers the status index and sorts
 * every pending row) and is dealt one delivery per URL per round. When the gate turns a URL of the head
 * away, the other URLs' due work is looked up per URL through `deliveries_url_due`, starting after URL
 * `rotateAfter` (the last one served) so that no URL starves behind lower IDs, and a huge backlog on one
 * busy URL never costs a scan.
 *
 * During an advance of the manual clock, `ahead.upTo` claims work scheduled after `now` too (up to that
 * horizon): each attempt then starts at its scheduled time, and a delivery waits while an earlier one for
 * the same URL text and one of its MessageIDs is pending or in flight, so that a message's events reach a
 * URL in clock order however many attempts run at once.
 *
 * @example
 * inTransaction(db, () => claimDue(db, clock.now(), 16, new ClaimGate({ concurrency: 128, perUrlLimit: 32, inFlightByUrl, speedOf })));
 */
export function claimDue(db: Db, now: number, limit: number, gate: ClaimGate, rotateAfter = 0, ahead?: { upTo: number }): ClaimedDelivery[] {
  const dueBy = ahead ? Math.max(ahead.upTo, now) : now;
  const mayStart = ahead ? (row: DueRow) => row.url === null || !waitsForEarlier(db, row) : () => true;
  const head = statement(
    db,
    `select ${DUE_COLUMNS} from deliveries d indexed by deliveries_due ${DUE_JOINS}
      where d.status = 'pending' and d.next_attempt_at <= ? order by d.next_attempt_at, d.id limit ?`,
  ).all(dueBy, limit) as DueRow[];
  const chosen: DueRow[] = [];
  const turnedAway = new Set<number>();
  const queues = new Map<number | null, DueRow[]>();
  for (const row of head) {
    const queue = queues.get(row.callback_url_id);
    if (queue) queue.push(row);
    else queues.set(row.callback_url_id, [row]);
  }
  dealRoundRobin([...queues.keys()], limit, chosen, gate, turnedAway, (urlId) => queues.get(urlId)?.shift(), mayStart);
  if (turnedAway.size > 0 && chosen.length < limit) {
    const seen = new Set(chosen.map((row) => row.id));
    const fetched = new Map<number, DueRow[]>();
    const more = statement(
      db,
      `select ${DUE_COLUMNS} from deliveries d indexed by deliveries_url_due ${DUE_JOINS}
        where d.status = 'pending' and d.callback_url_id = ? and d.next_attempt_at <= ? order by d.next_attempt_at, d.id limit ?`,
    );
    const next = (urlId: number | null): DueRow | undefined => {
      const id = urlId as number;
      let rows = fetched.get(id);
      if (!rows) {
        const alreadyChosen = chosen.filter((row) => row.callback_url_id === id).length;
        rows = (more.all(id, dueBy, limit + alreadyChosen) as DueRow[]).filter((row) => !seen.has(row.id));
        fetched.set(id, rows);
      }
      return rows.shift();
    };
    const urls = urlsWithDueWork(db, dueBy).filter((id) => !turnedAway.has(id));
    const rotated = [...urls.filter((id) => id > rotateAfter), ...urls.filter((id) => id <= rotateAfter)];
    dealRoundRobin(rotated, limit, chosen, gate, turnedAway, next, mayStart);
  }
  markClaimed(db, chosen, now);
  const openAttempt = statement(db, 'insert into attempts (delivery_id, number, url, scheduled_at, started_at) values (?, ?, ?, ?, ?)');
  return chosen.map((row) => {
    const attemptNumber = row.attempt_count + 1;
    const startedAt = Math.max(row.next_attempt_at, now);
    const attemptId = Number(openAttempt.run(row.id, attemptNumber, maskCredentials(row.url ?? ''), row.next_attempt_at, startedAt).lastInsertRowid);
    return {
      id: row.id,
      accountId: row.account_id,
      callbackUrlId: row.callback_url_id,
      version: row.version,
      eventTypes: row.event_types,
      attemptNumber,
      scheduledAt: row.next_attempt_at,
      attemptId,
      startedAt,
      url: row.url,
      isBackup: row.is_backup === 1,
      urlStatus: row.url_status,
      parseRouteId: row.parse_route_id,
    };
  });
}

/**
 * Deals slots one delivery per URL per round until `limit` are chosen or no URL can take more. Deliveries
 * without a URL (deleted) always pass: they end at once. A URL the gate turns away leaves the deal. A
 * delivery that `mayStart` holds back stays pending, and its URL keeps its turn for the next one.
 */
function dealRoundRobin(
  urls: (number | null)[],
  limit: number,
  chosen: DueRow[],
  gate: ClaimGate,
  turnedAway: Set<number>,
  nextOf: (urlId: number | null) => DueRow | undefined,
  mayStart: (row: DueRow) => boolean,
): void {
  let active = urls;
  while (active.length > 0 && chosen.length < limit) {
    const stillActive: (number | null)[] = [];
    for (const urlId of active) {
      if (chosen.length >= limit) break;
      if (urlId !== null && !gate.admits(urlId)) {
        turnedAway.add(urlId);
        continue;
      }
      const row = nextOf(urlId);
      if (!row) continue;
      if (!mayStart(row)) {
        stillActive.push(urlId);
        continue;
      }
      if (urlId !== null) gate.take(urlId);
      chosen.push(row);
      stillActive.push(urlId);
    }
    active = stillActive;
  }
}

/**
 * Whether an earlier delivery to the same URL text that carries one of this delivery's MessageIDs is still
 * pending or in flight (one index probe per event of the delivery and per event of those messages).
 */
function waitsForEarlier(db: Db, row: DueRow): boolean {
  return (
    statement(
      db,
      `select 1 from delivery_events de join events e on e.id = de.event_id
         join events e2 on e2.message_id = e.message_id
         join delivery_events de2 on de2.event_id = e2.id
         join deliveries d2 on d2.id = de2.delivery_id
         join callback_urls c2 on c2.id = d2.callback_url_id
        where de.delivery_id = ? and e.message_id is not null and d2.id != ? and d2.status in ('pending', 'in_flight') and c2.url = ?
          and (d2.next_attempt_at < ? or (d2.next_attempt_at = ? and d2.id < ?))
        limit 1`,
    ).get(row.id, row.id, row.url, row.next_attempt_at, row.next_attempt_at, row.id) !== undefined
  );
}

/**
 * The earliest pending delivery due by `dueBy` whose next attempt comes after `attemptCount` attempts (the
 * policy's last one, which suspends its URL when it fails), or null.
 */
export function earliestPendingAfterAttempts(db: Db, attemptCount: number, dueBy: number): number | null {
  const row = statement(
    db,
    `select min(next_attempt_at) as t from deliveries indexed by deliveries_due
      where status = 'pending' and next_attempt_at <= ? and attempt_count >= ?`,
  ).get(dueBy, attemptCount) as { t: number | null };
  return row.t;
}

/** Callback URLs with a pending delivery due by `now`, by ID (one index probe per registered URL). */
function urlsWithDueWork(db: Db, now: number): number[] {
  const rows = statement(
    db,
    `select c.id from callback_urls c where exists (select 1 from deliveries d indexed by deliveries_url_due
       where d.status = 'pending' and d.callback_url_id = c.id and d.next_attempt_at <= ?) order by c.id`,
  ).all(now) as { id: number }[];
  return rows.map((row) => row.id);
}
