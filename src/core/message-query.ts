/**
 * The filters of `GET /v3/REST/message` (reference §5): names are case-insensitive as on Mailjet, values
 * are checked, and an unknown filter is refused rather than silently ignored. Pure.
 */
import { MESSAGE_STATUSES, statusCondition, type MessageStatus } from './message-shapes.js';
import type { EventType } from './event-types.js';

export interface MessageQuery {
  readonly filter: {
    customId?: string;
    campaignId?: number;
    contactId?: number;
    fromTs?: number;
    toTs?: number;
    status?: { lastEvent: EventType | null; bounceHard?: boolean };
  };
  readonly show: { showSubject: boolean; showCustomId: boolean; showContactAlt: boolean };
  readonly page: { limit: number; offset: number; order: 'id' | 'arrived_at'; descending: boolean };
  readonly countOnly: boolean;
}

const MAX_LIMIT = 1000;
const FILTER_NAMES = ['CustomID', 'Campaign', 'Contact', 'FromTS', 'ToTS', 'MessageStatus', 'ShowSubject', 'ShowCustomID', 'ShowContactAlt', 'Limit', 'Offset', 'Sort', 'countOnly'];

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
        const status = value.toLowerCase();
        if (!(MESSAGE_STATUSES as readonly string[]).includes(status)) return bad(`one of ${MESSAGE_STATUSES.join(', ')}`);
        filter.status = statusCondition(status as MessageStatus);
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

/** Unix seconds or an ISO time, as epoch ms. @example timestampMs('1767225600') // 1767225600000 */
export function timestampMs(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
