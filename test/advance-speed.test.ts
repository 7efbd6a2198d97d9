/**
 * One advance of the manual clock through spread-out traffic claims work ahead of the visible clock (engine
 * speed) and must stay exact: every attempt starts at its scheduled time, retries count from the previous
 * attempt's scheduled time, a message's events reach a URL in clock order, a URL suspended at T gets nothing
 * scheduled after T, the same run twice records the same attempts, the summary counts every attempt, and a
 * running advance can be cancelled. Real SQLite files, real receivers on 127.0.0.1 that answer after varied
 * (deterministic) latencies to provoke reordering; no test waits on wall time for a retry.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildEventPayload } from '../src/core/event-payload.js';
import type { EventType } from '../src/core/event-types.js';
import { parseJson } from '../src/core/json.js';
import { retryDelay, RETRY_POLICIES } from '../src/core/retry-policy.js';
import { awaitNext } from './helpers/await-next.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
let dir: string;
let sim: TestSim | undefined;
const receivers: LatencyReceiver[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-advance-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One request as the receiver saw it: the payload's event, MessageID (text), time, and the arrival order. */
interface Arrival {
  event: string;
  messageId: string;
  time: number;
  body: string;
}

interface LatencyReceiver {
  url: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

/**
 * A receiver that answers each request after `answer(...)`'s latency with its status. `seen` counts earlier
 * arrivals of the same event of the same message, so "fail the first two tries" is deterministic whatever the
 * interleaving.
 */
async function latencyReceiver(answer: (arrival: Arrival, seen: number) => { status: number; delayMs: number }): Promise<LatencyReceiver> {
  const arrivals: Arrival[] = [];
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const payload = parseJson(body) as { event: string; MessageID: bigint | number; time: number };
      const arrival = { event: payload.event, messageId: String(payload.MessageID), time: payload.time, body };
      arrivals.push(arrival);
      const key = `${arrival.messageId}|${arrival.event}`;
      const count = seen.get(key) ?? 0;
      seen.set(key, count + 1);
      const { status, delayMs } = answer(arrival, count);
      setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('ok'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  receivers.push(receiver);
  return receiver;
}

/** Opens are answered slowly, clicks and sents quickly: a naive claim-ahead lets a click overtake its open. */
const latencyOf = (arrival: Arrival) => (arrival.event === 'open' ? 15 + (Number(arrival.messageId.slice(-2)) % 10) : Number(arrival.messageId.slice(-1)) % 3);

async function register(eventType: string, url: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await (sim as TestSim).api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: eventType, Url: url, ...extra } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { Data: { ID: number }[] }).Data[0]!.ID;
}

function accountId(s: TestSim): number {
  return (s.server.db.$client.prepare('select id from accounts order by id limit 1').get() as { id: number }).id;
}

/** Stores an event of message `messageId` at clock time `at` (routed when an advance reaches it). */
function eventAt(s: TestSim, type: EventType, messageId: bigint, at: number): void {
  const payload = buildEventPayload(type, { email: `m${messageId}@example.com` }, { time: at, messageId, messageGuid: `guid-${messageId}`, random: () => 0.5 });
  s.server.engine.accept(accountId(s), [{ type, payload, occurredAt: at }]);
}

/** `Map.groupBy` (Node 21+) for Node 20. */
function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

interface AttemptRow {
  deliveryId: number;
  number: number;
  scheduledAt: number;
  startedAt: number;
  endedAt: number;
  outcome: string;
  httpStatus: number | null;
  url: string;
  eventType: string;
  messageId: string;
  occurredAt: number;
  parentId: number | null;
}

/** Every attempt with the (first) event of its delivery. */
function attempts(s: TestSim): AttemptRow[] {
  return s.server.db.$client
    .prepare(
      `select a.delivery_id as deliveryId, a.number, a.scheduled_at as scheduledAt, a.started_at as startedAt, a.ended_at as endedAt,
              a.outcome, a.http_status as httpStatus, a.url, e.event_type as eventType, e.message_id as messageId, e.occurred_at as occurredAt,
              d.parent_id as parentId
         from attempts a join deliveries d on d.id = a.delivery_id
         join delivery_events de on de.delivery_id = d.id and de.position = 0 join events e on e.id = de.event_id
        order by a.id`,
    )
    .all() as AttemptRow[];
}

