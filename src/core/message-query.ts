/**
 * The filters of `GET /v3/REST/message` (docs/mailjet-api.md#the-polling-side): names are case-insensitive as on Mailjet, values
 * are checked, and an unknown filter is refused rather than silently ignored. `MessageStatus`, `FromType`
 * and `MessageState` take node-mailjet's numeric enum codes as well as names. Pure.
 */
import { statusCondition, type MessageStatus } from './message-shapes.js';
import type { EventType } from './event-types.js';

/**
 * `MessageStatus` codes in node-mailjet's enum order (index = code). `processed` and `deferred` are states
 * mjsim never produces, so they match no message; `bounce` matches hard and soft bounces.
 */
export const MESSAGE_STATUS_CODES = ['processed', 'queued', 'sent', 'opened', 'clicked', 'bounce', 'spam', 'unsub', 'blocked', 'softbounce', 'hardbounce', 'deferred'] as const;

export interface MessageQuery {
  readonly filter: {
    customId?: string;
    campaignId?: number;
    contactId?: number;
    fromTs?: number;
    toTs?: number;
    /** null: the filter matches no message (a state mjsim never produces). */
    status?: { lastEvent: EventType | null; bounceHard?: boolean } | null;
    /** `From`: the sender's address, case-insensitive. */
    fromEmail?: string;
    /** `FromDomain`: the sender address's domain, case-insensitive. */
    fromDomain?: string;
    /** `SenderID` / `FromID`: the `SenderID` the message object shows. */
    senderId?: number;
    /** `Destination`: the `DestinationID` the message object shows. */
    destinationId?: number;
    /** `MessageState`: the `StateID` the message object shows. */
    stateId?: number;
    /** `FromType` other than 1 (transactional): every mjsim message is transactional, so none match. */
    none?: true;
  };
  readonly show: { showSubject: boolean; showCustomId: boolean; showContactAlt: boolean };
  readonly page: { limit: number; offset: number; order: 'id' | 'arrived_at'; descending: boolean };
  readonly countOnly: boolean;
}

const MAX_LIMIT = 1000;
const FILTER_NAMES = [
  'CustomID', 'Campaign', 'Contact', 'FromTS', 'ToTS', 'MessageStatus', 'MessageState', 'From', 'FromDomain', 'FromID', 'SenderID', 'FromType',
  'Destination', 'PlanSubscription', 'ShowSubject', 'ShowCustomID', 'ShowContactAlt', 'Limit', 'Offset', 'Sort', 'countOnly',
];
const FROM_TYPES = ['transactional', 'marketing', 'unknown'];

/**
 * Parses the query; `{ ok: false }` carries a message naming the filter and what it allows.
 *
 * @example
 * parseMessageQuery({ CustomID: ['order-1'], ShowSubject: ['true'], Limit: ['5'] })
 * // { ok: true, query: { filter: { customId: 'order-1' }, show: { showSubject: true, … }, page: { limit: 5, … }, countOnly: false } }
 */
