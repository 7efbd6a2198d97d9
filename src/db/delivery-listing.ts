/**
 * Listing deliveries, newest first, by the filters of `GET /sim/deliveries`, `mjsim deliveries`, the library
 * and the dashboard: each filter walks its own index, so a page costs its rows at any size.
 */
import type { DeliveryStatus } from '../core/delivery-state.js';
import { toDelivery, type Delivery, type DeliveryRow } from './deliveries.js';
import { deliveryCount } from './delivery-status.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

/** What `listDeliveries` may filter by; every given filter must hold. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  callbackUrlId?: number;
  /** The callback URL exactly as registered (any of the account's URLs with that text). */
  url?: string;
  /** Deliveries that carry an event of this MessageID (decimal text). */
  messageId?: string;
  /** Deliveries that carry an event to this recipient (compared without regard to case). */
  email?: string;
  /** Key paging: only deliveries with a lower ID (the next, older page). */
  before?: number;
  /** Key paging: only deliveries with a higher ID (the `limit` just newer than it, still newest first). */
  after?: number;
}

/** One walk over an index in ID order: its equality condition, parameters and index. */
interface Walk {
  sql: string;
  params: Record<string, unknown>;
  index: string | undefined;
  /** Walks the recipients' index `delivery_events_email` and reads each delivery it names. */
  viaEmail?: boolean;
}

/**
 * The email filter as a condition on `d`, for walks of other indexes: one seek per row, as a link's
 * `event_types` equals its delivery's.
 */
const HAS_EMAIL =
  'exists (select 1 from delivery_events x indexed by delivery_events_email where x.email = @email and x.event_types = d.event_types and x.delivery_id = d.id)';

/**
 * An account's deliveries, newest first (all accounts when `accountId` is null). The WHERE holds only the
 * given filters, and each filter walks its own index in ID order (`deliveries_account_status`,
 * `deliveries_account_types`, `deliveries_url_types`, the events' `events_message_time`, the recipients'
 * `delivery_events_email` by (email, type set)), so a page costs its rows, not the table. A filter that
 * matches several index keys (an event type inside Version 2 groups of mixed types, a URL registered for
 * several types, the type sets of a recipient or of a URL) walks each key and merges. A recipient with a status or URL walks
 * the smaller side and checks the other per row. `before`/`after` page by key; `offset` still works but costs what it skips.
 *
 * @example
 * listDeliveries(db, accountId, { status: 'failed', before: 120 }, 50, 0) // the 50 failed ones just older than #120
 */
export function listDeliveries(db: Db, accountId: number | null, filter: DeliveryFilter, limit: number, offset: number): Delivery[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (sql: string, name: string, value: unknown) => (where.push(sql), (params[name] = value));
  if (accountId !== null) add('d.account_id = @accountId', 'accountId', accountId);
  if (filter.status !== undefined) add('d.status = @status', 'status', filter.status);
  if (filter.callbackUrlId !== undefined) add('d.callback_url_id = @callbackUrlId', 'callbackUrlId', filter.callbackUrlId);
  if (filter.before !== undefined) add('d.id < @before', 'before', filter.before);
  if (filter.after !== undefined) add('d.id > @after', 'after', filter.after);
  if (filter.eventType !== undefined) add("instr(',' || d.event_types || ',', ',' || @eventType || ',') > 0", 'eventType', filter.eventType);
  if (filter.email !== undefined) params.email = filter.email.toLowerCase();
  const walks = deliveryWalks(db, accountId, filter);
  if (walks.length === 0) return [];
  const direction = filter.after !== undefined && filter.before === undefined ? 'asc' : 'desc';
  // One walk skips in SQL; several merge their IDs (from the index, no row read), so each brings offset + limit.
  const [take, skip] = walks.length === 1 ? [limit, offset] : [limit + offset, 0];
  const ids = new Set<number>();
  for (const walk of walks) {
    const conditions = [...where, walk.sql, filter.email !== undefined && !walk.viaEmail ? HAS_EMAIL : ''].filter(Boolean).join(' and ') || '1';
    // A group with two events to one recipient has two index entries: `group by` keeps it once, in index order.
    const source = walk.viaEmail
      ? `from delivery_events de indexed by delivery_events_email join deliveries d on d.id = de.delivery_id where ${conditions} group by de.delivery_id order by de.delivery_id ${direction}`
      : `from deliveries d ${walk.index ? `indexed by ${walk.index}` : ''} where ${conditions} order by d.id ${direction}`;
    const found = statement(db, `select d.id ${source} limit @take offset @skip`).all({ ...params, ...walk.params, take, skip }) as { id: number }[];
    for (const row of found) ids.add(row.id);
  }
  const sorted = [...ids].sort((a, b) => (direction === 'desc' ? b - a : a - b));
  const page = (walks.length === 1 ? sorted : sorted.slice(offset, offset + limit)).sort((a, b) => b - a);
  const rows = statement(db, 'select * from deliveries where id in (select value from json_each(?)) order by id desc').all(JSON.stringify(page)) as DeliveryRow[];
  return rows.map(toDelivery);
}

