/**
 * The `messages` table: what the Send API created, one row per recipient. A message's status is its latest
 * routed event, noted on its row as events are routed (`noteRoutedEvents`), so polling and webhooks agree
 * and a status filter is an index range. Long reads go in slices with a pause between them.
 */
import type { EventType } from '../core/event-types.js';
import type { MessageQuery } from '../core/message-query.js';
import { destinationIdOf, senderIdOf, stateIdOf, type MessageRecord } from '../core/message-shapes.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

export interface NewMessage {
  accountId: number;
  messageId: string;
  uuid: string;
  email: string;
  recipientType: 'To' | 'Cc' | 'Bcc';
  fromEmail: string;
  fromName: string;
  subject: string;
  customId: string;
  eventPayload: string;
  campaign: string;
  campaignId: number;
  contactId: number;
  isOpenTracked: boolean;
  isClickTracked: boolean;
  isHtmlPartIncluded: boolean;
  isTextPartIncluded: boolean;
  attachmentCount: number;
  messageSize: number;
  bounceHard: boolean | null;
  arrivedAt: number;
}

/** List filters of `GET /v3/REST/message` (times in epoch ms), as parsed by the pure query reader. */
export type MessageFilter = MessageQuery['filter'];

/** One page of `GET /v3/REST/message`. */
export interface MessagePage {
  limit: number;
  offset: number;
  order: 'id' | 'arrived_at';
  descending: boolean;
}

/** How a long read is sliced: `pause` lets other work run between slices (default: one `setImmediate` turn). */
export interface Slicing {
  pause?: () => Promise<void>;
  /** Message rows per slice (default `SLICE`). */
  slice?: number;
}

/**
 * How many message rows one slice of a read may visit. A slice is one index range, so even a filter that no
 * index fits costs at most this many row reads (a few ms) before the event loop gets a turn.
 */
export const SLICE = 20_000;

interface MessageRow {
  message_id: string;
  uuid: string;
  email: string;
  from_email: string;
  subject: string;
  custom_id: string;
  campaign_id: number;
  contact_id: number;
  is_open_tracked: number;
  is_click_tracked: number;
  is_html_part_included: number;
  is_text_part_included: number;
  attachment_count: number;
  message_size: number;
  bounce_hard: number | null;
  arrived_at: number;
  last_event: EventType | null;
  state_id: number;
}

const toRecord = (row: MessageRow): MessageRecord => ({
  messageId: row.message_id,
  uuid: row.uuid,
  email: row.email,
  fromEmail: row.from_email,
  subject: row.subject,
  customId: row.custom_id,
  campaignId: row.campaign_id,
  contactId: row.contact_id,
  isOpenTracked: row.is_open_tracked === 1,
  isClickTracked: row.is_click_tracked === 1,
  isHtmlPartIncluded: row.is_html_part_included === 1,
  isTextPartIncluded: row.is_text_part_included === 1,
  attachmentCount: row.attachment_count,
  messageSize: row.message_size,
  bounceHard: row.bounce_hard === null ? null : row.bounce_hard === 1,
  arrivedAt: row.arrived_at,
  lastEvent: row.last_event,
  stateId: row.state_id,
});

