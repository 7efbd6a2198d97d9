/**
 * Reading `messages` for `GET /v3/REST/message`: an account's messages by filter, counted or one page at a
 * time. Every read walks the account's row IDs (or arrival times) in slices with a pause between them
 * (message-slice-walk.ts), so however many messages there are, the event loop gets a turn every few ms.
 *
 * Within a slice a filter reaches its rows through an index: the status, "queued" and the arrival time
 * are kept as each send goes; CustomID, contact, campaign, sender and recipient domain hold only filed
 * messages (message-filing.ts), so a slice's filed part uses them and its newest part, not yet filed, is read
 * row by row (a few thousand rows at most).
 */
import type { MessageQuery } from '../core/message-query.js';
import { destinationIdOf, senderIdOf, type MessageRecord } from '../core/message-shapes.js';
import type { IdSpan } from '../core/message-slices.js';
import { filedThrough } from './message-filing.js';
import { arrivedSlices, idSlices, idSpan, nextTurn, paced, SLICE, type Slice } from './message-slice-walk.js';
import { toRecord, type MessageRow } from './messages.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

/** List filters of `GET /v3/REST/message` (times in epoch ms), as parsed by the pure query reader. */
export type MessageFilter = MessageQuery['filter'];

/** One page of `GET /v3/REST/message`. */
export interface MessagePage {
  limit: number;
  offset: number;
  order: 'id' | 'arrived_at';
  descending: boolean;
}

/** How a long read is sliced: `pause` lets other work run between slices (default: one event-loop turn). */
export interface Slicing {
  pause?: () => Promise<void>;
  /** Message rows per slice (default `SLICE`). */
  slice?: number;
  /** At most this many matches of a filing filter are sorted in memory for arrival order (default `FEW`). */
  few?: number;
  /** `false`: never count a status and a key as the status minus the other keys (for tests of both ways). */
  complement?: boolean;
}

/** The recipient domain (after the first `@`), lower-cased, as SQL on `m` (messages_domain is on it). */
const DOMAIN = "lower(substr(m.email, instr(m.email, '@') + 1))";

/** An index hint for a walk: an index kept as sends go, or none (the table itself, in row-ID ranges). */
type Access = 'indexed by messages_status' | 'indexed by messages_queued' | 'indexed by messages_account' | 'not indexed';

/**
 * A filter on a derived key (the sender address, the recipient domain) that only JavaScript can decide
 * (`SenderID` and `DestinationID` are hashes): the distinct keys are read first (a handful), the matching
 * ones kept, and the rows compared with those.
 */
interface KeyFilter {
  /** The key as SQL on `m`. */
  expr: string;
  /** The filing index on the key. */
  index: string;
  matches: (key: string) => boolean;
}

/** How a filter reaches filed messages: the filing index that fits it best, with the terms it needs. */
interface Filed {
  index: string;
  sql: string[];
  /** The key filter the index is on, when it is one. */
  key?: KeyFilter;
}

/** The conditions of a filter: SQL on `m` with its parameters, key filters, and how to reach the rows. */
interface Conditions {
  where: string[];
  params: Record<string, unknown>;
  keys: KeyFilter[];
  /** How to reach rows that are not filed, or all rows when no filing index fits. */
  access: Access;
  /** An index walked over a list of keys, which would need a sort across them in ID order. */
  keyList: boolean;
  filed?: Filed;
}