describe('one advance through an hour of spread traffic', () => {
  it('starts every attempt at its scheduled time, retries from the scheduled time, and keeps each message in clock order', async () => {
    sim = await startTestSim({ db: join(dir, 'exact.db'), concurrency: '64', urlConcurrency: '64' });
    const s = sim;
    // Messages whose number ends in 0 and whose sent lies in [10 min, 20 min) fail twice per event, then succeed.
    const failing = (arrival: Arrival) => Number(arrival.messageId.slice(-1)) === 0 && arrival.time * 1000 >= T0 + 10 * MINUTE && arrival.time * 1000 < T0 + 25 * MINUTE;
    const receiver = await latencyReceiver((arrival, seen) => ({ status: failing(arrival) && seen < 2 ? 500 : 200, delayMs: latencyOf(arrival) }));
    for (const type of ['sent', 'open', 'click']) await register(type, receiver.url);

    // 300 messages over 50 minutes: sent, open 1–9 min later, click 1–25 s after the open (inside one horizon).
    const sends = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const messageId = 1_000_000n + BigInt(i);
      const sent = T0 + i * 10 * SECOND + 7;
      const open = sent + MINUTE + ((i * 7_919) % (8 * MINUTE)) + 3;
      const click = open + SECOND + ((i * 104_729) % (24 * SECOND));
      eventAt(s, 'sent', messageId, sent);
      eventAt(s, 'open', messageId, open);
      if (i % 3 !== 2) eventAt(s, 'click', messageId, click);
      sends.set(String(messageId), sent);
    }

    const summary = await s.server.engine.advance(T0 + 2 * 60 * MINUTE);
    expect(summary.to).toBe(new Date(T0 + 2 * 60 * MINUTE).toISOString());
    const rows = attempts(s);
    const events = 300 + 300 + 200;
    const failedTwice = [...receiver.arrivals.filter((a) => failing(a))].length;
    expect(failedTwice).toBeGreaterThan(30);
    expect(rows).toHaveLength(receiver.arrivals.length);
    expect(summary).toMatchObject({ attempts: rows.length, successes: events, failures: rows.length - events, urlsSuspended: 0 });

    // Exact times: start = end = scheduled; attempt 1 at the event's time; each retry from the previous scheduled time.
    const policy = RETRY_POLICIES['mailjet-2017']!;
    const byDelivery = groupBy(rows, (row) => row.deliveryId);
    for (const row of rows) {
      expect(row.startedAt).toBe(row.scheduledAt);
      expect(row.endedAt).toBe(row.scheduledAt);
    }
    for (const list of byDelivery.values()) {
      expect(list[0]!.number).toBe(1);
      expect(list[0]!.scheduledAt).toBe(list[0]!.occurredAt);
      for (let n = 1; n < list.length; n++) {
        expect(list[n]!.number).toBe(n + 1);
        expect(list[n]!.scheduledAt).toBe(list[n - 1]!.scheduledAt + retryDelay(policy, n + 1)!);
      }
    }
    // Event times unchanged: each body's `time` is its event's clock second.
    const occurred = new Map(rows.map((row) => [`${row.messageId}|${row.eventType}`, row.occurredAt]));
    for (const arrival of receiver.arrivals) expect(arrival.time).toBe(Math.floor(occurred.get(`${arrival.messageId}|${arrival.event}`)! / 1000));

    // Order per message: what reached the URL, in arrival order, is the message's attempts in clock order.
    const arrivedByMessage = groupBy(receiver.arrivals, (arrival) => arrival.messageId);
    const attemptsByMessage = groupBy(rows, (row) => row.messageId);
    expect(arrivedByMessage.size).toBe(300);
    for (const [messageId, arrived] of arrivedByMessage) {
      const inClockOrder = [...attemptsByMessage.get(messageId)!].sort((a, b) => a.scheduledAt - b.scheduledAt).map((row) => row.eventType);
      expect(arrived.map((arrival) => arrival.event), `message ${messageId}`).toEqual(inClockOrder);
    }
  });

  it('suspends a URL at its clock time T: attempts scheduled after T go to the backup, none reach the suspended URL', async () => {
    sim = await startTestSim({ db: join(dir, 'suspend.db'), concurrency: '64', urlConcurrency: '64', policy: 'custom:10s*2,suspend' });
    const s = sim;
    const doomed = 2_000_000n;
    const primary = await latencyReceiver((arrival) => ({ status: arrival.messageId === String(doomed) ? 503 : 200, delayMs: latencyOf(arrival) }));
    const backup = await latencyReceiver((arrival) => ({ status: 200, delayMs: latencyOf(arrival) }));
    const primaryId = await register('open', primary.url);
    await register('open', backup.url, { IsBackup: true });

    // The doomed message fails at 1 s, 11 s and 21 s: the URL is suspended at T = 21.001 s.
    eventAt(s, 'open', doomed, T0 + SECOND + 1);
    const T = T0 + 21 * SECOND + 1;
    const times = [2, 5, 9, 12, 15, 18, 20, 21, 22, 25, 29, 33, 40, 47, 60, 90, 120].map((second) => T0 + second * SECOND + 7);
    times.forEach((at, i) => eventAt(s, 'open', 2_000_001n + BigInt(i), at));

    const summary = await s.server.engine.advance(T0 + 5 * MINUTE);
    expect(summary.urlsSuspended).toBe(1);
    const suspendedAt = (s.server.db.$client.prepare('select status, updated_at as at from callback_urls where id = ?').get(primaryId) as { status: string; at: number });
    expect(suspendedAt).toEqual({ status: 'dead', at: T });

    const before = times.filter((at) => at <= T).map((at) => Math.floor(at / 1000));
    const after = times.filter((at) => at > T).map((at) => Math.floor(at / 1000));
    expect(before.length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(5);
    const primaryTimes = primary.arrivals.filter((a) => a.messageId !== String(doomed)).map((a) => a.time);
    expect(primaryTimes.sort()).toEqual(before);
    expect(primary.arrivals.filter((a) => a.messageId === String(doomed))).toHaveLength(3);
    expect(backup.arrivals.map((a) => a.time).sort()).toEqual([Math.floor((T0 + SECOND + 1) / 1000), ...after].sort());
    // Every attempt at its scheduled time, on both sides of T; the hand-over of the doomed delivery at T.
    for (const row of attempts(s)) expect(row.startedAt).toBe(row.scheduledAt);
    const handed = attempts(s).find((row) => row.messageId === String(doomed) && row.parentId !== null)!;
    expect(handed.scheduledAt).toBe(T);
  });

  it('with one URL failing for every message, records what stepping the clock would: attempts before T on it, the rest handed over at T', async () => {
    sim = await startTestSim({ db: join(dir, 'suspend-all.db'), concurrency: '64', urlConcurrency: '64', policy: 'custom:10s*2,suspend' });
    const s = sim;
    const primary = await latencyReceiver((arrival) => ({ status: 500, delayMs: latencyOf(arrival) }));
    const backup = await latencyReceiver((arrival) => ({ status: 200, delayMs: latencyOf(arrival) }));
    await register('open', primary.url);
    await register('open', backup.url, { IsBackup: true });
    // The first message's attempts at 1 s, 11 s and 21 s suspend the URL at T = 21.001 s; 30 more every 1.3 s.
    const firstAt = T0 + SECOND + 1;
    const T = firstAt + 20 * SECOND;
    const starts = [firstAt, ...Array.from({ length: 30 }, (_, i) => T0 + 1_500 + i * 1_300)];
    starts.forEach((at, i) => eventAt(s, 'open', 7_000_000n + BigInt(i), at));
    await s.server.engine.advance(T0 + 5 * MINUTE);

    const rows = attempts(s);
    expect(rows.some((row) => row.outcome === 'url-gone')).toBe(false);
    for (const row of rows) expect(row.startedAt).toBe(row.scheduledAt);
    for (const [i, start] of starts.entries()) {
      const messageId = String(7_000_000n + BigInt(i));
      const mine = rows.filter((row) => row.messageId === messageId);
      const onPrimary = mine.filter((row) => row.parentId === null);
      const onBackup = mine.filter((row) => row.parentId !== null);
      if (start > T) {
        // Routed after the suspension: straight to the backup at its own time.
        expect(onPrimary.map((row) => [row.scheduledAt, row.url.includes(new URL(backup.url).port)])).toEqual([[start, true]]);
        continue;
      }
      // Stepping the clock: attempts at start, +10 s, +20 s while at or before T, then handed over at T.
      const expected = [start, start + 10 * SECOND, start + 20 * SECOND].filter((at) => at <= T);
      expect(onPrimary.map((row) => row.scheduledAt), `message ${i}`).toEqual(expected);
      expect(onBackup.map((row) => row.scheduledAt), `message ${i}`).toEqual([T]);
    }
  });
});

