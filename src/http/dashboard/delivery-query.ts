/**
 * The deliveries panel's filter and page, read from the page's query string so that a filtered view is a
 * shareable URL. A value that makes no sense is left out with a message shown on the page (never a 500):
 * the page is for people, who are better served by the rest of the view than by an error.
 */
import { filterProblemText, readDeliveryFilter, type DeliveryFilterInput } from '../../core/delivery-filter.js';
import type { DeliveryStatus } from '../../core/delivery-state.js';

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

/**
 * Reads the panel's query; `problems` lists what was ignored and why.
 *
 * @example
 * parseDeliveryQuery({ status: 'failed', before: '120' }, [3]).query // { status: 'failed', before: 120, from: 1 }
 * parseDeliveryQuery({ status: 'lost' }, []).problems // ['Ignored status "lost": one of pending, …']
 */
export function parseDeliveryQuery(raw: Record<string, string>, urlIds: readonly number[]): { query: DeliveryQuery; problems: string[] } {
  // A form sends its empty fields: blank is "no filter" here, not a value to refuse.
  const value = (key: string) => (raw[key] === undefined || raw[key].trim() === '' ? undefined : raw[key].trim());
  const given: DeliveryFilterInput = { status: value('status'), eventType: value('event'), url: value('url'), messageId: value('message'), email: value('email'), before: value('before'), after: value('after') };
  const { filter, problems } = readDeliveryFilter(given);
  const query: DeliveryQuery = { status: filter.status, event: filter.eventType, message: filter.messageId, email: filter.email, before: filter.before, after: filter.after, from: 1 };
  const messages = problems.map((problem) => `Ignored ${filterProblemText(problem)}`);
  // The panel's own rule beside the filter's: a URL is named by the ID of one of the viewer's URLs, so a link never carries URL text.
  if (given.url !== undefined && !problems.some((problem) => problem.field === 'url')) {
    if (filter.callbackUrlId !== undefined && urlIds.includes(filter.callbackUrlId)) query.url = filter.callbackUrlId;
    else messages.push(`Ignored URL "${given.url}": not one of your callback URLs`);
  }
  const from = value('from');
  if (from !== undefined) {
    if (/^\d{1,15}$/.test(from) && Number(from) > 0) query.from = Number(from);
    else messages.push(`Ignored from "${from}": a positive whole number`);
  }
  return { query, problems: messages };
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