/** The filter as conditions on `m`; undefined when it can match nothing. */
function conditions(filter: MessageFilter): Conditions | undefined {
  if (filter.none || filter.status === null) return undefined;
  const where = ['m.account_id = @accountId'];
  const params: Record<string, unknown> = {};
  const keys: KeyFilter[] = [];
  const candidates: Filed[] = [];
  let access: Access = 'indexed by messages_account';
  let keyList = false;
  const add = (sql: string, name: string, value: unknown) => {
    where.push(sql);
    params[name] = value;
    if (access === 'indexed by messages_account') access = 'not indexed';
  };
  if (filter.status) {
    if (filter.status.lastEvent === null) (where.push('m.last_event is null'), (access = 'indexed by messages_queued'));
    else (where.push('m.last_event = @lastEvent'), (params.lastEvent = filter.status.lastEvent), (access = 'indexed by messages_status'));
    // A bounce with no planned hardness shows as hard (messageStatus), so "hard" is "not soft".
    if (filter.status.bounceHard === true) where.push('m.bounce_hard is not 0');
    if (filter.status.bounceHard === false) where.push('m.bounce_hard = 0');
  } else if (filter.stateId !== undefined && filter.stateId > 0) {
    // Only a bounce or a block has a StateID: walk those two status keys instead of every message.
    access = 'indexed by messages_status';
    keyList = true;
    where.push("m.last_event in ('bounce', 'blocked')");
  }
  if (filter.customId !== undefined) {
    add('m.custom_id = @customId', 'customId', filter.customId);
    if (filter.customId !== '') candidates.push({ index: 'messages_custom_id', sql: ['m.filed = 1', "m.custom_id <> ''"] });
  }
  if (filter.contactId !== undefined) {
    add('m.contact_id = @contactId', 'contactId', filter.contactId);
    candidates.push({ index: 'messages_contact', sql: ['m.filed = 1'] });
  }
  if (filter.campaignId !== undefined) {
    add('m.campaign_id = @campaignId', 'campaignId', filter.campaignId);
    if (filter.campaignId !== 0) candidates.push({ index: 'messages_campaign_id', sql: ['m.filed = 1', 'm.campaign_id <> 0'] });
  }
  if (filter.fromTs !== undefined) add('m.arrived_at >= @fromTs', 'fromTs', filter.fromTs);
  if (filter.toTs !== undefined) add('m.arrived_at <= @toTs', 'toTs', filter.toTs);
  if (filter.stateId !== undefined) add('m.state_id = @stateId', 'stateId', filter.stateId);
  const { fromEmail, fromDomain, senderId, destinationId } = filter;
  if (fromEmail !== undefined || fromDomain !== undefined || senderId !== undefined) {
    keys.push({
      expr: 'm.from_email',
      index: 'messages_sender',
      matches: (email) =>
        (fromEmail === undefined || email.toLowerCase() === fromEmail.toLowerCase()) &&
        (fromDomain === undefined || email.slice(email.indexOf('@') + 1).toLowerCase() === fromDomain.toLowerCase()) &&
        (senderId === undefined || senderIdOf(email) === senderId),
    });
  }
  if (destinationId !== undefined) keys.push({ expr: DOMAIN, index: 'messages_domain', matches: (domain) => destinationIdOf(`@${domain}`) === destinationId });
  for (const key of keys) candidates.push({ index: key.index, sql: ['m.filed = 1'], key });
  if (keys.length > 0 && access === 'indexed by messages_account') access = 'not indexed';
  return { where, params, keys, access, keyList, filed: candidates[0] };
}

/**
 * The SQL and parameters that keep, within one piece, the rows whose derived keys match: each key's
 * distinct values in the piece are read (a handful) and tested. Undefined when no row of the piece can match.
 */
function keyConditions(db: Db, keys: readonly KeyFilter[], from: string, params: Record<string, unknown>): { sql: string[]; params: Record<string, string> } | undefined {
  const sql: string[] = [];
  const keyParams: Record<string, string> = {};
  for (const [i, key] of keys.entries()) {
    const values = statement(db, `select distinct ${key.expr} as k ${from}`).all(params) as { k: string }[];
    const matching = values.map((row) => row.k).filter(key.matches);
    if (matching.length === 0) return undefined;
    // Every key of the piece matches: no condition. One key (the usual From): a plain comparison, cheaper
    // per row than a lookup in the list.
    if (matching.length === values.length) continue;
    sql.push(keyMatch(key, `key${i}`, matching));
    keyParams[`key${i}`] = matching.length === 1 ? (matching[0] as string) : JSON.stringify(matching);
  }
  return { sql, params: keyParams };
}

/** SQL keeping rows whose key is among `matching` (the parameter `name` holds one key, or a JSON list). */
const keyMatch = (key: KeyFilter, name: string, matching: readonly string[]) =>
  matching.length === 1 ? `${key.expr} = @${name}` : `${key.expr} in (select value from json_each(@${name}))`;

