/**
 * A small Mailjet webhook consumer, the kind of app mjsim is for: a plain `node:http` server that keeps
 * opens and clicks, removes bounced, blocked, spam-reporting and unsubscribed addresses from its mailing
 * list, and processes each event once even when Mailjet delivers it again (a retry after a 500 or a
 * timeout). It listens on two paths so it can be registered as both the primary and the backup URL.
 *
 * Everything lives in memory to keep the example short; a real app would use its database, with the
 * idempotency key as a unique index and the event handling in the same transaction as the key's insert.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Mailjet event as the consumer reads it (MessageID kept as exact digits). */
export interface MailjetEvent {
  event: string;
  time: number;
  MessageID: string;
  email: string;
  url?: string;
  hard_bounce?: boolean;
  error?: string;
  [field: string]: unknown;
}

/** What the consumer has stored. */
export interface ConsumerStore {
  /** The mailing list. */
  contacts: Set<string>;
  /** Addresses removed from the list, with why. */
  suppressed: Map<string, string>;
  opens: { messageId: string; email: string; time: number }[];
  clicks: { messageId: string; email: string; url: string; time: number }[];
  /** Idempotency keys of processed events: `MessageID:event:time`. */
  processed: Set<string>;
  /** Events received again after they were processed. */
  duplicates: number;
}

export type Endpoint = 'primary' | 'backup';

/** A request the consumer received, and how it answered. */
export interface ReceivedCall {
  endpoint: Endpoint;
  events: MailjetEvent[];
  status: number;
}

/** A running consumer. */
export interface Consumer {
  /** Register this as the primary callback URL (with `user:password@` when the consumer has credentials). */
  readonly primaryUrl: string;
  /** Register this as the backup (`IsBackup: true`) callback URL. */
  readonly backupUrl: string;
  readonly store: ConsumerStore;
  readonly calls: ReceivedCall[];
  /** The next `count` requests are processed but answered 500 (as when a response is lost after the work was committed). */
  failAfterProcessing(count: number): void;
  /** Takes an endpoint down (answers 503 without processing) or brings it back. */
  setDown(endpoint: Endpoint, down: boolean): void;
  close(): Promise<void>;
}

const PATHS: Record<string, Endpoint> = { '/webhooks/mailjet': 'primary', '/webhooks/mailjet-backup': 'backup' };
const REMOVING = new Set(['blocked', 'spam', 'unsub']);

/**
 * Mailjet's MessageIDs are above 2^53: `JSON.parse` would round them. Quote them first so they stay exact.
 *
 * @example
 * parseEvents('{"event":"open","MessageID":576460752303423489}')[0].MessageID // '576460752303423489'
 */
export function parseEvents(body: string): MailjetEvent[] {
  const parsed = JSON.parse(body.replace(/("MessageID"\s*:\s*)(\d+)/g, '$1"$2"')) as MailjetEvent | MailjetEvent[];
  return (Array.isArray(parsed) ? parsed : [parsed]).map((event) => ({ ...event, MessageID: String(event.MessageID) }));
}

/**
 * Applies one event to the store once; returns false for a duplicate.
 *
 * @example
 * handleEvent(store, { event: 'open', time: 1767225600, MessageID: '1', email: 'a@example.com' }) // true
 * handleEvent(store, { event: 'open', time: 1767225600, MessageID: '1', email: 'a@example.com' }) // false
 */
export function handleEvent(store: ConsumerStore, event: MailjetEvent): boolean {
  const key = `${event.MessageID}:${event.event}:${event.time}`;
  if (store.processed.has(key)) {
    store.duplicates += 1;
    return false;
  }
  store.processed.add(key);
  const email = event.email.toLowerCase();
  if (event.event === 'open') store.opens.push({ messageId: event.MessageID, email, time: event.time });
  if (event.event === 'click') store.clicks.push({ messageId: event.MessageID, email, url: event.url ?? '', time: event.time });
  if ((event.event === 'bounce' && event.hard_bounce === true) || REMOVING.has(event.event)) {
    store.contacts.delete(email);
    store.suppressed.set(email, event.event === 'bounce' ? `hard bounce: ${event.error ?? 'unknown'}` : event.event);
  }
  return true;
}

/**
 * True when the request carries exactly these Basic credentials. Mailjet sends the `user:password@` of the
 * registered URL this way; without this check anyone who learns the URL could post a fake bounce.
 *
 * @example
 * hasCredentials(req.headers.authorization, 'hook:s3cret') // true for 'Basic aG9vazpzM2NyZXQ='
 */
export function hasCredentials(authorization: string | undefined, credentials: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Basic ${Buffer.from(credentials).toString('base64')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Starts the consumer on 127.0.0.1 (a free port unless `port` is given). With `credentials`
 * (`'user:password'`), requests without them are refused with 401 and the URLs carry them.
 *
 * @example
 * const consumer = await startConsumer({ contacts: ['a@example.com'], credentials: 'hook:s3cret' });
 * await sim.registerUrl({ eventType: 'bounce', url: consumer.primaryUrl }); // http://hook:s3cret@127.0.0.1:…/webhooks/mailjet
 */
export async function startConsumer(options: { contacts?: string[]; port?: number; credentials?: string } = {}): Promise<Consumer> {
  const store: ConsumerStore = {
    contacts: new Set(options.contacts ?? []),
    suppressed: new Map(),
    opens: [],
    clicks: [],
    processed: new Set(),
    duplicates: 0,
  };
  const calls: ReceivedCall[] = [];
  const down = new Set<Endpoint>();
  let failuresLeft = 0;

  const server = http.createServer((req, res) => {
    const endpoint = PATHS[new URL(req.url ?? '/', 'http://consumer').pathname];
    if (req.method !== 'POST' || !endpoint) {
      res.writeHead(404).end();
      return;
    }
    if (options.credentials !== undefined && !hasCredentials(req.headers.authorization, options.credentials)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="webhooks"' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, events: MailjetEvent[]) => {
        calls.push({ endpoint, events, status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'error');
      };
      if (down.has(endpoint)) return answer(503, []);
      let events: MailjetEvent[];
      try {
        events = parseEvents(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(400, []);
      }
      for (const event of events) handleEvent(store, event);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return answer(500, events);
      }
      answer(200, events);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const colon = options.credentials?.indexOf(':') ?? -1;
  const userinfo = options.credentials === undefined ? '' : `${encodeURIComponent(options.credentials.slice(0, colon))}:${encodeURIComponent(options.credentials.slice(colon + 1))}@`;
  const base = `http://${userinfo}127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    primaryUrl: `${base}/webhooks/mailjet`,
    backupUrl: `${base}/webhooks/mailjet-backup`,
    store,
    calls,
    failAfterProcessing(count) {
      failuresLeft = count;
    },
    setDown(endpoint, isDown) {
      if (isDown) down.add(endpoint);
      else down.delete(endpoint);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