describe('Version 2 groups during an advance', () => {
  it('close on their clock second: every group holds exactly the events of its second and goes out when it closes', async () => {
    sim = await startTestSim({ db: join(dir, 'groups.db'), concurrency: '64', urlConcurrency: '64', maxBatch: '500' });
    const s = sim;
    const receiver = latencyReceiverV2();
    const url = (await receiver).url;
    await register('open', url, { Version: 2 });
    await register('click', url, { Version: 2 });
    // 2,500 events in the first 12 s (more than one routing batch), then bursts of 1–6 events a few
    // hundred ms apart, every 7 s for 40 minutes.
    // (One event just before them shifts the groups' seconds off the routing batch's edge.)
    const times: number[] = [T0 + 1_700, ...Array.from({ length: 2_500 }, (_, i) => T0 + 2 * SECOND + i * 4 + 1)];
    for (let burst = 2; burst < 340; burst++) {
      for (let k = 0; k < 1 + (burst % 6); k++) times.push(T0 + burst * 7 * SECOND + ((burst * 331 + k * 173) % 1_900));
    }
    times.forEach((at, i) => eventAt(s, i % 2 ? 'open' : 'click', 6_000_000n + BigInt(i), at));
    await s.server.engine.advance(T0 + 60 * MINUTE);

    const groups = s.server.db.$client
      .prepare(
        `select d.id, a.scheduled_at as scheduledAt, a.started_at as startedAt, min(e.occurred_at) as first, max(e.occurred_at) as last, count(*) as n
           from deliveries d join attempts a on a.delivery_id = d.id join delivery_events de on de.delivery_id = d.id join events e on e.id = de.event_id
          group by d.id order by d.id`,
      )
      .all() as { scheduledAt: number; startedAt: number; first: number; last: number; n: number }[];
    expect(groups.reduce((sum, group) => sum + group.n, 0)).toBe(times.length);
    for (const group of groups) {
      expect(group.last).toBeLessThan(group.first + 1_000);
      expect(group.scheduledAt).toBe(group.first + 1_000);
      expect(group.startedAt).toBe(group.scheduledAt);
      // Nothing of its second went elsewhere.
      expect(group.n).toBe(times.filter((at) => at >= group.first && at < group.first + 1_000).length);
    }
  });
});