/**
 * Every distinct key of an account's filed messages in `key`'s filing index, one seek each (an account has a
 * handful of senders and recipient domains). Read once per walk.
 */
function allFiledKeys(db: Db, key: KeyFilter, accountId: number): string[] {
  const first = statement(db, `select ${key.expr} as k from messages m indexed by ${key.index} where m.account_id = @accountId and m.filed = 1 order by ${key.expr} limit 1`);
  const next = statement(
    db,
    `select ${key.expr} as k from messages m indexed by ${key.index} where m.account_id = @accountId and m.filed = 1 and ${key.expr} > @after order by ${key.expr} limit 1`,
  );
  const keys: string[] = [];
  let row = first.get({ accountId }) as { k: string } | undefined;
  while (row) {
    keys.push(row.k);
    row = next.get({ accountId, after: row.k }) as { k: string } | undefined;
  }
  return keys;
}

/**
 * For a count of one status and one sender or recipient-domain filter (nothing else), a way to count a filed
 * slice as "the status, minus the status among the other keys", when the other keys hold fewer messages (as
 * in a first slice): both counts read only indexes, and the smaller side is walked. "Sent from the one sender
 * almost everything is sent from" then costs the status count, not a walk of that sender's messages.
 * Undefined when it does not apply or would not be cheaper.
 */
function complementCount(
  db: Db,
  accountId: number,
  filter: MessageFilter,
  cond: Conditions,
  all: readonly string[] | undefined,
  sample: Slice | undefined,
): ((piece: Slice) => number) | undefined {
  const key = cond.filed?.key;
  const status = filter.status;
  const others = [filter.customId, filter.contactId, filter.campaignId, filter.fromTs, filter.toTs, filter.stateId];
  if (!key || !all || !sample || !status || status.lastEvent === null || status.bounceHard !== undefined || cond.keys.length !== 1 || others.some((value) => value !== undefined)) {
    return undefined;
  }
  const other = all.filter((value) => !key.matches(value));
  const byStatus = statement(
    db,
    'select count(*) as n from messages m indexed by messages_status where m.account_id = @accountId and m.last_event = @lastEvent and m.id >= @sliceLow and m.id < @sliceHigh',
  );
  const among = (keys: readonly string[]) =>
    statement(
      db,
      `select count(*) as n from messages m indexed by ${key.index} where m.account_id = @accountId and m.filed = 1 and ${keyMatch(key, 'keys', keys)} and m.id >= @sliceLow and m.id < @sliceHigh`,
    );
  const params = (piece: Slice, keys: readonly string[]) => ({ ...piece.params, accountId, lastEvent: status.lastEvent, keys: keys.length === 1 ? keys[0] : JSON.stringify(keys) });
  const count = (statementOf: ReturnType<typeof statement>, values: Record<string, unknown>) => (statementOf.get(values) as { n: number }).n;
  if (other.length === 0) return (piece) => count(byStatus, params(piece, []));
  const matching = all.filter(key.matches);
  if (matching.length === 0 || count(among(other), params(sample, other)) >= count(among(matching), params(sample, matching))) return undefined;
  const otherInStatus = statement(
    db,
    `select count(*) as n from messages m indexed by ${key.index} where m.account_id = @accountId and m.filed = 1 and ${keyMatch(key, 'keys', other)} and m.last_event = @lastEvent and m.id >= @sliceLow and m.id < @sliceHigh`,
  );
  return (piece) => count(byStatus, params(piece, other)) - count(otherInStatus, params(piece, other));
}

/**
 * How a walk reads one piece: the `from … where …` SQL (with `m.*` rows behind it) and its parameters, or
 * undefined when the piece cannot hold a match.
 */
type PieceReader = (piece: Slice) => { from: string; params: Record<string, unknown> } | undefined;

/** The keys of the filing index a walk of `cond` goes by, when that index is on a key (else undefined). */
const filedKeysOf = (db: Db, cond: Conditions, accountId: number) => (cond.filed?.key ? allFiledKeys(db, cond.filed.key, accountId) : undefined);

