/**
 * The deliveries panel's filter and page, read from the page's query string so that a filtered view is a
 * shareable URL. A value that makes no sense is left out with a message shown on the page (never a 500):
 * the page is for people, who are better served by the rest of the view than by an error.
 */
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../core/delivery-state.js';
import { EVENT_TYPES, isEventType } from '../../core/event-types.js';
import { PARSE_DELIVERY_TYPE } from '../../db/inbound-messages.js';

/** What the deliveries panel lists. `from` is the 1-based position of the page's first row (display only). */
export interface DeliveryQuery {
  status?: DeliveryStatus;
  event?: string;
  /** One of the viewer's callback URLs, by ID (the URL text itself never goes into a link). */
  url?: number;
  message?: string;
  /** A recipient: deliveries that carried an event to this address (any case). */
  email?: string;
  before?: number;
  after?: number;
  from: number;
}

/** The query parameters the panel understands. */
const KEYS = ['status', 'event', 'url', 'message', 'email', 'before', 'after', 'from'] as const;

const positiveInt = (text: string): number | undefined => (/^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : undefined);

/**
 * Reads the panel's query; `problems` lists what was ignored and why.
 *
 * @example
 * parseDeliveryQuery({ status: 'failed', before: '120' }, [3]).query // { status: 'failed', before: 120, from: 1 }
 * parseDeliveryQuery({ status: 'lost' }, []).problems // ['Ignored status "lost": one of pending, …']
 */
export function parseDeliveryQuery(raw: Record<string, string>, urlIds: readonly number[]): { query: DeliveryQuery; problems: string[] } {
  const query: DeliveryQuery = { from: 1 };
  const problems: string[] = [];
  const value = (key: string) => (raw[key] === undefined || raw[key].trim() === '' ? undefined : raw[key].trim());
  const status = value('status');
  if (status !== undefined) {
    if ((DELIVERY_STATUSES as readonly string[]).includes(status)) query.status = status as DeliveryStatus;
    else problems.push(`Ignored status "${status}": one of ${DELIVERY_STATUSES.join(', ')}`);
  }
  const event = value('event');
  if (event !== undefined) {
    // `parse`: the Parse API's deliveries of inbound mail.
    if (isEventType(event) || event === PARSE_DELIVERY_TYPE) query.event = event;
    else problems.push(`Ignored event type "${event}": one of ${EVENT_TYPES.join(', ')}`);
  }
  const url = value('url');
  if (url !== undefined) {
    const id = positiveInt(url);
    if (id !== undefined && urlIds.includes(id)) query.url = id;
    else problems.push(`Ignored URL "${url}": not one of your callback URLs`);
  }
  const message = value('message');
  if (message !== undefined) {
    if (/^\d{1,20}$/.test(message)) query.message = BigInt(message).toString();
    else problems.push(`Ignored MessageID "${message}": a MessageID is a number`);
  }
  const email = value('email');
  if (email !== undefined) {
    if (email.length <= 254) query.email = email.toLowerCase();
    else problems.push('Ignored email: an address has at most 254 characters');
  }
  for (const key of ['before', 'after', 'from'] as const) {
    const text = value(key);
    if (text === undefined) continue;
    const n = positiveInt(text);
    if (n === undefined) problems.push(`Ignored ${key} "${text}": a positive whole number`);
    else query[key] = n;
  }
  return { query, problems };
}

/**
 * The page's URL for `query` with `changes` applied (undefined removes a key). Paging keys are dropped
 * unless given, so a new filter starts at the newest delivery.
 *
 * @example
 * deliveriesLink({ status: 'failed', before: 9, from: 51 }, { status: 'pending' }) // '/?status=pending'
 */
export function deliveriesLink(query: DeliveryQuery, changes: Partial<DeliveryQuery>): string {
  const next: Partial<DeliveryQuery> = { ...query, before: undefined, after: undefined, from: undefined, ...changes };
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const v = next[key];
    if (v !== undefined && !(key === 'from' && v === 1)) params.set(key, String(v));
  }
  const text = params.toString();
  return text ? `/?${text}` : '/';
}
