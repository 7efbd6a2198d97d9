/**
 * A real `mjsim serve` child stopped with SIGTERM while an attempt is in flight: it waits for the attempt
 * and records it; a receiver that hangs past --stop-timeout leaves the attempt interrupted, retried at the
 * next start; a second signal exits at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, KEY, SECRET } from './helpers/sim.js';

let dir: string;
let file: string;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-stop-'));
  receiver = await startReceiver();
});
afterEach(() => killAllCli());
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

let run = 0;
const args = (stopTimeout: string) => ['--port', '0', '--db', file, '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`, '--attempt-timeout', '60s', '--stop-timeout', stopTimeout];

async function api(child: CliSim, path: string, body: unknown): Promise<Response> {
  return fetch(`${child.url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Registers `url` for bounces and emits one bounce, which is attempted at once. */
async function deliverOne(child: CliSim, url: string): Promise<void> {
  expect((await api(child, '/v3/REST/eventcallbackurl', { EventType: 'bounce', Url: url })).status).toBe(201);
  expect((await api(child, '/sim/events', { event: 'bounce', email: `stop${run}@example.com` })).status).toBe(201);
}

function rows(sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** A receiver that holds each request until `release(ms)` is called, then answers 200 `ms` later. */
async function heldReceiver(): Promise<{ url: string; arrived: Promise<void>; release(ms: number): void; close(): Promise<void> }> {
  let held: http.ServerResponse | undefined;
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const server = http.createServer((req, res) => {
    req.resume();
    held = res;
    arrive();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrived,
    release: (ms) => setTimeout(() => held?.end('ok'), ms),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('SIGTERM with an attempt in flight', () => {
  it('waits for a slow receiver and records the attempt as delivered, then exits 0', async () => {
    file = join(dir, `slow-${++run}.db`);
    const slow = await heldReceiver();
    const child = await startCli(args('20s'));
    await deliverOne(child, slow.url);
    await slow.arrived;
    const exited = child.stop('SIGTERM');
    await child.waitForOutput(/SIGTERM received/);
    // The answer comes only after the signal: a stop that did not wait would leave the attempt open.
    slow.release(300);
    expect(await exited).toBe(0);
    await slow.close();
    expect(rows('select outcome, http_status as status from attempts')).toEqual([{ outcome: 'success', status: 200 }]);
    expect(rows('select status from deliveries')).toEqual([{ status: 'delivered' }]);
  });

  it('leaves an attempt that outlives --stop-timeout interrupted, and retries it at the next start', async () => {
    file = join(dir, `hang-${++run}.db`);
    receiver.reply('hang');
    const child = await startCli(args('500ms'));
    await deliverOne(child, receiver.url);
    await receiver.waitFor(receiver.requests.length + 1);
    const started = performance.now();
    expect(await child.stop('SIGTERM')).toBe(0);
    // Generous bound: the stop gives up on the receiver instead of waiting for the 60 s attempt timeout.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(rows('select count(*) as open from attempts where ended_at is null')).toEqual([{ open: 1 }]);

    receiver.reply({ status: 200 });
    const seen = receiver.requests.length;
    const again = await startCli(args('500ms'));
    expect(again.stdout()).toMatch(/recovered 1 attempt interrupted/);
    await receiver.waitFor(seen + 1);
    expect(await again.stop('SIGTERM')).toBe(0);
    expect(rows('select number, outcome from attempts order by id')).toEqual([
      { number: 1, outcome: 'interrupted' }, // an interrupted attempt keeps its number: it is tried again
      { number: 1, outcome: 'success' },
    ]);
    expect(rows('select status from deliveries')).toEqual([{ status: 'delivered' }]);
  });

  it('exits at once on a second signal, leaving the attempt to the next start', async () => {
    file = join(dir, `twice-${++run}.db`);
    receiver.reply('hang');
    const child = await startCli(args('60s'));
    await deliverOne(child, receiver.url);
    await receiver.waitFor(receiver.requests.length + 1);
    const exited = child.stop('SIGTERM');
    await child.waitForOutput(/SIGTERM received/);
    const started = performance.now();
    child.child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(rows('select count(*) as open from attempts where ended_at is null')).toEqual([{ open: 1 }]);
    receiver.reply({ status: 200 });
  });
});

describe('the library: sim.close()', () => {
  it('lets an attempt in flight finish and records it before closing the database', async () => {
    file = join(dir, `library-${++run}.db`);
    const slow = await heldReceiver();
    const sim = await createSimulator({ db: file, stopTimeout: '20s' });
    await sim.registerUrl({ eventType: 'open', url: slow.url });
    sim.emit({ event: 'open', email: 'library@example.com' });
    await slow.arrived;
    const closed = sim.close();
    slow.release(200);
    await closed;
    await slow.close();
    expect(rows('select outcome from attempts')).toEqual([{ outcome: 'success' }]);
    expect(rows('select status from deliveries')).toEqual([{ status: 'delivered' }]);
  });
});
