/**
 * The delivery filter, read once for every door that lists deliveries: `GET /sim/deliveries`, the library's
 * `sim.deliveries()`, the dashboard's panel and `mjsim deliveries`. Each field is read on its own, so the
 * dashboard can drop a bad one and show the rest while the other doors refuse the whole query; every door
 * words the same problem its own way (a 400, a `SimulatorError`, "Ignored …" on the page, exit 2). Query
 * strings give text and the library gives numbers or bigints: both are read here. Pure.
 */
import { DELIVERY_STATUSES, type DeliveryStatus } from './delivery-state.js';
import { MAX_EMAIL_LENGTH } from './emit-input.js';
import { EVENT_TYPES, isEventType, type EventType } from './event-types.js';

/** The event type of the Parse API's deliveries of inbound mail (they carry no Mailjet event). */
export const PARSE_DELIVERY_TYPE = 'parse';

/** The fields a filter may give, as every door names them in its own words (`event` is the dashboard's `eventType`). */
export const FILTER_FIELDS = ['status', 'eventType', 'url', 'messageId', 'email', 'limit', 'offset', 'before', 'after'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** A filter as given, before it is read: text from a query string, or the library's typed values. */
export type DeliveryFilterInput = Partial<Record<FilterField, unknown>>;

/** A filter as read: only what was given, in the shapes storage takes. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: EventType | typeof PARSE_DELIVERY_TYPE;
  /** The callback URL as registered… */
  url?: string;
  /** …or its ID (a URL is never all digits). */
  callbackUrlId?: number;
  /** Canonical digits (no leading zeros). */
  messageId?: string;
  /** Trimmed and lower-cased: a recipient matches in any case. */
  email?: string;
  limit?: number;
  offset?: number;
  before?: number;
  after?: number;
}

/** What is wrong with one field: its name, the value as given (shown), and what it accepts. */
export interface FilterProblem {
  field: FilterField;
  given: string;
  expected: string;
}

const MAX_MESSAGE_ID = (1n << 64n) - 1n;

/** Names as people read them in a message (`Invalid event type "x"`). */
const LABELS: Readonly<Record<FilterField, string>> = {
  status: 'status',
  eventType: 'event type',
  url: 'URL',
  messageId: 'MessageID',
  email: 'email',
  limit: 'limit',
  offset: 'offset',
  before: 'before',
  after: 'after',
};

/** Whole-number fields and their ranges: `limit` and `offset` bound the cost of one page. */
const RANGES = {
  limit: [1, 1000],
  offset: [0, 100_000],
  before: [1, Number.MAX_SAFE_INTEGER],
  after: [0, Number.MAX_SAFE_INTEGER],
} as const;

type Reader = (value: unknown, filter: DeliveryFilter) => string | null;

const wholeNumber = (field: keyof typeof RANGES): Reader => {
  const [min, max] = RANGES[field];
  const expected = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  return (value, filter) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || Object.is(n, -0) || n < min || n > max) return expected;
    filter[field] = n;
    return null;
  };
};

/** One reader per field: `null` when it was read into the filter, else what the field accepts. */
const READERS: Readonly<Record<FilterField, Reader>> = {
  status(value, filter) {
    if (!(DELIVERY_STATUSES as readonly unknown[]).includes(value)) return `one of ${DELIVERY_STATUSES.join(', ')}`;
    filter.status = value as DeliveryStatus;
    return null;
  },
  eventType(value, filter) {
    if (!isEventType(value) && value !== PARSE_DELIVERY_TYPE) return `one of ${EVENT_TYPES.join(', ')}, or ${PARSE_DELIVERY_TYPE} (Parse API deliveries)`;
    filter.eventType = value;
    return null;
  },
  url(value, filter) {
    if (typeof value !== 'string' || value.trim() === '') return 'a callback URL as registered, or its ID';
    if (/^\d{1,15}$/.test(value)) filter.callbackUrlId = Number(value);
    else filter.url = value;
    return null;
  },
  messageId(value, filter) {
    const id =
      typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : -1n;
    if (id < 0n || id > MAX_MESSAGE_ID) return 'a MessageID (a whole number)';
    filter.messageId = id.toString();
    return null;
  },
  email(value, filter) {
    const email = typeof value === 'string' ? value.trim() : '';
    if (email === '' || email.length > MAX_EMAIL_LENGTH) return `a recipient address of 1 to ${MAX_EMAIL_LENGTH} characters`;
    filter.email = email.toLowerCase();
    return null;
  },
  limit: wholeNumber('limit'),
  offset: wholeNumber('offset'),
  before: wholeNumber('before'),
  after: wholeNumber('after'),
};

/** A value as a message shows it: text as typed (cut at 100 characters), anything else as JSON would. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/**
 * Reads a delivery filter: every field given (not `undefined`) is checked; good ones fill `filter`, bad ones
 * are listed in `problems`. A door that refuses bad input refuses when `problems` is not empty.
 *
 * @example
 * readDeliveryFilter({ status: 'failed', messageId: '007', limit: '20' }).filter // { status: 'failed', messageId: '7', limit: 20 }
 * readDeliveryFilter({ status: 'lost' }).problems // [{ field: 'status', given: 'lost', expected: 'one of pending, …' }]
 */
export function readDeliveryFilter(input: DeliveryFilterInput): { filter: DeliveryFilter; problems: FilterProblem[] } {
  const filter: DeliveryFilter = {};
  const problems: FilterProblem[] = [];
  for (const field of FILTER_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    const expected = READERS[field](value, filter);
    if (expected !== null) problems.push({ field, given: shown(value), expected });
  }
  return { filter, problems };
}

/**
 * A problem as one phrase, for the doors that speak in sentences: `status "lost": one of pending, …`.
 *
 * @example
 * `Invalid ${filterProblemText(problem)}` // 'Invalid status "lost": one of pending, in_flight, …'
 */
export function filterProblemText(problem: FilterProblem): string {
  return `${LABELS[problem.field]} ${JSON.stringify(problem.given)}: ${problem.expected}`;
}