/** A reader of pieces for `cond`: through the filing index for filed pieces, by `access` for the others. */
function pieceReader(db: Db, accountId: number, cond: Conditions, access: string, all = filedKeysOf(db, cond, accountId)): PieceReader {
  const filed = cond.filed;
  // The filed pieces' matching keys for the filing index's own key, read once for the whole walk.
  const indexedKeys = filed?.key ? all?.filter(filed.key.matches) : undefined;
  const otherKeys = cond.keys.filter((key) => key !== filed?.key);
  return (piece) => {
    const base = { ...cond.params, ...piece.params, accountId };
    if (piece.filed && filed) {
      if (indexedKeys?.length === 0) return undefined;
      const where = [...cond.where, ...filed.sql];
      const params: Record<string, unknown> = { ...base };
      if (filed.key && indexedKeys) {
        where.push(keyMatch(filed.key, 'filedKey', indexedKeys));
        params.filedKey = indexedKeys.length === 1 ? indexedKeys[0] : JSON.stringify(indexedKeys);
      }
      return withKeys(db, otherKeys, `from messages m indexed by ${filed.index} where ${[...where, piece.sql].join(' and ')}`, params);
    }
    return withKeys(db, cond.keys, `from messages m ${access} where ${[...cond.where, piece.sql].join(' and ')}`, base);
  };
}

/** Adds the per-piece key conditions to `from`; undefined when no row of the piece can match. */
function withKeys(db: Db, keys: readonly KeyFilter[], from: string, params: Record<string, unknown>): { from: string; params: Record<string, unknown> } | undefined {
  if (keys.length === 0) return { from, params };
  const keyed = keyConditions(db, keys, from, params);
  if (!keyed) return undefined;
  return { from: [from, ...keyed.sql].join(' and '), params: { ...params, ...keyed.params } };
}

/**
 * How many of an account's messages match `filter`, counted in slices of `SLICE` messages with a `pause`
 * between slices, so a count over hundreds of thousands of messages never holds the event loop for long.
 *
 * @example
 * await countMessages(db, accountId, { status: { lastEvent: null } }) // still queued
 */
export async function countMessages(db: Db, accountId: number, filter: MessageFilter, slicing: Slicing = {}): Promise<number> {
  const { pause = nextTurn, slice = SLICE } = slicing;
  const cond = conditions(filter);
  const span = idSpan(db, accountId);
  if (!cond || !span) return 0;
  // A time range with no indexed equality counts inside `messages_arrived` (covering), slice by slice.
  const byTime = !cond.filed && cond.access !== 'indexed by messages_status' && (filter.fromTs !== undefined || filter.toTs !== undefined);
  const all = filedKeysOf(db, cond, accountId);
  const read = pieceReader(db, accountId, cond, byTime ? 'indexed by messages_arrived' : cond.access, all);
  const through = cond.filed ? filedThrough(db) : 0;
  const firstFiled = byTime ? undefined : idSlices(span, false, slice, through).next().value;
  const complement = slicing.complement === false || !firstFiled?.filed ? undefined : complementCount(db, accountId, filter, cond, all, firstFiled);
  let total = 0;
  for await (const piece of paced(byTime ? arrivedSlices(db, accountId, false, slice) : idSlices(span, false, slice, through), pause)) {
    if (piece.filed && complement) {
      total += complement(piece);
      continue;
    }
    const reading = read(piece);
    if (reading) total += (statement(db, `select count(*) as n ${reading.from}`).get(reading.params) as { n: number }).n;
  }
  return total;
}

/**
 * An account's messages matching `filter`, one page in `page.order`. The walk goes slice by slice in that
 * order (row-ID ranges for `id`, key ranges of `messages_arrived` for `arrived_at`), counting whole slices
 * to skip `offset` and pausing between slices: a deep offset or a filter no index fits costs many short
 * turns, never one long one.
 *
 * @example
 * await listMessages(db, accountId, { customId: 'order-1' }, { limit: 10, offset: 0, order: 'id', descending: false })
 */
