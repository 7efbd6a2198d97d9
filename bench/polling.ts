/**
 * Read paths at scale: the polling side (`GET /v3/REST/message`, `message/{ID}`, `messagehistory`) over
 * MESSAGES messages, then `GET /sim/deliveries` over DELIVERIES deliveries. Seeds a SQLite file through the
 * project's own storage verbs in transactions, then times each request through the real HTTP app
 * (`app.request`, routes, auth and JSON included). For each request it prints the median and worst time and
 * the longest single event-loop turn it took (the read is sliced, so that turn is what delivery would wait).
 * Targets: with 200,000 messages `Limit=100` < 20 ms, any filter with `countOnly` < 200 ms (< 50 ms with
 * 1,000,000 messages or more), `messagehistory/{ID}` < 5 ms; every `/sim/deliveries` filter (status, event type, URL, MessageID, recipient
 * email: one of 250,000 addresses, or the default recipient that a tenth of the events carry) < 20 ms at
 * 1,000,000 deliveries; no turn
 * over 250 ms.
 *
 *   npm run bench:polling [-- MESSAGES [DELIVERIES]]     (defaults 200000 1000000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import type { EventType } from '../src/core/event-types.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { insertDelivery } from '../src/db/deliveries.js';
import { seedStatus } from '../test/helpers/seed-status.js';
import { insertEvents, markRouted } from '../src/db/events.js';
import { fileMessages, filedThrough } from '../src/db/message-filing.js';
import { insertMessage, noteRoutedEvents } from '../src/db/messages.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { createApp } from '../src/http/app.js';
import { conditions, timed } from './bench-lib.js';

const MESSAGES = Number(process.argv[2] ?? 200_000);
const DELIVERIES = Number(process.argv[3] ?? 1_000_000);
const RUNS = 7;
/** Messages a filter reads row by row: those sent since the filer's last pass (one second at 20,000 sends/s). */
const UNFILED = 20_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const MESSAGE_BASE = 1n << 59n;

const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-polling-'));
const db = openDb(join(dir, 'polling.db'));
const clock = createClock({ mode: 'manual', factor: 1 }, T0 + 86_400_000);
const settings = defaultSettings();
const engine = new Engine(db, clock, settings, createHttpTransport(settings.concurrency));
const [account] = ensureAccounts(db, [{ publicKey: 'benchkey', secretKey: 'benchsecret' }], T0);
const accountId = account!.id;
const app = createApp({ db, clock, engine, settings, seed: 'bench' });
const authorization = `Basic ${Buffer.from('benchkey:benchsecret').toString('base64')}`;

console.log(`polling: ${conditions()}`);
console.log(`  database: a SQLite file (WAL) in ${tmpdir()}; requests through app.request (routes, auth, JSON); ${RUNS} runs each, after two warm-ups`);

