/**
 * The `messages` table: what the Send API created, one row per recipient. A message's status is read
 * from its events (the `events` table) that have happened by `now`, so polling and webhooks always agree.
 */
import type { EventType } from '../core/event-types.js';
import type { MessageQuery } from '../core/message-query.js';
import type { MessageRecord } from '../core/message-shapes.js';
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
});

/** The latest event of a message that has happened by `@now`. */
const LAST_EVENT =
  '(select e.event_type from events e where e.message_id = m.message_id and e.account_id = m.account_id and e.occurred_at <= @now order by e.occurred_at desc, e.id desc limit 1)';

/** Inserts one recipient's message (call inside the send's transaction). @example insertMessage(db, { accountId, messageId: '576460752303423489', … }) */
export function insertMessage(db: Db, row: NewMessage): void {
  statement(
    db,
    `insert into messages (account_id, message_id, uuid, email, recipient_type, from_email, from_name, subject, custom_id, event_payload,
       campaign, campaign_id, contact_id, is_open_tracked, is_click_tracked, is_html_part_included, is_text_part_included,
       attachment_count, message_size, bounce_hard, arrived_at)
     values (@accountId, @messageId, @uuid, @email, @recipientType, @fromEmail, @fromName, @subject, @customId, @eventPayload,
       @campaign, @campaignId, @contactId, @isOpenTracked, @isClickTracked, @isHtmlPartIncluded, @isTextPartIncluded,
       @attachmentCount, @messageSize, @bounceHard, @arrivedAt)`,
  ).run({
    ...row,
    isOpenTracked: Number(row.isOpenTracked),
    isClickTracked: Number(row.isClickTracked),
    isHtmlPartIncluded: Number(row.isHtmlPartIncluded),
    isTextPartIncluded: Number(row.isTextPartIncluded),
    bounceHard: row.bounceHard === null ? null : Number(row.bounceHard),
  });
}

/** Whether the account already sent a message of `campaign` to `email` (for DeduplicateCampaign). @example campaignHasRecipient(db, 1000001, 'spring', 'a@x.com') // false */
export function campaignHasRecipient(db: Db, accountId: number, campaign: string, email: string): boolean {
  return (
    statement(db, 'select 1 from messages where account_id = ? and campaign = ? and email = ? collate nocase limit 1').get(accountId, campaign, email) !==
    undefined
  );
}

/** One message of the account by MessageID (decimal text), with its status as of `now`. @example getMessage(db, accountId, '576460752303423489', clock.now())?.lastEvent // 'open' */
export function getMessage(db: Db, accountId: number, messageId: string, now: number): MessageRecord | undefined {
  const row = statement(db, `select m.*, ${LAST_EVENT} as last_event from messages m where m.account_id = @accountId and m.message_id = @messageId`).get({
    accountId,
    messageId,
    now,
  }) as MessageRow | undefined;
  return row && toRecord(row);
}

function filtered(filter: MessageFilter): { sql: string; params: Record<string, unknown> } {
  const where = ['m.account_id = @accountId'];
  const params: Record<string, unknown> = {};
  if (filter.customId !== undefined) (where.push('m.custom_id = @customId'), (params.customId = filter.customId));
  if (filter.campaignId !== undefined) (where.push('m.campaign_id = @campaignId'), (params.campaignId = filter.campaignId));
  if (filter.contactId !== undefined) (where.push('m.contact_id = @contactId'), (params.contactId = filter.contactId));
  if (filter.fromTs !== undefined) (where.push('m.arrived_at >= @fromTs'), (params.fromTs = filter.fromTs));
  if (filter.toTs !== undefined) (where.push('m.arrived_at <= @toTs'), (params.toTs = filter.toTs));
  let sql = `select m.*, ${LAST_EVENT} as last_event from messages m where ${where.join(' and ')}`;
  if (filter.status) {
    const outer = [filter.status.lastEvent === null ? 'last_event is null' : 'last_event = @lastEvent'];
    if (filter.status.lastEvent !== null) params.lastEvent = filter.status.lastEvent;
    if (filter.status.bounceHard !== undefined) (outer.push('bounce_hard = @bounceHard'), (params.bounceHard = Number(filter.status.bounceHard)));
    sql = `select * from (${sql}) where ${outer.join(' and ')}`;
  }
  return { sql, params };
}

/** An account's messages matching `filter`, by `order`, with their status as of `now`. @example listMessages(db, accountId, { customId: 'order-1' }, { limit: 10, offset: 0, order: 'id', descending: false }, now) */
export function listMessages(
  db: Db,
  accountId: number,
  filter: MessageFilter,
  page: { limit: number; offset: number; order: 'id' | 'arrived_at'; descending: boolean },
  now: number,
): MessageRecord[] {
  const { sql, params } = filtered(filter);
  const direction = page.descending ? 'desc' : 'asc';
  const rows = statement(db, `${sql} order by ${page.order} ${direction}, id ${direction} limit @limit offset @offset`).all({
    ...params,
    accountId,
    now,
    limit: page.limit,
    offset: page.offset,
  }) as MessageRow[];
  return rows.map(toRecord);
}

/** How many of an account's messages match `filter` as of `now`. @example countMessages(db, accountId, { status: { lastEvent: null } }, now) // still queued */
export function countMessages(db: Db, accountId: number, filter: MessageFilter, now: number): number {
  const { sql, params } = filtered(filter);
  return (statement(db, `select count(*) as n from (${sql})`).get({ ...params, accountId, now }) as { n: number }).n;
}

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
