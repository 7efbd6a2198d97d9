/**
 * A real `mjsim serve` child killed with SIGKILL mid-schedule, restarted on the same database: no accepted
 * event is lost, every attempt count is kept, and the attempt in flight at the kill is recorded as
 * interrupted and tried again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, KEY, SECRET } from './helpers/sim.js';

let dir: string;
let receiver: Receiver;
let child: CliSim | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-crash-'));
  receiver = await startReceiver();
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = () => ['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`, '--attempt-timeout', '60s'];

async function api(path: string, body?: unknown): Promise<Response> {
  return fetch(`${child!.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('kill -9 in the middle of the retry schedule', () => {
  it('loses nothing and keeps counting attempts where it stopped', async () => {
    child = await startCli(args());
    receiver.reply({ status: 500 });
    const registered = await api('/v3/REST/eventcallbackurl', { EventType: 'bounce', Url: receiver.url });
    expect(registered.status).toBe(201);
    const hooked = await api('/sim/events', { event: 'bounce', email: 'crash@example.com' });
    expect(hooked.status).toBe(201);
    await receiver.waitFor(1);
    for (let i = 0; i < 4; i++) expect((await api('/sim/clock/advance', { to: 'next' })).status).toBe(200);
    expect(receiver.requests).toHaveLength(5);
    const clockBefore = ((await (await api('/sim/clock')).json()) as { nowMs: number }).nowMs;

    // 200 more events accepted (they wait for an unregistered type), then attempt 6 hangs and the process dies.
    const accepted = await api('/sim/events', Array.from({ length: 200 }, (_, i) => ({ event: 'open', email: `o${i}@example.com` })));
    expect(accepted.status).toBe(201);
    receiver.reply('hang');
    void api('/sim/clock/advance', { to: 'next' }).catch(() => undefined);
    await receiver.waitFor(6);
    expect(await child.stop('SIGKILL')).toBeNull();

    const db = new Database(join(dir, 'sim.db'), { readonly: true });
    expect((db.prepare(`select count(*) as n from events where event_type = 'open'`).get() as { n: number }).n).toBe(200);
    expect((db.prepare('select count(*) as n from attempts where ended_at is null').get() as { n: number }).n).toBe(1);
    db.close();

    receiver.reply({ status: 500 });
    child = await startCli(args());
    expect(child.stdout()).toMatch(/recovered 1 attempt interrupted/);
    await receiver.waitFor(7);
    const clockAfter = ((await (await api('/sim/clock')).json()) as { nowMs: number }).nowMs;
    expect(clockAfter).toBe(clockBefore + 30_000);

    const summary = (await (await api('/sim/clock/advance', { by: '5h5m' })).json()) as { urlsSuspended: number };
    expect(summary.urlsSuspended).toBe(1);
    const list = (await (await api('/sim/deliveries?eventType=bounce')).json()) as { deliveries: { id: number }[] };
    const detail = (await (await api(`/sim/deliveries/${list.deliveries[0]!.id}`)).json()) as {
      status: string;
      attemptCount: number;
      attempts: { number: number; outcome: string }[];
    };
    expect(detail.status).toBe('failed');
    expect(detail.attemptCount).toBe(21);
    expect(detail.attempts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(detail.attempts[5]!.outcome).toBe('interrupted');
    expect(receiver.requests).toHaveLength(22);

    const suppressed = (await (await api('/sim/deliveries?status=suppressed&limit=1000')).json()) as { deliveries: unknown[] };
    expect(suppressed.deliveries).toHaveLength(200);

    expect(await child.stop('SIGTERM')).toBe(0);
    child = undefined;
  });

  it('loses no event that was accepted but not yet in the time index (staged)', async () => {
    const file = join(dir, 'staged.db');
    const stagedArgs = ['--port', '0', '--db', file, '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`];
    child = await startCli(stagedArgs);
    receiver.reply({ status: 200 });
    const before = receiver.requests.length;
    expect((await api('/v3/REST/eventcallbackurl', { EventType: 'sent', Url: receiver.url })).status).toBe(201);
    const messages = Array.from({ length: 20 }, (_, i) => ({ From: { Email: 'shop@example.com' }, To: [{ Email: `s${i}@example.com` }], Subject: 'Hi', TextPart: 'Hi' }));
    expect((await api('/v3.1/send', { Messages: messages })).status).toBe(200);
    // The clock stands still, so their `sent` events (1-5 s after the send) are still staged when it dies.
    expect(await child.stop('SIGKILL')).toBeNull();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('select routed, count(*) as n from events group by routed').all()).toEqual([{ routed: 2, n: 20 }]);
    db.close();

    child = await startCli(stagedArgs);
    expect((await api('/sim/clock/advance', { by: '10s' })).status).toBe(200);
    await receiver.waitFor(before + 20);
    const sent = receiver.requests.slice(before).map((request) => (JSON.parse(request.body) as { email: string }).email);
    expect(new Set(sent)).toEqual(new Set(messages.map((message) => message.To[0]!.Email)));
    expect(await child.stop('SIGTERM')).toBe(0);
    child = undefined;
  });
});
