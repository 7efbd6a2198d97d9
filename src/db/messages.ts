/**
 * The `messages` table: what the Send API created, one row per recipient. A message's status is its latest
 * routed event, noted on its row as events are routed (`noteRoutedEvents`), so polling and webhooks agree
 * and a status filter is an index range. Lists and counts by filter are in message-listing.ts.
 */
import type { EventType } from '../core/event-types.js';
import { stateIdOf, type MessageRecord } from '../core/message-shapes.js';
import { filedThrough } from './message-filing.js';
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
  /** The mail's RFC 5322 Message-ID (see `headerMessageIdOf`); null for rows written without one. */
  headerMessageId?: string | null;
  /** `api` when absent. */
  source?: MessageSource;
}

/** How a message arrived: the Send API or the SMTP relay. */
export type MessageSource = 'api' | 'smtp';

/** A `messages` row as SQLite returns it. */
export interface MessageRow {
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

/** A row as the polling side's record. */
export const toRecord = (row: MessageRow): MessageRecord => ({
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
       attachment_count, message_size, bounce_hard, arrived_at, header_message_id, source)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    row.headerMessageId ?? null,
    row.source ?? 'api',
  );
}

/** A stored message as a reply to its mail needs it: whose it is and what its events carry. */
export interface MessageByHeaderId {
  readonly accountId: number;
  readonly messageId: string;
  readonly uuid: string;
  readonly email: string;
  readonly customId: string;
  readonly eventPayload: string;
  readonly campaign: string;
  readonly source: MessageSource;
}

/**
 * The messages (one per recipient, oldest first) of the mail with this RFC 5322 Message-ID, in every
 * account: a reply names the mail it answers by it (`In-Reply-To`, `References`). Angle brackets are
 * optional in `headerMessageId`. Filed messages are found through their index; the newest, not yet filed
 * (a second's worth while the filer runs), are read by row ID: a send no longer pays a random index page.
 *
 * @example
 * findMessagesByHeaderMessageId(db, '<4f1c…@mjsim.local>')[0]?.customId // 'order-42'
 */
export function findMessagesByHeaderMessageId(db: Db, headerMessageId: string): MessageByHeaderId[] {
  const bare = headerMessageId.trim().replace(/^<|>$/g, '');
  const columns = 'id, account_id, message_id, uuid, email, custom_id, event_payload, campaign, source';
  const rows = statement(
    db,
    `select ${columns} from messages where header_message_id = @id and filed = 1 and header_message_id is not null
     union all
     select ${columns} from messages where id > @filedThrough and filed = 0 and header_message_id = @id
     order by id`,
  ).all({ id: `<${bare}>`, filedThrough: filedThrough(db) }) as { account_id: number; message_id: string; uuid: string; email: string; custom_id: string; event_payload: string; campaign: string; source: MessageSource }[];
  return rows.map((row) => ({
    accountId: row.account_id,
    messageId: row.message_id,
    uuid: row.uuid,
    email: row.email,
    customId: row.custom_id,
    eventPayload: row.event_payload,
    campaign: row.campaign,
    source: row.source,
  }));
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
 * One statement however many events: only each message's latest among them can win, so only it is written.
 * Only a bounce's or a block's payload is read (its error gives the state); others may have none.
 *
 * @example
 * noteRoutedEvents(db, dueEvents); // a routed 'open' makes its message 'opened'
 */
export function noteRoutedEvents(
  db: Db,
  events: readonly { id: number; accountId: number; eventType: string; occurredAt: number; messageId: string | null; payload: string | null }[],
): void {
  const latest = new Map<string, (typeof events)[number]>();
  for (const event of events) {
    if (event.messageId === null) continue;
    const key = `${event.accountId}|${event.messageId}`;
    const seen = latest.get(key);
    if (!seen || seen.occurredAt < event.occurredAt || (seen.occurredAt === event.occurredAt && seen.id < event.id)) latest.set(key, event);
  }
  if (latest.size === 0) return;
  const rows = [...latest.values()].map((event) => {
    const type = event.eventType as EventType;
    const stateId = type === 'bounce' || type === 'blocked' ? stateIdOf(type, (JSON.parse(event.payload ?? '{}') as { error?: unknown }).error) : 0;
    return [event.messageId, event.accountId, type, event.occurredAt, event.id, stateId];
  });
  statement(
    db,
    `update messages set last_event = k.value ->> 2, last_event_at = k.value ->> 3, last_event_id = k.value ->> 4, state_id = k.value ->> 5
      from json_each(?) k
      where messages.message_id = k.value ->> 0 and messages.account_id = k.value ->> 1
        and (messages.last_event_id is null or messages.last_event_at < k.value ->> 3
          or (messages.last_event_at = k.value ->> 3 and messages.last_event_id < k.value ->> 4))`,
  ).run(JSON.stringify(rows));
}

/** One message of the account by MessageID (decimal text), with its status. @example getMessage(db, accountId, '576460752303423489')?.lastEvent // 'open' */
export function getMessage(db: Db, accountId: number, messageId: string): MessageRecord | undefined {
  const row = statement(db, 'select * from messages where message_id = ? and account_id = ?').get(messageId, accountId) as MessageRow | undefined;
  return row && toRecord(row);
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

/**
 * The messages whose events a delivery carries, and how each arrived (the Send API or the SMTP relay).
 * Events injected with `/sim/events` belong to no stored message and are not listed.
 *
 * @example
 * messagesOfDelivery(db, 1) // [{ messageId: '576460752303423489', source: 'smtp' }]
 */
export function messagesOfDelivery(db: Db, deliveryId: number): { messageId: string; source: MessageSource }[] {
  const rows = statement(
    db,
    `select m.message_id as messageId, m.source as source from delivery_events de
       join events e on e.id = de.event_id
       join messages m on m.message_id = e.message_id
      where de.delivery_id = ?`,
  ).all(deliveryId) as { messageId: string; source: MessageSource }[];
  // A Version 2 delivery may carry several events of one message: one row per message, in order.
  const seen = new Map(rows.map((row) => [row.messageId, row]));
  return [...seen.values()];
}
