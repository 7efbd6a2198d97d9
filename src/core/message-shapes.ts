/**
 * The polling side's shapes (docs/mailjet-api.md#the-polling-side): a message's `Status` from the last event
 * that has happened on the clock, the `message` object, and `messagehistory` rows. Field names follow a
 * recorded `GET /v3/REST/message` answer (mailjet-apiv3-go's tests). Pure.
 */
import { stableId, type EventPayload } from './event-payload.js';
import type { EventType } from './event-types.js';

/** A stored message as the shapes need it. */
export interface MessageRecord {
  readonly messageId: string;
  readonly uuid: string;
  readonly email: string;
  readonly fromEmail: string;
  readonly subject: string;
  readonly customId: string;
  readonly campaignId: number;
  readonly contactId: number;
  readonly isOpenTracked: boolean;
  readonly isClickTracked: boolean;
  readonly isHtmlPartIncluded: boolean;
  readonly isTextPartIncluded: boolean;
  readonly attachmentCount: number;
  readonly messageSize: number;
  /** Clock time of the send, epoch ms. */
  readonly arrivedAt: number;
  /** Type of the latest event that has happened by now, or null (still queued). */
  readonly lastEvent: EventType | null;
  /** For a bounce: whether it was hard. */
  readonly bounceHard: boolean | null;
  /** `StateID` of a bounce or blocked last event (see `stateIdOf`), else 0. */
  readonly stateId: number;
}

/** node-mailjet's `MessageState` enum: the bounce/blocked `error` texts, code = index + 1. */
const MESSAGE_STATES = [
  'user unknown', 'mailbox inactive', 'quota exceeded', 'invalid domain', 'no mail host', 'relay/access denied', 'sender blocked',
  'content blocked', 'policy issue', 'system issue', 'protocol issue', 'connection issue', 'greylisted', 'preblocked',
  'duplicate in campaign', 'spam preblocked', 'bad or empty template', 'error in template language', 'typofix', 'blacklisted', 'spam reporter',
];

/**
 * The `StateID` (node-mailjet `MessageState` code) of a bounce or blocked event's `error`; 0 for others.
 *
 * @example
 * stateIdOf('bounce', 'user unknown') // 1
 * stateIdOf('open', undefined)        // 0
 */
export function stateIdOf(eventType: EventType, error: unknown): number {
  if (eventType !== 'bounce' && eventType !== 'blocked') return 0;
  return typeof error === 'string' ? MESSAGE_STATES.indexOf(error.toLowerCase()) + 1 : 0;
}