/** A receiver for Version 2 arrays: answers 200 after a short latency. */
async function latencyReceiverV2(): Promise<{ url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), 3));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receivers.push({
    url: '',
    arrivals: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2` };
}

describe('determinism', () => {
  it('the same seeded sends and the same advance on a fresh database record the same attempts', async () => {
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ seed: 7, sent: { delay: ['1s', '5s'] }, open: { delay: ['1m', '30m'] }, click: { delay: ['5s', '2m'] } }));
    const run = async (name: string) => {
      sim = await startTestSim({ db: join(dir, name), concurrency: '64', urlConcurrency: '64', scenarioFile: scenario });
      const s = sim;
      // Deterministic answers: every fourth message fails its first two tries of each event.
      const receiver = await latencyReceiver((arrival, seen) => ({ status: BigInt(arrival.messageId) % 4n === 0n && seen < 2 ? 500 : 200, delayMs: latencyOf(arrival) }));
      for (const type of ['sent', 'open', 'click']) await register(type, receiver.url);
      const html = '<p>Hi</p><a href="https://example.com/offer">offer</a>';
      for (let batch = 0; batch < 3; batch++) {
        const messages = Array.from({ length: 40 }, (_, i) => ({
          From: { Email: 'shop@example.com' },
          To: [{ Email: `u${batch}-${i}@example.com` }],
          Subject: 'Hello',
          HTMLPart: html,
          Headers: { 'X-MJSim-Scenario': 'open, click' },
        }));
        const res = await s.api('/v3.1/send', { method: 'POST', json: { Messages: messages } });
        expect(res.status).toBe(200);
        await s.server.engine.advance(T0 + (batch + 1) * 7 * SECOND);
      }
      const summary = await s.server.engine.advance(T0 + 2 * 60 * MINUTE);
      const rows = attempts(s).map((row) => [row.messageId, row.eventType, row.number, row.scheduledAt, row.startedAt, row.outcome, row.httpStatus].join(' '));
      await s.close();
      sim = undefined;
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
      return { summary, rows: rows.sort() };
    };
    const first = await run('determinism-1.db');
    const second = await run('determinism-2.db');
    expect(first.rows.length).toBeGreaterThan(360);
    expect(first.rows.some((row) => row.endsWith(' 500'))).toBe(true);
    expect(second.rows).toEqual(first.rows);
    expect(second.summary).toEqual(first.summary);
  });
});

describe('the summary, cancelling and progress', () => {
  it('counts the attempts already due when the advance began', async () => {
    sim = await startTestSim({ db: join(dir, 'count.db') });
    const receiver = await latencyReceiver(() => ({ status: 500, delayMs: 0 }));
    await register('bounce', receiver.url);
    const res = await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'due@example.com' } });
    expect(res.status).toBe(201);
    // Attempt 1 is due now (perhaps already in flight); the advance counts it with the 10 retries of 30 s.
    const summary = await sim.server.engine.advance(T0 + 5 * MINUTE);
    expect(summary).toMatchObject({ attempts: 11, successes: 0, failures: 11, urlsSuspended: 0 });
  });

  it('DELETE /sim/clock/advance cancels a long advance; the clock stops where all earlier work is done, and a new advance finishes exactly', async () => {
    sim = await startTestSim({ db: join(dir, 'cancel.db'), concurrency: '8', urlConcurrency: '8' });
    const s = sim;
    const receiver = await latencyReceiver((arrival) => ({ status: 200, delayMs: 2 + (Number(arrival.messageId.slice(-1)) % 3) }));
    await register('open', receiver.url);
    for (let i = 0; i < 400; i++) eventAt(s, 'open', 3_000_000n + BigInt(i), T0 + i * 15 * SECOND + 5);

    const clocks: number[] = [];
    s.server.engine.on('clock', ({ now }) => clocks.push(now));
    const advancing = s.api('/sim/clock/advance', { method: 'POST', json: { by: '3h' } });
    // Cancel once some attempts are done (an engine event, not a wall-clock wait).
    await awaitNext(s.server.engine, 'attempt', 60);
    const progress = (await (await s.api('/sim/clock')).json()) as { nowMs: number; attemptsMade: number };
    expect(progress.attemptsMade).toBeGreaterThanOrEqual(60);
    expect(progress.nowMs).toBeGreaterThan(T0);
    const cancelled = await s.api('/sim/clock/advance', { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    const summary = (await cancelled.json()) as { cancelled: boolean; attempts: number; to: string };
    expect((await (await advancing).json()) as object).toEqual(summary);
    expect(summary.cancelled).toBe(true);
    expect(summary.attempts).toBeLessThan(400);

    // A consistent point: every attempt scheduled before the clock is done; nothing is in flight.
    const stoppedAt = Date.parse(summary.to);
    expect(s.server.clock.now()).toBe(stoppedAt);
    const done = attempts(s);
    expect(done).toHaveLength(summary.attempts);
    const pendingBefore = s.server.db.$client.prepare(`select count(*) as n from deliveries where status != 'delivered' and next_attempt_at < ?`).get(stoppedAt) as { n: number };
    expect(pendingBefore.n).toBe(0);
    expect(s.server.engine.attemptsInFlight).toBe(0);
    expect(clocks.length).toBeGreaterThan(0);
    expect(clocks).toEqual([...clocks].sort((a, b) => a - b));
    expect(Math.max(...clocks)).toBe(stoppedAt);

    // Nothing to cancel now; a new advance continues and ends exactly.
    expect((await s.api('/sim/clock/advance', { method: 'DELETE' })).status).toBe(409);
    const rest = (await (await s.api('/sim/clock/advance', { method: 'POST', json: { to: new Date(T0 + 3 * 60 * MINUTE).toISOString() } })).json()) as { attempts: number };
    expect(rest.attempts + summary.attempts).toBe(400);
    const all = attempts(s);
    expect(all).toHaveLength(400);
    for (const row of all) expect(row.startedAt).toBe(row.scheduledAt);
    expect(receiver.arrivals).toHaveLength(400);
  });

  it('a client that goes away cancels its advance; the dashboard shows the progress and cancels too', async () => {
    sim = await startTestSim({ db: join(dir, 'disconnect.db'), concurrency: '4', urlConcurrency: '4' });
    const s = sim;
    const receiver = await latencyReceiver(() => ({ status: 200, delayMs: 2 }));
    await register('open', receiver.url);
    for (let i = 0; i < 300; i++) eventAt(s, 'open', 5_000_000n + BigInt(i), T0 + i * 20 * SECOND + 1);
    const target = T0 + 3 * 60 * MINUTE;
    const attemptsSeen = (count: number) => awaitNext(s.server.engine, 'attempt', count);

    // 1. The client disconnects mid-advance.
    const request = http.request(`${s.server.url}/sim/clock/advance`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('testpublickey0000000000000000001:testsecretkey0000000000000000001').toString('base64')}`, 'content-type': 'application/json' },
    });
    request.on('error', () => undefined);
    request.end(JSON.stringify({ to: new Date(target).toISOString() }));
    await attemptsSeen(30);
    request.destroy();
    // Advances run one at a time: this one (to the clock's own time) waits for the cancelled one to end.
    await s.server.engine.advance(s.server.clock.now());
    const afterDisconnect = attempts(s).length;
    expect(afterDisconnect).toBeGreaterThanOrEqual(30);
    expect(afterDisconnect).toBeLessThan(300);
    expect(s.server.clock.now()).toBeLessThan(target);

    // 2. The dashboard shows the running advance and its Cancel button, and cancels it.
    const dashboard = (path: string, method: string, body?: unknown) =>
      fetch(`${s.server.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const running = dashboard('/dashboard/clock/advance', 'POST', { by: '3h' });
    await attemptsSeen(20);
    const panels = await (await dashboard('/dashboard/panels', 'GET')).text();
    expect(panels).toMatch(/advancing to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?Z: \d+ attempt\(s\) made/);
    expect(panels).toContain('data-action="cancel-advance"');
    const cancelled = (await (await dashboard('/dashboard/clock/advance', 'DELETE')).json()) as { cancelled: boolean; message: string };
    expect(cancelled).toMatchObject({ cancelled: true, message: expect.stringMatching(/^advance cancelled, clock at /) });
    expect(((await (await running).json()) as { cancelled: boolean }).cancelled).toBe(true);
    expect(await (await dashboard('/dashboard/panels', 'GET')).text()).not.toContain('cancel-advance');

    // 3. The rest, exactly.
    await s.server.engine.advance(target);
    const all = attempts(s);
    expect(all).toHaveLength(300);
    for (const row of all) expect(row.startedAt).toBe(row.scheduledAt);
  });

  it('takes an AbortSignal in the library', async () => {
    sim = await startTestSim({ db: join(dir, 'abort.db'), concurrency: '4', urlConcurrency: '4' });
    const s = sim;
    const receiver = await latencyReceiver(() => ({ status: 200, delayMs: 1 }));
    await register('open', receiver.url);
    for (let i = 0; i < 200; i++) eventAt(s, 'open', 4_000_000n + BigInt(i), T0 + i * 20 * SECOND + 1);
    const controller = new AbortController();
    let made = 0;
    s.server.engine.on('attempt', () => {
      if (++made === 20) controller.abort();
    });
    const summary = await s.server.engine.advance(T0 + 2 * 60 * MINUTE, { signal: controller.signal });
    expect(summary.cancelled).toBe(true);
    expect(summary.attempts).toBeGreaterThanOrEqual(20);
    expect(summary.attempts).toBeLessThan(200);
    expect(receiver.arrivals).toHaveLength(summary.attempts);
  });
});