/** The index walks that together cover `filter` (none: nothing can match). */
function deliveryWalks(db: Db, accountId: number | null, filter: DeliveryFilter): Walk[] {
  const walk = (sql: string, params: Record<string, unknown>, index: string | undefined): Walk => ({ sql, params, index: accountId === null ? undefined : index });
  if (filter.messageId !== undefined) {
    const ids = statement(db, 'select de.delivery_id as id from events e join delivery_events de on de.event_id = e.id where e.message_id = ?')
      .all(filter.messageId)
      .map((row) => (row as { id: number }).id);
    return ids.length ? [{ sql: 'd.id in (select value from json_each(@ids))', params: { ids: JSON.stringify(ids) }, index: undefined }] : [];
  }
  const byText =
    filter.url === undefined
      ? undefined
      : statement(db, 'select id from callback_urls where url = ? and (? is null or account_id = ?)')
          .all(filter.url, accountId, accountId)
          .map((row) => (row as { id: number }).id);
  // One URL by ID (the dashboard's row) narrows the URLs of that text to it, and is walked like them.
  const urlIds = filter.callbackUrlId === undefined ? byText : (byText ?? [filter.callbackUrlId]).filter((id) => id === filter.callbackUrlId);
  if (urlIds?.length === 0) return [];
  const carriesType = (types: string) => filter.eventType === undefined || types.split(',').includes(filter.eventType);
  // Each URL's deliveries by type set (`deliveries_url_types`), only the sets that carry the type asked for.
  let urlKeys = urlIds?.flatMap((urlId) => urlTypeSets(db, urlId).filter(carriesType).map((types) => ({ urlId, types })));
  if (urlKeys?.length === 0) return [];
  if (filter.email !== undefined) {
    // The recipient's index holds (email, type set): one walk per set of this recipient's deliveries (that
    // carries the type, and that the URL's deliveries have, when asked), so email, email + type and a URL
    // of types the recipient never got are index seeks, empty or not.
    const email = filter.email.toLowerCase();
    const sets = emailTypeSets(db, email).filter((types) => carriesType(types) && (urlKeys === undefined || urlKeys.some((key) => key.types === types)));
    if (sets.length === 0) return [];
    urlKeys = urlKeys?.filter((key) => sets.includes(key.types));
    const url = urlIds ? { sql: ' and d.callback_url_id in (select value from json_each(@urlIds))', params: { urlIds: JSON.stringify(urlIds) } } : { sql: '', params: {} };
    const viaEmail = sets.map((types) => ({ sql: `de.email = @email and de.event_types = @emailTypes${url.sql}`, params: { ...url.params, emailTypes: types }, index: undefined, viaEmail: true }));
    if (filter.status === undefined && urlKeys === undefined) return viaEmail;
    // A status or URL too: walk the smaller side and check the other per row, so a busy recipient with a
    // status or URL it never had costs the smaller set. Counting stops at SMALL_SIDE: when both sides are
    // larger, the recipient's is walked (bounded by its own deliveries; such sets seldom miss each other).
    const other = Math.min(filter.status === undefined ? Infinity : statusCount(db, accountId, filter.status), urlKeys === undefined ? Infinity : urlDeliveriesUpTo(db, urlKeys, SMALL_SIDE));
    if (other >= SMALL_SIDE || emailLinksBelow(db, email, sets, other)) return viaEmail;
    // The URL's walk (by URL and status when both are given) is never larger than the status's.
    return urlKeys !== undefined ? urlWalks(walk, urlKeys, filter.status !== undefined) : [walk('', {}, 'deliveries_account_status')];
  }
  if (urlKeys !== undefined) return urlWalks(walk, urlKeys, filter.status !== undefined);
  // A rare status (anything but delivered) narrows more than an event type; delivered is most of a big run.
  if (filter.status !== undefined && (filter.eventType === undefined || filter.status !== 'delivered')) return [walk('', {}, 'deliveries_account_status')];
  if (filter.eventType !== undefined) {
    // Every account's sets when the viewer sees all (the local dashboard): the index leads with the account.
    const accounts = accountId === null ? (statement(db, 'select id from accounts order by id').pluck().all() as number[]) : [accountId];
    return accounts.flatMap((account) =>
      eventTypeSets(db, account)
        .filter((types) => types.split(',').includes(filter.eventType as string))
        .map((types) => ({ sql: 'd.account_id = @typesAccount and d.event_types = @types', params: { types, typesAccount: account }, index: 'deliveries_account_types' })),
    );
  }
  return [walk('', {}, accountId === null ? undefined : 'deliveries_account')];
}