export async function listMessages(db: Db, accountId: number, filter: MessageFilter, page: MessagePage, slicing: Slicing = {}): Promise<MessageRecord[]> {
  const { pause = nextTurn, slice = SLICE, few = FEW } = slicing;
  const cond = conditions(filter);
  const span = idSpan(db, accountId);
  if (!cond || !span || page.limit === 0) return [];
  const dir = page.descending ? 'desc' : 'asc';
  const byId = page.order === 'id';
  if (!byId && cond.filed) {
    const sorted = await fewInArrivalOrder(db, accountId, cond, span, page, { pause, slice, few });
    if (sorted) return sorted;
  }
  // An index walked over a list of keys (bounce, blocked) would need a sort across them: in ID order, walk
  // the rows instead and check the list. In arrival order, the arrival index leads and filing indexes wait.
  const access = byId ? (cond.keyList ? 'not indexed' : cond.access) : 'indexed by messages_arrived';
  const walk = byId ? cond : { ...cond, filed: undefined };
  const read = pieceReader(db, accountId, walk, access);
  const through = walk.filed ? filedThrough(db) : 0;
  const rows: MessageRow[] = [];
  let skip = page.offset;
  for await (const piece of paced(byId ? idSlices(span, page.descending, slice, through) : arrivedSlices(db, accountId, page.descending, slice), pause)) {
    const reading = read(piece);
    if (!reading) continue;
    if (skip > 0) {
      const n = (statement(db, `select count(*) as n ${reading.from}`).get(reading.params) as { n: number }).n;
      if (n <= skip) {
        skip -= n;
        continue;
      }
    }
    const found = statement(db, `select m.* ${reading.from} order by ${byId ? '' : `m.arrived_at ${dir}, `}m.id ${dir} limit @limit offset @skip`).all({
      ...reading.params,
      limit: page.limit - rows.length,
      skip,
    }) as MessageRow[];
    skip = 0;
    rows.push(...found);
    if (rows.length >= page.limit) break;
  }
  return rows.map(toRecord);
}

/** At most this many matches are put in arrival order in memory; more go by the arrival index. */
export const FEW = 10_000;

/**
 * A page in arrival order for a filter with a filing index, when it matches at most `few` messages: their
 * IDs and arrival times are read through that index (the newest row by row), sorted here, and the page's
 * rows read by ID. Walking the arrival index instead would read every message to find a contact's few.
 * Undefined when there are more matches (then a walk of the arrival index finds the page soon enough).
 */
async function fewInArrivalOrder(
  db: Db,
  accountId: number,
  cond: Conditions,
  span: IdSpan,
  page: MessagePage,
  slicing: { pause: () => Promise<void>; slice: number; few: number },
): Promise<MessageRecord[] | undefined> {
  const read = pieceReader(db, accountId, cond, cond.keyList ? 'not indexed' : cond.access);
  // IDs first (the filing index alone answers), so that giving up on a common filter costs little.
  const ids: number[] = [];
  for await (const piece of paced(idSlices(span, false, slicing.slice, filedThrough(db)), slicing.pause)) {
    const reading = read(piece);
    if (!reading) continue;
    const found = statement(db, `select m.id ${reading.from} limit @few`).all({ ...reading.params, few: slicing.few + 1 }) as { id: number }[];
    for (const row of found) ids.push(row.id);
    if (ids.length > slicing.few) return undefined;
  }
  const matches = statement(db, 'select id, arrived_at from messages where id in (select value from json_each(?))').all(JSON.stringify(ids)) as { id: number; arrived_at: number }[];
  const sign = page.descending ? -1 : 1;
  matches.sort((a, b) => sign * (a.arrived_at - b.arrived_at || a.id - b.id));
  const pageIds = matches.slice(page.offset, page.offset + page.limit).map((match) => match.id);
  if (pageIds.length === 0) return [];
  const rows = statement(db, 'select * from messages where id in (select value from json_each(?))').all(JSON.stringify(pageIds)) as (MessageRow & { id: number })[];
  const byRowId = new Map(rows.map((row) => [row.id, row]));
  return pageIds.flatMap((id) => {
    const row = byRowId.get(id);
    return row ? [toRecord(row)] : [];
  });
}