export function parseMessageQuery(raw: Record<string, string[]>): { ok: true; query: MessageQuery } | { ok: false; message: string } {
  const filter: MessageQuery['filter'] = {};
  const show = { showSubject: false, showCustomId: false, showContactAlt: false };
  const page: MessageQuery['page'] = { limit: 10, offset: 0, order: 'id', descending: false };
  let countOnly = false;
  for (const [name, values] of Object.entries(raw)) {
    const value = (values.at(-1) ?? '').trim();
    const bad = (allowed: string) => ({ ok: false as const, message: `Invalid value "${value}" for filter "${name}": expected ${allowed}` });
    const integer = () => (/^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined);
    const bool = () => (/^(true|1)$/i.test(value) ? true : /^(false|0)$/i.test(value) ? false : undefined);
    switch (name.toLowerCase()) {
      case 'customid':
        filter.customId = value;
        break;
      case 'campaign':
      case 'contact': {
        const id = integer();
        if (id === undefined) return bad('a numeric ID');
        if (name.toLowerCase() === 'campaign') filter.campaignId = id;
        else filter.contactId = id;
        break;
      }
      case 'fromts':
      case 'tots': {
        const ms = timestampMs(value);
        if (ms === undefined) return bad('a Unix timestamp in seconds or an ISO 8601 time');
        if (name.toLowerCase() === 'fromts') filter.fromTs = ms;
        else filter.toTs = ms;
        break;
      }
      case 'messagestatus': {
        const status = messageStatusFilter(value);
        if (status === undefined) return bad(`a code from 0 to 11 or one of ${MESSAGE_STATUS_CODES.join(', ')}, hardbounced, softbounced`);
        filter.status = status;
        break;
      }
      case 'fromtype': {
        const code = integer() ?? FROM_TYPES.indexOf(value.toLowerCase()) + 1;
        if (code < 1 || code > 3) return bad('1 (transactional), 2 (marketing) or 3 (unknown)');
        if (code !== 1) filter.none = true;
        break;
      }
      case 'from':
        filter.fromEmail = value;
        break;
      case 'fromdomain':
        filter.fromDomain = value.replace(/^@/, '');
        break;
      // PlanSubscription: mjsim has no plans, so it is checked and ignored (docs/mailjet-api.md, the polling side).
      case 'senderid':
      case 'fromid':
      case 'destination':
      case 'messagestate':
      case 'plansubscription': {
        const id = integer();
        if (id === undefined) return bad('a numeric ID');
        const key = name.toLowerCase();
        if (key === 'destination') filter.destinationId = id;
        else if (key === 'messagestate') filter.stateId = id;
        else if (key !== 'plansubscription') filter.senderId = id;
        break;
      }
      case 'showsubject':
      case 'showcustomid':
      case 'showcontactalt':
      case 'countonly': {
        const flag = bool();
        if (flag === undefined) return bad('true or false');
        const key = name.toLowerCase();
        if (key === 'countonly') countOnly = flag;
        else if (key === 'showsubject') show.showSubject = flag;
        else if (key === 'showcustomid') show.showCustomId = flag;
        else show.showContactAlt = flag;
        break;
      }
      case 'limit': {
        const limit = integer();
        if (limit === undefined || limit > MAX_LIMIT) return bad(`an integer from 0 to ${MAX_LIMIT} (0 means ${MAX_LIMIT})`);
        page.limit = limit === 0 ? MAX_LIMIT : limit;
        break;
      }
      case 'offset': {
        const offset = integer();
        if (offset === undefined) return bad('a whole number');
        page.offset = offset;
        break;
      }
      case 'sort': {
        const match = /^(ID|ArrivedAt)(?:[\s+](ASC|DESC))?$/i.exec(value);
        if (!match) return bad('ID or ArrivedAt, optionally followed by ASC or DESC');
        page.order = (match[1] as string).toLowerCase() === 'id' ? 'id' : 'arrived_at';
        page.descending = (match[2] ?? '').toUpperCase() === 'DESC';
        break;
      }
      default:
        return { ok: false, message: `Unknown filter "${name}": allowed filters are ${FILTER_NAMES.join(', ')}` };
    }
  }
  return { ok: true, query: { filter, show, page, countOnly } };
}

/**
 * A `MessageStatus` value (code or name) as a condition on the latest event; null matches nothing,
 * undefined is not a status.
 *
 * @example
 * messageStatusFilter('2')         // { lastEvent: 'sent' }
 * messageStatusFilter('softbounce') // { lastEvent: 'bounce', bounceHard: false }
 */
export function messageStatusFilter(value: string): MessageQuery['filter']['status'] | undefined {
  const name = /^\d+$/.test(value) ? MESSAGE_STATUS_CODES[Number(value)] : value.toLowerCase();
  switch (name) {
    case undefined:
      return undefined;
    case 'processed':
    case 'deferred':
      return null;
    case 'bounce':
    case 'bounced':
      return { lastEvent: 'bounce' };
    case 'softbounce':
    case 'softbounced':
      return statusCondition('softbounced');
    case 'hardbounce':
    case 'hardbounced':
      return statusCondition('hardbounced');
    case 'queued':
    case 'sent':
    case 'opened':
    case 'clicked':
    case 'spam':
    case 'unsub':
    case 'blocked':
      return statusCondition(name as MessageStatus);
    default:
      return undefined;
  }
}

/** Unix seconds or an ISO time, as epoch ms. @example timestampMs('1767225600') // 1767225600000 */
export function timestampMs(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