/**
 * Sides are counted up to this many: a walk that checks each row for the recipient costs about 3.5 µs a row
 * at 1,000,000 deliveries, so this many stays near 15 ms even when none matches, and counting it about 1 ms.
 */
const SMALL_SIDE = 4_000;

/** A callback URL ID and one type set of its deliveries: one key of `deliveries_url_types`. */
interface UrlKey {
  urlId: number;
  types: string;
}

/** One walk per URL and type set; with a status, one per URL by the index that holds the status instead. */
function urlWalks(walk: (sql: string, params: Record<string, unknown>, index: string | undefined) => Walk, keys: UrlKey[], byStatus: boolean): Walk[] {
  if (byStatus) return [...new Set(keys.map((key) => key.urlId))].map((urlId) => walk('d.callback_url_id = @urlId', { urlId }, 'deliveries_url'));
  return keys.map(({ urlId, types }) => walk('d.callback_url_id = @urlId and d.event_types = @urlTypes', { urlId, urlTypes: types }, 'deliveries_url_types'));
}

/** Whether fewer than `limit` event links carry `email` with one of `sets` (reads at most `limit` index entries). */
function emailLinksBelow(db: Db, email: string, sets: string[], limit: number): boolean {
  let left = limit;
  for (const types of sets) {
    const row = statement(db, 'select count(*) as n from (select 1 from delivery_events indexed by delivery_events_email where email = ? and event_types = ? limit ?)').get(email, types, left) as {
      n: number;
    };
    left -= row.n;
    if (left <= 0) return false;
  }
  return true;
}

/** Deliveries in `status` (of one account, or all when `accountId` is null), from the kept counts. */
function statusCount(db: Db, accountId: number | null, status: string): number {
  return deliveryCount(db, accountId, status as DeliveryStatus);
}

/** Deliveries under the URL keys, counted up to `cap` (reads at most `cap` index entries). */
function urlDeliveriesUpTo(db: Db, keys: UrlKey[], cap: number): number {
  let n = 0;
  for (const { urlId, types } of keys) {
    if (n >= cap) break;
    const row = statement(db, 'select count(*) as n from (select 1 from deliveries indexed by deliveries_url_types where callback_url_id = ? and event_types = ? limit ?)').get(urlId, types, cap - n) as {
      n: number;
    };
    n += row.n;
  }
  return n;
}

/**
 * The distinct `event_types` values under one key of an index that starts with (key, event_types): a skip
 * scan, one index seek per value however many rows share it.
 */
function distinctTypeSets(db: Db, table: string, index: string, keyColumn: string, key: number | string): string[] {
  const rows = statement(
    db,
    `with recursive v(t) as (
       select (select min(event_types) from ${table} indexed by ${index} where ${keyColumn} = @k)
       union all
       select (select min(event_types) from ${table} indexed by ${index} where ${keyColumn} = @k and event_types > v.t) from v where v.t is not null)
     select t from v where t is not null`,
  ).all({ k: key }) as { t: string }[];
  return rows.map((row) => row.t);
}

/** The distinct type sets of a callback URL's deliveries. */
const urlTypeSets = (db: Db, urlId: number) => distinctTypeSets(db, 'deliveries', 'deliveries_url_types', 'callback_url_id', urlId);

/** The distinct type sets of a recipient's deliveries. */
const emailTypeSets = (db: Db, email: string) => distinctTypeSets(db, 'delivery_events', 'delivery_events_email', 'email', email);

/**
 * The distinct `event_types` values of an account's deliveries (one per type for Version 1, a few mixed
 * sets for Version 2 groups).
 */
const eventTypeSets = (db: Db, accountId: number) => distinctTypeSets(db, 'deliveries', 'deliveries_account_types', 'account_id', accountId);
