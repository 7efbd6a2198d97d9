/**
 * A database deleted under a running `mjsim serve` (a real child process): noticed within a few seconds,
 * reported loudly and on `/sim/health`, new work refused in each API's envelope, what was pending still
 * readable, and the next start refuses to replace it silently with an empty database.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, KEY, SECRET } from './helpers/sim.js';

let root: string;
let receiver: Receiver;
let child: CliSim;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mjsim-vanished-'));
  receiver = await startReceiver();
  receiver.reply({ status: 500 });
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
});

const args = (db: string) => ['--port', '0', '--db', db, '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`, '--stop-timeout', '0'];

async function api(path: string, body?: unknown): Promise<Response> {
  return fetch(`${child.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Starts a server on `db` with 20 deliveries pending (each failed once), and returns the receiver's count. */
async function startWithPendingWork(db: string): Promise<void> {
  child = await startCli(args(db));
  const before = receiver.requests.length;
  expect((await api('/v3/REST/eventcallbackurl', { EventType: 'bounce', Url: receiver.url })).status).toBe(201);
  expect((await api('/sim/events', Array.from({ length: 20 }, (_, i) => ({ event: 'bounce', email: `gone${i}@example.com` })))).status).toBe(201);
  await receiver.waitFor(before + 20);
}

/** Real ms from now until `/sim/health` fails (polled every 20 ms, at most 10 s). */
async function msUntilHealthFails(): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 10_000) {
    if ((await api('/sim/health')).status === 503) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('/sim/health never failed');
}

describe('a database deleted while mjsim runs', () => {
  it('is noticed within seconds, refuses new work, stays readable, and the next start refuses to begin empty', async () => {
    const db = join(root, 'file', 'sim.db');
    await startWithPendingWork(db);
    rmSync(db);
    // Noticed by the periodic check (every second), with nothing asking.
    const started = performance.now();
    await child.waitForStderr(/ERROR: the database .*sim\.db was deleted while mjsim ran/);
    const detectedMs = performance.now() - started;
    console.log(`deleted database noticed after ${Math.round(detectedMs)} ms`);
    expect(detectedMs).toBeLessThan(3_000);
    expect((await api('/sim/health')).status).toBe(503);
    expect(await (await api('/sim/health')).json()).toMatchObject({ status: 'database-gone', storage: { status: 'gone', message: expect.stringMatching(/was deleted/) } });

    const injected = await api('/sim/events', { event: 'bounce', email: 'late@example.com' });
    expect(injected.status).toBe(503);
    expect(injected.headers.get('retry-after')).toBe('5');
    expect(await injected.json()).toMatchObject({ error: { code: 'storage-unavailable', message: expect.stringMatching(/was deleted/) } });
    const registered = await api('/v3/REST/eventcallbackurl', { EventType: 'open', Url: receiver.url });
    expect(registered.status).toBe(503);
    expect(await registered.json()).toMatchObject({ ErrorInfo: 'mjsim-storage-unavailable', StatusCode: 503 });
    const sent = await api('/v3.1/send', { Messages: [{ From: { Email: 'a@example.com' }, To: [{ Email: 'b@example.com' }], Subject: 'x', TextPart: 'x' }] });
    expect(sent.status).toBe(503);
    expect(await sent.json()).toMatchObject({ ErrorCode: 'mjsim-storage-unavailable', StatusCode: 503 });

    // What was pending can still be read from the open file.
    const pending = (await (await api('/sim/deliveries?status=pending')).json()) as { deliveries: unknown[] };
    expect(pending.deliveries).toHaveLength(20);

    expect(await child.stop()).toBe(0);
    const marker = JSON.parse(readFileSync(`${db}.vanished.json`, 'utf8')) as { pendingDeliveries: number };
    expect(marker.pendingDeliveries).toBe(20);
    await expect(startCli(args(db))).rejects.toThrow(/cannot start: the database .*sim\.db was deleted while mjsim ran .*20 deliveries .*delete .*sim\.db\.vanished\.json/s);
    expect(existsSync(db)).toBe(false);

    // Deleting the marker is the explicit choice to start empty.
    rmSync(`${db}.vanished.json`);
    child = await startCli(args(db));
    expect((await api('/sim/health')).status).toBe(200);
    expect(await child.stop()).toBe(0);
  }, 60_000);

  it('is noticed when its whole folder is removed', async () => {
    const folder = join(root, 'folder');
    const db = join(folder, 'sim.db');
    await startWithPendingWork(db);
    rmSync(folder, { recursive: true });
    expect(await msUntilHealthFails()).toBeLessThan(3_000);
    expect(await child.stop()).toBe(0);
    await expect(startCli(args(db))).rejects.toThrow(/was deleted while mjsim ran/);
  }, 60_000);

  it('is refused at the next start when mjsim was killed before it noticed', async () => {
    const db = join(root, 'killed', 'sim.db');
    mkdirSync(join(root, 'killed'));
    await startWithPendingWork(db);
    // Stopped first, so that it cannot notice: only the write-ahead log left behind can tell.
    child.child.kill('SIGSTOP');
    rmSync(db);
    expect(await child.stop('SIGKILL')).toBeNull();
    expect(existsSync(`${db}.vanished.json`)).toBe(false);
    await expect(startCli(args(db))).rejects.toThrow(/sim\.db is missing but its write-ahead log .*sim\.db-wal remains/);
  }, 60_000);
});