export const MESSAGE_STATUSES = ['queued', 'sent', 'opened', 'clicked', 'hardbounced', 'softbounced', 'spam', 'unsub', 'blocked'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * A message's `Status` from its latest event.
 *
 * @example
 * messageStatus('click', null) // 'clicked'
 * messageStatus(null, null)    // 'queued'
 */
export function messageStatus(lastEvent: EventType | null, bounceHard: boolean | null): MessageStatus {
  if (lastEvent === null) return 'queued';
  switch (lastEvent) {
    case 'sent':
      return 'sent';
    case 'open':
      return 'opened';
    case 'click':
      return 'clicked';
    case 'bounce':
      return bounceHard === false ? 'softbounced' : 'hardbounced';
    case 'spam':
      return 'spam';
    case 'unsub':
      return 'unsub';
    case 'blocked':
      return 'blocked';
  }
}

/**
 * What a `MessageStatus` filter selects: the latest event type (null: none yet) and, for bounces, hardness.
 *
 * @example
 * statusCondition('softbounced') // { lastEvent: 'bounce', bounceHard: false }
 */
export function statusCondition(status: MessageStatus): { lastEvent: EventType | null; bounceHard?: boolean } {
  switch (status) {
    case 'queued':
      return { lastEvent: null };
    case 'opened':
      return { lastEvent: 'open' };
    case 'clicked':
      return { lastEvent: 'click' };
    case 'hardbounced':
      return { lastEvent: 'bounce', bounceHard: true };
    case 'softbounced':
      return { lastEvent: 'bounce', bounceHard: false };
    case 'sent':
    case 'spam':
    case 'unsub':
    case 'blocked':
      return { lastEvent: status };
  }
}

/** Epoch ms as Mailjet writes times: `2020-10-08T06:36:35Z`. @example mailjetTime(0) // '1970-01-01T00:00:00Z' */
export function mailjetTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 19)}Z`;
}

/** The message object's `SenderID`: stable per sender address (0 without one). @example senderIdOf('shop@example.com') // 123457 */
export function senderIdOf(fromEmail: string): number {
  return fromEmail ? stableId(`sender:${fromEmail}`, 1_000_000) : 0;
}

/** The message object's `DestinationID`: stable per recipient domain. @example destinationIdOf('a@example.com') === destinationIdOf('b@example.com') // true */
export function destinationIdOf(email: string): number {
  return stableId(`domain:${email.slice(email.lastIndexOf('@') + 1)}`, 1_000_000);
}

/**
 * The `message` object. `Subject`, `CustomID` and `ContactAlt` are shown only when asked for
 * (`ShowSubject`, `ShowCustomID`, `ShowContactAlt`), as on Mailjet.
 *
 * @example
 * toMailjetMessage(record, { showSubject: true }).Status // 'opened'
 */
export function toMailjetMessage(record: MessageRecord, show: { showSubject?: boolean; showCustomId?: boolean; showContactAlt?: boolean } = {}) {
  const status = messageStatus(record.lastEvent, record.bounceHard);
  return {
    ArrivedAt: mailjetTime(record.arrivedAt),
    AttachmentCount: record.attachmentCount,
    AttemptCount: 0,
    CampaignID: record.campaignId,
    ContactAlt: show.showContactAlt ? record.email : '',
    ContactID: record.contactId,
    ...(show.showCustomId ? { CustomID: record.customId } : {}),
    Delay: 0,
    DestinationID: destinationIdOf(record.email),
    FilterTime: 0,
    ID: BigInt(record.messageId),
    IsClickTracked: record.isClickTracked,
    IsHTMLPartIncluded: record.isHtmlPartIncluded,
    IsOpenTracked: record.isOpenTracked,
    IsTextPartIncluded: record.isTextPartIncluded,
    IsUnsubTracked: false,
    MessageSize: record.messageSize,
    SenderID: senderIdOf(record.fromEmail),
    SpamassassinScore: 0,
    SpamassRules: '',
    StateID: record.stateId,
    StatePermanent: status === 'hardbounced' || status === 'blocked',
    Status: status,
    Subject: show.showSubject ? record.subject : '',
    UUID: record.uuid,
  };
}

/**
 * One `messagehistory` row for an event that has happened.
 *
 * @example
 * toHistoryRow('click', 1767225600000, { url: 'https://x.test/', agent: 'Mozilla/5.0 …' })
 * // { Comment: 'https://x.test/', EventAt: 1767225600, EventType: 'clicked', State: '', Useragent: 'Mozilla/5.0 …', UseragentID: … }
 */
export function toHistoryRow(eventType: EventType, occurredAt: number, payload: EventPayload) {
  const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
  const agent = ['open', 'click', 'unsub'].includes(eventType) ? text('agent') : '';
  return {
    Comment: eventType === 'click' ? text('url') : eventType === 'bounce' ? text('comment') : '',
    EventAt: Math.floor(occurredAt / 1000),
    EventType: eventType === 'open' ? 'opened' : eventType === 'click' ? 'clicked' : eventType,
    State: eventType === 'bounce' || eventType === 'blocked' ? text('error') : '',
    Useragent: agent,
    UseragentID: agent ? stableId(`agent:${agent}`, 100_000) : 0,
  };
}