/** Times GET `path` RUNS times; prints median, worst and the longest event-loop turn. */
async function measure(path: string, target?: number): Promise<void> {
  const get = async () => {
    const res = await app.request(path, { headers: { authorization } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.text();
  };
  await get();
  await get();
  const runs: { ms: number; turnMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(get));
  const sorted = runs.map((run) => run.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const worst = sorted.at(-1) as number;
  const turn = Math.max(...runs.map((run) => run.turnMs));
  const verdict = target === undefined ? '' : median < target ? `  ok (< ${target} ms)` : `  MISSED (target < ${target} ms)`;
  console.log(`  ${path.padEnd(62)} median ${median.toFixed(1).padStart(7)} ms  worst ${worst.toFixed(1).padStart(7)} ms  longest turn ${turn.toFixed(1).padStart(6)} ms${verdict}`);
}

/** Seeds MESSAGES messages as Send API traffic would leave them: lifecycles routed, statuses noted. */
function seedMessages(db: Db): { sampleId: string } {
  const start = performance.now();
  const BATCH = 10_000;
  for (let from = 0; from < MESSAGES; from += BATCH) {
    inTransaction(db, () => {
      for (let n = from; n < Math.min(MESSAGES, from + BATCH); n++) {
        // 50 recipients per clock millisecond, as a burst of sends on a fast clock would leave them.
        const arrivedAt = T0 + Math.floor(n / 50);
        const messageId = String(MESSAGE_BASE + BigInt(n + 1));
        const email = `user${n}@${['example.com', 'example.org', 'mail.test'][n % 3]}`;
        insertMessage(db, {
          accountId,
          messageId,
          uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
          email,
          recipientType: 'To',
          fromEmail: n % 10 === 0 ? 'news@letters.test' : 'shop@example.com',
          fromName: 'Shop',
          subject: 'Your order',
          customId: `order-${n % 1000}`,
          eventPayload: '',
          campaign: n % 4 === 0 ? 'spring' : '',
          campaignId: n % 4 === 0 ? 7 : 0,
          contactId: 1 + (n % 50_000),
          isOpenTracked: true,
          isClickTracked: true,
          isHtmlPartIncluded: true,
          isTextPartIncluded: true,
          attachmentCount: 0,
          messageSize: 1200,
          bounceHard: n % 50 === 7 ? n % 100 === 7 : null,
          arrivedAt,
        });
        const lifecycle: EventType[] = n % 50 === 7 ? ['bounce'] : n % 10 === 3 ? ['sent', 'open', 'click'] : n % 3 === 1 ? ['sent', 'open'] : ['sent'];
        const events = lifecycle.map((eventType, i) => ({
          accountId,
          eventType,
          occurredAt: arrivedAt + 30_000 + i * 600_000,
          payload: JSON.stringify({ event: eventType, email, MessageID: messageId, error: eventType === 'bounce' ? 'user unknown' : undefined }),
          messageId,
          email,
        }));
        const ids = insertEvents(db, events, arrivedAt);
        markRouted(db, ids);
        noteRoutedEvents(db, events.map((event, i) => ({ ...event, id: ids[i] as number })));
      }
    });
  }
  console.log(`  seeded ${MESSAGES.toLocaleString('en')} messages with their routed events in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  // As the filer leaves them a moment after a burst of sends: all filed but the newest UNFILED.
  const filing = performance.now();
  const target = Math.max(0, MESSAGES - UNFILED);
  while (filedThrough(db) < target) fileMessages(db, Math.min(50_000, target - filedThrough(db)));
  console.log(`  filed all but the newest ${Math.min(UNFILED, MESSAGES).toLocaleString('en')} in ${((performance.now() - filing) / 1000).toFixed(1)} s (read row by row by a filter)`);
  return { sampleId: String(MESSAGE_BASE + BigInt(Math.floor(MESSAGES / 2) + 4)) };
}

const TYPES: EventType[] = ['sent', 'open', 'click', 'bounce', 'spam', 'blocked', 'unsub'];

/** Seeds DELIVERIES Version 1 deliveries over seven URLs, mostly delivered, a few failed or pending. */
function seedDeliveries(db: Db): { url: string; sentUrl: string; messageId: string } {
  const start = performance.now();
  const urls = TYPES.map((eventType) =>
    insertCallbackUrl(db, accountId, { eventType, isBackup: false, status: 'alive', url: `http://127.0.0.1:9/${eventType}`, version: 1 }, T0),
  );
  const BATCH = 20_000;
  for (let from = 0; from < DELIVERIES; from += BATCH) {
    inTransaction(db, () => {
      for (let n = from; n < Math.min(DELIVERIES, from + BATCH); n++) {
        // Most events are sent/open; the rest rarer, as real traffic.
        const t = n % 20 < 9 ? 0 : n % 20 < 15 ? 1 : n % 20 < 18 ? 2 : 3 + (n % 4);
        const eventType = TYPES[t] as EventType;
        const messageId = String(900_000_000 + (n % 300_000));
        // A tenth to the default recipient (events sent without one), the rest spread over 250,000 addresses.
        const email = n % 10 === 0 ? 'recipient@example.com' : `user${n % 250_000}@example.com`;
        const [eventId] = insertEvents(db, [{ accountId, eventType, occurredAt: T0 + n, payload: '{}', messageId, email }], T0 + n);
        markRouted(db, [eventId as number]);
        const id = insertDelivery(
          db,
          {
            accountId,
            callbackUrlId: urls[t]!.id,
            version: 1,
            status: 'pending',
            eventIds: [eventId as number],
            eventTypes: [eventType],
            nextAttemptAt: T0 + n,
            groupClosesAt: null,
            parentId: null,
            reason: null,
          },
          T0 + n,
        );
        const status = n % 1000 === 17 ? 'failed' : n % 500 === 3 ? 'pending' : 'delivered';
        seedStatus(db, { id, accountId: accountId }, status, { attemptCount: 1, nextAttemptAt: status === 'pending' ? T0 + n + 30_000 : null }, T0 + n);
      }
    });
  }
  console.log(`  seeded ${DELIVERIES.toLocaleString('en')} deliveries (with their events) in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return { url: urls[2]!.url, sentUrl: urls[0]!.url, messageId: String(900_000_000 + 150_000) };
}

try {
  const { sampleId } = seedMessages(db);
  const half = Math.floor(MESSAGES / 2);
  console.log(`\n  GET /v3/REST/message… over ${MESSAGES.toLocaleString('en')} messages`);
  await measure('/v3/REST/message?Limit=100', 20);
  await measure('/v3/REST/message?Limit=1000');
  await measure('/v3/REST/message?Sort=ID+DESC&Limit=100', 20);
  await measure('/v3/REST/message?Sort=ArrivedAt+DESC&Limit=100', 20);
  await measure(`/v3/REST/message?Limit=100&Offset=${half}`);
  await measure(`/v3/REST/message?Sort=ArrivedAt&Limit=100&Offset=${half}`);
  await measure('/v3/REST/message?MessageStatus=2&Limit=100', 20);
  await measure('/v3/REST/message?MessageStatus=clicked&Limit=100', 20);
  await measure('/v3/REST/message?countOnly=1', 200);
  for (const filter of [
    'MessageStatus=sent',
    'MessageStatus=2',
    'MessageStatus=opened',
    'MessageStatus=clicked',
    'MessageStatus=hardbounced',
    'MessageStatus=queued',
    'CustomID=order-42',
    'Campaign=7',
    'Contact=42',
    `FromTS=${Math.floor(T0 / 1000) + 600}&ToTS=${Math.floor(T0 / 1000) + 1200}`,
    'From=news@letters.test',
    'FromDomain=letters.test',
    'SenderID=1',
    'Destination=1',
    'MessageState=1',
    'MessageStatus=sent&Campaign=7',
    'MessageStatus=sent&Contact=42',
    // A status with the sender or domain that most messages share: the status minus the other keys.
    'MessageStatus=sent&From=shop@example.com',
    'MessageStatus=opened&FromDomain=example.com',
  ]) {
    await measure(`/v3/REST/message?${filter}&countOnly=1`, MESSAGES >= 1_000_000 ? 50 : 200);
  }
  // Pages by filter, in both orders (a contact's few messages by arrival time are sorted in memory).
  for (const query of ['Contact=42&Limit=100', 'CustomID=order-42&Limit=100&Offset=500', 'MessageStatus=sent&From=shop@example.com&Limit=100', 'Contact=42&Sort=ArrivedAt+DESC&Limit=10', 'Campaign=7&Sort=ArrivedAt+DESC&Limit=100']) {
    await measure(`/v3/REST/message?${query}`, MESSAGES >= 1_000_000 ? 50 : 200);
  }
  await measure(`/v3/REST/message/${sampleId}`, 5);
  await measure(`/v3/REST/messagehistory/${sampleId}`, 5);
  await measure(`/v3/REST/messagehistory?Message=${sampleId}`, 5);

  if (DELIVERIES > 0) {
    const { url, sentUrl, messageId } = seedDeliveries(db);
    const mid = Math.floor(DELIVERIES / 2);
    console.log(`\n  GET /sim/deliveries… over ${DELIVERIES.toLocaleString('en')} deliveries (limit 100)`);
    for (const query of [
      '',
      'status=failed',
      'status=pending',
      'status=delivered',
      'status=suppressed',
      'eventType=open',
      'eventType=unsub',
      `url=${encodeURIComponent(url)}`,
      `url=${encodeURIComponent(url)}&status=failed`,
      `messageId=${messageId}`,
      'email=user123%40example.com',
      'email=user123%40example.com&status=delivered',
      'email=recipient%40example.com',
      'email=recipient%40example.com&status=failed',
      'email=recipient%40example.com&eventType=open',
      // A busy recipient and what it never had (it gets only sent and open, never fails nor waits here): each
      // must stay an index seek or a walk of the smaller side, not a walk of a large set that finds nothing.
      'email=recipient%40example.com&eventType=unsub',
      'email=recipient%40example.com&eventType=click',
      'email=recipient%40example.com&eventType=open&status=failed',
      'email=recipient%40example.com&status=pending',
      'email=recipient%40example.com&status=delivered',
      `email=recipient%40example.com&url=${encodeURIComponent(url)}`,
      `email=recipient%40example.com&url=${encodeURIComponent(sentUrl)}`,
      `email=recipient%40example.com&url=${encodeURIComponent(url)}&status=failed`,
      `email=recipient%40example.com&messageId=${messageId}`,
      `email=recipient%40example.com&messageId=${String(BigInt(messageId) + 1n)}`,
      `email=recipient%40example.com&before=${mid}`,
      'status=failed&eventType=click',
      'status=delivered&eventType=blocked',
      `before=${mid}`,
      `after=${mid}`,
      `status=failed&before=${mid}`,
      `eventType=click&after=${mid}`,
      'offset=10000',
    ]) {
      await measure(`/sim/deliveries?limit=100${query ? `&${query}` : ''}`, query.startsWith('offset') ? undefined : 20);
    }
    // Key paging through ten pages of failed deliveries, each page from the last ID of the one before.
    let before: number | undefined;
    const pages = await timed(async () => {
      for (let page = 0; page < 10; page++) {
        const res = await app.request(`/sim/deliveries?status=failed&limit=100${before ? `&before=${before}` : ''}`, { headers: { authorization } });
        const body = (await res.json()) as { deliveries: { id: number }[] };
        before = body.deliveries.at(-1)?.id;
        if (before === undefined) break;
      }
    });
    console.log(`  10 pages of status=failed by key (before=last ID)                 total   ${pages.ms.toFixed(1).padStart(7)} ms  longest turn ${pages.turnMs.toFixed(1)} ms`);
  }
} finally {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
