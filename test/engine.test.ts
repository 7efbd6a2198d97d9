/**
 * The engine on its own, below the HTTP layer: a real SQLite database, the manual clock, a real receiver on
 * 127.0.0.1. Store → dispatch → attempt recorded; a failure retried at the policy's offset; an event stored
 * for later; a stop with an attempt in flight, recovered by the next start; test events, replays and the
 * hand-over of a URL set dead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../src/config/config.js';
import { retryDelay } from '../src/core/retry-policy.js';
import { WEBHOOK_USER_AGENT } from '../src/core/version.js';
import { ensureAccounts, type Account } from '../src/db/accounts.js';
import { attemptsOf } from '../src/db/attempts.js';
import { insertCallbackUrl, updateCallbackUrl, type CallbackUrl } from '../src/db/callback-urls.js';
import { getDelivery } from '../src/db/deliveries.js';
import { openDb, type Db } from '../src/db/open-db.js';
import { createClock, type Clock } from '../src/engine/clock.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { awaitNext } from './helpers/await-next.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { KEY, SECRET, T0 } from './helpers/sim.js';

const settings = defaultSettings();

let dir: string;
let db: Db;
let clock: Clock;
let account: Account;
let engine: Engine;
const receivers: Receiver[] = [];
const engines: Engine[] = [];

function newEngine(): Engine {
  const created = new Engine(db, clock, settings, createHttpTransport(8));
  engines.push(created);
  return created;
}

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

function register(url: string, options: { isBackup?: boolean } = {}): CallbackUrl {
  return insertCallbackUrl(db, account.id, { eventType: 'open', isBackup: options.isBackup ?? false, status: 'alive', url, version: 1 }, clock.now());
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-engine-'));
  db = openDb(join(dir, 'engine.db'));
  clock = createClock({ mode: 'manual', factor: 0 }, T0);
  [account] = ensureAccounts(db, [{ publicKey: KEY, secretKey: SECRET }], clock.now()) as [Account];
  engine = newEngine();
});

afterEach(async () => {
  for (const running of engines.splice(0)) running.stop();
  for (const started of receivers.splice(0)) await started.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Engine', () => {
  it('stores an event, dispatches it when due and records the attempt', async () => {
    const target = await receiver();
    register(target.url);
    engine.start();
    const accepted = awaitNext(engine, 'accepted');
    const attempted = awaitNext(engine, 'attempt');
    const [payload] = engine.emitEvents(account.id, [{ type: 'open', fields: { email: 'one@example.com' } }]);

    expect(await accepted).toEqual([{ accountId: account.id, count: 1 }]);
    const [attempt] = await attempted;
    expect(attempt).toMatchObject({ accountId: account.id, number: 1, outcome: 'success', httpStatus: 200, status: 'delivered', at: T0 });
    const [request] = target.requests;
    expect(request?.headers['user-agent']).toBe(WEBHOOK_USER_AGENT);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ event: 'open', email: 'one@example.com', MessageID: Number(payload?.MessageID) });
    const rows = attemptsOf(db, attempt!.deliveryId);
    expect(rows).toMatchObject([{ number: 1, outcome: 'success', httpStatus: 200, scheduledAt: T0, startedAt: T0, endedAt: T0 }]);
    expect(getDelivery(db, account.id, attempt!.deliveryId)?.status).toBe('delivered');
    expect(engine.counters).toEqual({ attempts: 1, successes: 1, failures: 0, urlsSuspended: 0 });
    expect(engine.attemptsInFlight).toBe(0);
  });

  it('retries a failed attempt at the policy offset when the clock is advanced', async () => {
    const target = await receiver();
    target.reply({ status: 500 });
    register(target.url);
    engine.start();
    const first = awaitNext(engine, 'attempt');
    engine.emitEvents(account.id, [{ type: 'open', fields: { email: 'retry@example.com' } }]);
    const [failed] = await first;
    expect(failed).toMatchObject({ number: 1, outcome: 'http-status', httpStatus: 500, status: 'pending' });

    const retryAt = T0 + (retryDelay(settings.policy, 2) as number);
    expect(engine.nextDueAt()).toBe(retryAt);
    target.reply({ status: 200 });
    const clockMoves = awaitNext(engine, 'clock');
    const summary = await engine.advance('next');

    expect(summary).toEqual({ from: new Date(T0).toISOString(), to: new Date(retryAt).toISOString(), attempts: 2, successes: 1, failures: 1, urlsSuspended: 0 });
    expect(await clockMoves).toEqual([{ now: retryAt }]);
    expect(attemptsOf(db, failed!.deliveryId).map((row) => [row.number, row.scheduledAt, row.startedAt, row.outcome])).toEqual([
      [1, T0, T0, 'http-status'],
      [2, retryAt, retryAt, 'success'],
    ]);
    expect(target.requests).toHaveLength(2);
  });

  it('keeps an event stored for later until its time comes', async () => {
    const target = await receiver();
    register(target.url);
    engine.start();
    const later = T0 + 60_000;
    engine.accept(account.id, [{ type: 'open', payload: { event: 'open', email: 'later@example.com', MessageID: 1n }, occurredAt: later }]);
    await engine.idle();
    expect(target.requests).toHaveLength(0);
    expect(engine.nextDueAt()).toBe(later);

    const summary = await engine.advance(later);
    expect(summary).toMatchObject({ attempts: 1, successes: 1, to: new Date(later).toISOString() });
    expect(target.requests).toHaveLength(1);
    expect(clock.now()).toBe(later);
  });

  it('leaves an attempt in flight at stop to the next start, which marks it interrupted and tries it again', async () => {
    const target = await receiver();
    target.reply('hang');
    register(target.url);
    engine.start();
    engine.emitEvents(account.id, [{ type: 'open', fields: { email: 'crash@example.com' } }]);
    await target.waitFor(1);
    expect(engine.attemptsInFlight).toBe(1);
    expect(await engine.drain(20)).toBe(1);
    engine.stop();

    target.reply({ status: 200 });
    const next = newEngine();
    const retried = awaitNext(next, 'attempt');
    expect(next.start()).toEqual({ interrupted: 1 });
    const [attempt] = await retried;
    // An interrupted attempt is not the receiver's answer: it is tried again under the same number.
    expect(attempt).toMatchObject({ number: 1, outcome: 'success', status: 'delivered' });
    expect(attemptsOf(db, attempt!.deliveryId).map((row) => [row.number, row.outcome])).toEqual([
      [1, 'interrupted'],
      [1, 'success'],
    ]);
    expect(target.requests).toHaveLength(2);
  });

  it('sends a test event to one URL and replays a delivery by today\'s routing', async () => {
    const target = await receiver();
    const url = register(target.url);
    engine.start();
    const tested = awaitNext(engine, 'attempt');
    const payload = engine.sendTest(url);
    expect(payload).toMatchObject({ email: 'test@example.com', CustomID: 'mjsim-test' });
    const [attempt] = await tested;
    expect(JSON.parse(target.requests[0]?.body ?? '{}')).toMatchObject({ email: 'test@example.com', CustomID: 'mjsim-test' });

    const replayed = awaitNext(engine, 'attempt');
    const ids = engine.replay(account.id, attempt!.deliveryId);
    expect(ids).toHaveLength(1);
    expect((await replayed)[0]).toMatchObject({ deliveryId: ids![0], outcome: 'success' });
    expect(target.requests[1]?.body).toBe(target.requests[0]?.body);
    expect(engine.replay(account.id, 999_999)).toBeUndefined();
  });

  it('hands the pending work of a URL set dead to its backup', async () => {
    const primary = await receiver();
    const backup = await receiver();
    primary.reply({ status: 500 });
    const before = register(primary.url);
    register(backup.url, { isBackup: true });
    engine.start();
    const failed = awaitNext(engine, 'attempt');
    engine.emitEvents(account.id, [{ type: 'open', fields: { email: 'handed@example.com' } }]);
    const [attempt] = await failed;
    expect(attempt?.status).toBe('pending');

    const after = updateCallbackUrl(db, before.id, { status: 'dead' }, clock.now());
    engine.callbackUrlChanged(before, after);
    expect(getDelivery(db, account.id, attempt!.deliveryId)?.status).toBe('handed_over');
    await engine.advance('next');
    expect(backup.requests).toHaveLength(1);
    expect(JSON.parse(backup.requests[0]?.body ?? '{}')).toMatchObject({ email: 'handed@example.com' });
    expect(primary.requests).toHaveLength(1);
  });
});