/** Inserts one recipient's message (call inside the send's transaction). @example insertMessage(db, { accountId, messageId: '576460752303423489', … }) */
export function insertMessage(db: Db, row: NewMessage): void {
  // Positional parameters: binding by name looks each one up, which costs a one-recipient send more than
  // the insert's own work in the table.
  statement(
    db,
    `insert into messages (account_id, message_id, uuid, email, recipient_type, from_email, from_name, subject, custom_id, event_payload,
       campaign, campaign_id, contact_id, is_open_tracked, is_click_tracked, is_html_part_included, is_text_part_included,
       attachment_count, message_size, bounce_hard, arrived_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.accountId,
    row.messageId,
    row.uuid,
    row.email,
    row.recipientType,
    row.fromEmail,
    row.fromName,
    row.subject,
    row.customId,
    row.eventPayload,
    row.campaign,
    row.campaignId,
    row.contactId,
    Number(row.isOpenTracked),
    Number(row.isClickTracked),
    Number(row.isHtmlPartIncluded),
    Number(row.isTextPartIncluded),
    row.attachmentCount,
    row.messageSize,
    row.bounceHard === null ? null : Number(row.bounceHard),
    row.arrivedAt,
  );
}

/** Whether the account already sent a message of `campaign` (never "": DeduplicateCampaign needs one) to `email`. @example campaignHasRecipient(db, 1000001, 'spring', 'a@x.com') // false */
export function campaignHasRecipient(db: Db, accountId: number, campaign: string, email: string): boolean {
  return (
    statement(db, "select 1 from messages where account_id = ? and campaign = ? and campaign <> '' and email = ? collate nocase limit 1").get(accountId, campaign, email) !==
    undefined
  );
}

/**
 * Notes routed events on their messages: each message keeps its latest event in (time, ID) order, so its
 * polling `Status` is one column (call in the routing transaction). Events of unknown messages change nothing.
 *
 * @example
 * noteRoutedEvents(db, dueEvents); // a routed 'open' makes its message 'opened'
 */
export function noteRoutedEvents(
  db: Db,
  events: readonly { id: number; accountId: number; eventType: string; occurredAt: number; messageId: string | null; payload: string }[],
): void {
  const update = statement(
    db,
    `update messages set last_event = @eventType, last_event_at = @occurredAt, last_event_id = @id, state_id = @stateId
      where message_id = @messageId and account_id = @accountId
        and (last_event_id is null or last_event_at < @occurredAt or (last_event_at = @occurredAt and last_event_id < @id))`,
  );
  for (const event of events) {
    if (event.messageId === null) continue;
    const type = event.eventType as EventType;
    const stateId = type === 'bounce' || type === 'blocked' ? stateIdOf(type, (JSON.parse(event.payload) as { error?: unknown }).error) : 0;
    update.run({ eventType: type, occurredAt: event.occurredAt, id: event.id, stateId, messageId: event.messageId, accountId: event.accountId });
  }
}

/** One message of the account by MessageID (decimal text), with its status. @example getMessage(db, accountId, '576460752303423489')?.lastEvent // 'open' */
export function getMessage(db: Db, accountId: number, messageId: string): MessageRecord | undefined {
  const row = statement(db, 'select * from messages where message_id = ? and account_id = ?').get(messageId, accountId) as MessageRow | undefined;
  return row && toRecord(row);
}

/** The recipient domain (after the first `@`), lower-cased, as SQL on `m`. */
const DOMAIN = "lower(substr(m.email, instr(m.email, '@') + 1))";

/**
 * How a walk reaches an account's rows. Only the status has an index of its own (with the account's row-ID
 * index for "everything" and the arrival index for time order): each index on `messages` costs every send
 * its upkeep, and polling by the other filters is rare. A filter no index fits reads the table itself in
 * row-ID slices (a range of the table's own B-tree), a few ms each.
 */
type Access = 'indexed by messages_status' | 'indexed by messages_account' | 'not indexed';

/**
 * A filter on a derived key (the sender address, the recipient domain) that only JavaScript can decide
 * (`SenderID` and `DestinationID` are hashes). Each slice reads its few distinct keys first and then keeps
 * the rows whose key is among the matching ones.
 */
interface KeyFilter {
  /** The key as SQL on `m`. */
  expr: string;
  matches: (key: string) => boolean;
}

/** The conditions of a filter: SQL on `m` with its parameters, key filters, and how to reach the rows. */
interface Conditions {
  where: string[];
  params: Record<string, unknown>;
  keys: KeyFilter[];
  access: Access;
  /** An index walked over a list of keys, which would need a sort across them in ID order. */
  keyList: boolean;
}

/** The filter as conditions on `m`; undefined when it can match nothing. */
function conditions(filter: MessageFilter): Conditions | undefined {
  if (filter.none || filter.status === null) return undefined;
  const where = ['m.account_id = @accountId'];
  const params: Record<string, unknown> = {};
  const keys: KeyFilter[] = [];
  let access: Access = 'indexed by messages_account';
  let keyList = false;
  const add = (sql: string, name: string, value: unknown) => {
    where.push(sql);
    params[name] = value;
    if (access === 'indexed by messages_account') access = 'not indexed';
  };
  if (filter.status) {
    // The status index holds only messages with a routed event (a send adds nothing to it), so "queued"
    // reads the table in slices.
    if (filter.status.lastEvent === null) (where.push('m.last_event is null'), (access = 'not indexed'));
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
  if (filter.customId !== undefined) add('m.custom_id = @customId', 'customId', filter.customId);
  if (filter.contactId !== undefined) add('m.contact_id = @contactId', 'contactId', filter.contactId);
  if (filter.campaignId !== undefined) add('m.campaign_id = @campaignId', 'campaignId', filter.campaignId);
  if (filter.fromTs !== undefined) add('m.arrived_at >= @fromTs', 'fromTs', filter.fromTs);
  if (filter.toTs !== undefined) add('m.arrived_at <= @toTs', 'toTs', filter.toTs);
  if (filter.stateId !== undefined) add('m.state_id = @stateId', 'stateId', filter.stateId);
  const { fromEmail, fromDomain, senderId, destinationId } = filter;
  if (fromEmail !== undefined || fromDomain !== undefined || senderId !== undefined) {
    keys.push({
      expr: 'm.from_email',
      matches: (email) =>
        (fromEmail === undefined || email.toLowerCase() === fromEmail.toLowerCase()) &&
        (fromDomain === undefined || email.slice(email.indexOf('@') + 1).toLowerCase() === fromDomain.toLowerCase()) &&
        (senderId === undefined || senderIdOf(email) === senderId),
    });
  }
  if (destinationId !== undefined) keys.push({ expr: DOMAIN, matches: (domain) => destinationIdOf(`@${domain}`) === destinationId });
  if (keys.length > 0 && access === 'indexed by messages_account') access = 'not indexed';
  return { where, params, keys, access, keyList };
}

/**
 * The SQL and parameters that keep, within one slice, the rows whose derived keys match: each key's
 * distinct values in the slice are read (a handful) and tested. Undefined when no row of the slice can match.
 */
function keyConditions(db: Db, cond: Conditions, from: string, params: Record<string, unknown>): { sql: string[]; params: Record<string, string> } | undefined {
  if (cond.keys.length === 0) return { sql: [], params: {} };
  const sql: string[] = [];
  const keyParams: Record<string, string> = {};
  for (const [i, key] of cond.keys.entries()) {
    const values = statement(db, `select distinct ${key.expr} as k ${from}`).all(params) as { k: string }[];
    const matching = values.map((row) => row.k).filter(key.matches);
    if (matching.length === 0) return undefined;
    // Every key of the slice matches: no condition. One key (the usual From): a plain comparison, cheaper
    // per row than a lookup in the list.
    if (matching.length === values.length) continue;
    if (matching.length === 1) sql.push(`${key.expr} = @key${i}`);
    else sql.push(`${key.expr} in (select value from json_each(@key${i}))`);
    keyParams[`key${i}`] = matching.length === 1 ? (matching[0] as string) : JSON.stringify(matching);
  }
  return { sql, params: keyParams };
}

/** The account's lowest and highest message row IDs (one probe each), or undefined when it has none. */
function idSpan(db: Db, accountId: number): Span | undefined {
  // Two subqueries: SQLite seeks the index for a lone min() or max(), but walks the range for both at once.
  const row = statement(
    db,
    'select (select min(id) from messages where account_id = @a) as low, (select max(id) from messages where account_id = @a) as high',
  ).get({ a: accountId }) as { low: number | null; high: number | null };
  return row.low === null || row.high === null ? undefined : { low: row.low, high: row.high };
}

/**
 * How many of an account's messages match `filter`, counted in slices of `SLICE` messages with a `pause`
 * between slices, so a count over hundreds of thousands of messages never holds the event loop for long.
 *
 * @example
 * await countMessages(db, accountId, { status: { lastEvent: null } }) // still queued
 */
export async function countMessages(db: Db, accountId: number, filter: MessageFilter, slicing: Slicing = {}): Promise<number> {
  const { pause = immediate, slice = SLICE } = slicing;
  const cond = conditions(filter);
  const span = idSpan(db, accountId);
  if (!cond || !span) return 0;
  // A time range with no indexed equality counts inside `messages_arrived` (covering), slice by slice.
  const byTime = cond.access !== 'indexed by messages_status' && (filter.fromTs !== undefined || filter.toTs !== undefined);
  const access = byTime ? 'indexed by messages_arrived' : cond.access;
  let total = 0;
  let first = true;
  for (const piece of byTime ? arrivedSlices(db, accountId, false, slice) : idSlices(span, false, slice)) {
    if (!first) await pause();
    first = false;
    const base = { ...cond.params, ...piece.params, accountId };
    const keyed = keyConditions(db, cond, `from messages m ${access} where ${cond.where.join(' and ')} and ${piece.sql}`, base);
    if (!keyed) continue;
    const count = statement(db, `select count(*) as n from messages m ${access} where ${[...cond.where, ...keyed.sql, piece.sql].join(' and ')}`);
    total += (count.get({ ...base, ...keyed.params }) as { n: number }).n;
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
  const { pause = immediate, slice = SLICE } = slicing;
  const cond = conditions(filter);
  const span = idSpan(db, accountId);
  if (!cond || !span || page.limit === 0) return [];
  const dir = page.descending ? 'desc' : 'asc';
  // An index walked over a list of keys (bounce, blocked) would need a sort across them: in ID order, walk
  // the rows instead and check the list.
  const access = page.order === 'id' ? (cond.keyList ? 'not indexed' : cond.access) : 'indexed by messages_arrived';
  const filterSql = cond.where.join(' and ');
  const rows: MessageRow[] = [];
  let skip = page.offset;
  let first = true;
  for (const piece of page.order === 'id' ? idSlices(span, page.descending, slice) : arrivedSlices(db, accountId, page.descending, slice)) {
    if (!first) await pause();
    first = false;
    const base = { ...cond.params, ...piece.params, accountId };
    const keyed = keyConditions(db, cond, `from messages m ${access} where ${filterSql} and ${piece.sql}`, base);
    if (!keyed) continue;
    const where = [filterSql, ...keyed.sql, piece.sql].join(' and ');
    const params = { ...base, ...keyed.params };
    if (skip > 0) {
      const n = (statement(db, `select count(*) as n from messages m ${access} where ${where}`).get(params) as { n: number }).n;
      if (n <= skip) {
        skip -= n;
        continue;
      }
    }
    const found = statement(
      db,
      `select m.* from messages m ${access} where ${where}
        order by ${page.order === 'id' ? '' : `m.arrived_at ${dir}, `}m.id ${dir} limit @limit offset @skip`,
    ).all({ ...params, limit: page.limit - rows.length, skip }) as MessageRow[];
    skip = 0;
    rows.push(...found);
    if (rows.length >= page.limit) break;
  }
  return rows.map(toRecord);
}

/** An account's lowest and highest message row IDs. */
interface Span {
  low: number;
  high: number;
}

/** A slice of a walk: one index range as SQL on `m`, with its parameters. */
interface Slice {
  sql: string;
  params: Record<string, number>;
}

/** Row-ID ranges of `SLICE` over the account's span, in walk order. */
function* idSlices(span: Span, descending: boolean, slice: number): Generator<Slice> {
  const count = Math.floor((span.high - span.low) / slice) + 1;
  for (let i = 0; i < count; i++) {
    const low = span.low + (descending ? count - 1 - i : i) * slice;
    yield { sql: 'm.id >= @sliceLow and m.id < @sliceHigh', params: { sliceLow: low, sliceHigh: low + slice } };
  }
}

/**
 * Slices of about `SLICE` messages in (arrived_at, id) order. Many messages share one `arrived_at` (a
 * manual clock that does not move), so each bound is a (time, ID) key and a slice is up to three index
 * ranges: the rest of the lower key's time, the times strictly between, and the upper key's time up to it.
 */
function* arrivedSlices(db: Db, accountId: number, descending: boolean, slice: number): Generator<Slice> {
  const [after, before, dir] = descending ? ['<', '>', 'desc'] : ['>', '<', 'asc'];
  const boundary = (sql: string) =>
    statement(db, `select arrived_at as at, id from messages m indexed by messages_arrived where m.account_id = @accountId and ${sql} order by m.arrived_at ${dir}, m.id ${dir} limit 1 offset @skip`);
  const countIn = (sql: string) => statement(db, `select count(*) as n from messages m indexed by messages_arrived where m.account_id = @accountId and ${sql}`);
  const sameTimeAfter = `m.arrived_at = @loAt and m.id ${after} @loId`;
  const laterTime = `m.arrived_at ${after} @loAt`;
  let lo: { at: number; id: number } | undefined;
  for (;;) {
    const base = { accountId, skip: slice - 1, loAt: lo?.at ?? 0, loId: lo?.id ?? 0 };
    let hi: { at: number; id: number } | undefined;
    if (!lo) hi = boundary('1').get(base) as typeof hi;
    else {
      hi = boundary(sameTimeAfter).get(base) as typeof hi;
      if (!hi) {
        const rest = (countIn(sameTimeAfter).get(base) as { n: number }).n;
        hi = boundary(laterTime).get({ ...base, skip: slice - 1 - rest }) as typeof hi;
      }
    }
    const params = { loAt: lo?.at ?? 0, loId: lo?.id ?? 0, hiAt: hi?.at ?? 0, hiId: hi?.id ?? 0 };
    const upToHi = [`m.arrived_at ${before} @hiAt`, `m.arrived_at = @hiAt and m.id ${before}= @hiId`];
    let ranges: string[];
    if (!lo && !hi) ranges = ['1'];
    else if (!lo) ranges = upToHi;
    else if (!hi) ranges = [sameTimeAfter, laterTime];
    else if (lo.at === hi.at) ranges = [`${sameTimeAfter} and m.id ${before}= @hiId`];
    else ranges = [sameTimeAfter, `m.arrived_at ${after} @loAt and m.arrived_at ${before} @hiAt`, upToHi[1] as string];
    for (const sql of ranges) yield { sql, params };
    if (!hi) return;
    lo = hi;
  }
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The events of a message that have happened by `now`, in time order (payloads as stored JSON text). @example historyOf(db, accountId, '576460752303423489', now)[0].eventType // 'sent' */
export function historyOf(db: Db, accountId: number, messageId: string, now: number): { eventType: EventType; occurredAt: number; payload: string }[] {
  const rows = statement(
    db,
    'select event_type, occurred_at, payload from events where account_id = ? and message_id = ? and occurred_at <= ? order by occurred_at, id',
  ).all(accountId, messageId, now) as { event_type: EventType; occurred_at: number; payload: string }[];
  return rows.map((row) => ({ eventType: row.event_type, occurredAt: row.occurred_at, payload: row.payload }));
}

/** Deletes an account's messages (part of `POST /sim/reset`); returns how many. @example deleteMessagesOf(db, accountId) // 3 */
export function deleteMessagesOf(db: Db, accountId: number): number {
  return statement(db, 'delete from messages where account_id = ?').run(accountId).changes;
}
