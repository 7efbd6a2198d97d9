import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scheduleOffsets, RETRY_POLICIES } from '../src/core/retry-policy.js';
import { countDeliveriesByStatus } from '../src/db/deliveries.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let primary: Receiver;
let backup: Receiver;

beforeEach(async () => {
  sim = await startTestSim();
  primary = await startReceiver();
  backup = await startReceiver();
});
afterEach(async () => {
  // Whatever the engine did (attempts, suspension, hand-over, suppression), the status counts it kept match the table.
  const rows = sim.server.db.$client.prepare('select status, count(*) as n from deliveries group by status').all() as { status: string; n: number }[];
  expect(countDeliveriesByStatus(sim.server.db)).toEqual(Object.fromEntries(rows.map((row) => [row.status, row.n])));
  await sim.close();
  await primary.close();
  await backup.close();
});

async function register(body: Record<string, unknown>) {
  const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { Data: { ID: number }[] }).Data[0]!;
}

describe('the mailjet-2017 cycle on the manual clock', () => {
  it('makes 21 attempts at the exact offsets, suspends the URL, and hands the delivery to the backup', async () => {
    primary.reply({ status: 500 });
    const url = await register({ EventType: 'bounce', Url: primary.url });
    await register({ EventType: 'bounce', Url: backup.url, IsBackup: true });

    const emitted = await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: 'x@example.com' } });
    expect(emitted.status).toBe(201);
    await primary.waitFor(1);
    await sim.server.engine.idle(); // attempt 1 recorded before the advance: it counts all the same (issue 18)

    const summary = await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '5h5m' } });
    expect(await summary.json()).toMatchObject({ attempts: 22, successes: 1, failures: 21, urlsSuspended: 1 }); // 21 attempts + the backup's success
    expect(primary.requests).toHaveLength(21);
    expect(backup.requests).toHaveLength(1);
    expect(JSON.parse(backup.requests[0]!.body)).toEqual(JSON.parse(primary.requests[0]!.body));

    const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number; status: string }[] };
    // The backup received the event: the primary's delivery is handed over, not failed (issue 18).
    const failed = list.deliveries.find((d) => d.status === 'handed_over')!;
    const detail = (await (await sim.api(`/sim/deliveries/${failed.id}`)).json()) as { attempts: { startedAtMs: number; number: number }[] };
    expect(detail.attempts.map((a) => a.startedAtMs - T0)).toEqual(scheduleOffsets(RETRY_POLICIES['mailjet-2017']!));
    expect(detail.attempts.map((a) => a.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));

    const got = (await (await sim.api(`/v3/REST/eventcallbackurl/${url.ID}`)).json()) as { Data: { Status: string }[] };
    expect(got.Data[0]!.Status).toBe('dead');
  });
});

type DeliveryView = { id: number; status: string; attemptCount: number; callbackUrlId: number | null; parentId: number | null; reason: string | null };

async function deliveries(status?: string): Promise<DeliveryView[]> {
  const res = await sim.api(`/sim/deliveries${status ? `?status=${status}` : ''}`);
  return ((await res.json()) as { deliveries: DeliveryView[] }).deliveries;
}

async function callbackStatus(id: number): Promise<string> {
  const res = await sim.api(`/v3/REST/eventcallbackurl/${id}`);
  return ((await res.json()) as { Data: { Status: string }[] }).Data[0]!.Status;
}

async function advance(body: Record<string, unknown>) {
  const res = await sim.api('/sim/clock/advance', { method: 'POST', json: body });
  expect(res.status).toBe(200);
  return (await res.json()) as { attempts: number; successes: number; failures: number; urlsSuspended: number; to: string };
}

describe('suspension without a backup, and reactivation', () => {
  it('keeps later events as suppressed, replayable deliveries, and a PUT of a new Url revives the URL', async () => {
    primary.reply({ status: 503 });
    const url = await register({ EventType: 'open', Url: primary.url });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open', email: 'a@example.com' } });
    await advance({ by: '5h5m' });
    expect(primary.requests).toHaveLength(21);
    expect(await callbackStatus(url.ID)).toBe('dead');

    await sim.api('/sim/events', { method: 'POST', json: { event: 'open', email: 'later@example.com' } });
    await sim.server.engine.idle();
    const suppressed = await deliveries('suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.reason).toMatch(/no alive callback URL for open/);
    expect(primary.requests).toHaveLength(21);

    const put = await sim.api(`/v3/REST/eventcallbackurl/${url.ID}`, { method: 'PUT', json: { Url: backup.url } });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { Data: { Status: string }[] }).Data[0]!.Status).toBe('alive');

    const replay = await sim.api(`/sim/deliveries/${suppressed[0]!.id}/replay`, { method: 'POST' });
    expect(replay.status).toBe(201);
    await backup.waitFor(1);
    expect(JSON.parse(backup.requests[0]!.body)).toMatchObject({ event: 'open', email: 'later@example.com' });
    await sim.server.engine.idle();
    expect((await deliveries('delivered')).map((d) => d.parentId)).toEqual([suppressed[0]!.id]);
  });

  it('a PUT with Status "alive" revives a dead URL, and new events reach it', async () => {
    primary.reply({ status: 500 });
    const url = await register({ EventType: 'click', Url: primary.url });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'click' } });
    await advance({ by: '6h' });
    expect(await callbackStatus(url.ID)).toBe('dead');
    primary.reply({ status: 200 });
    const put = await sim.api(`/v3/REST/eventcallbackurl/${url.ID}`, { method: 'PUT', json: { Status: 'alive' } });
    expect(put.status).toBe(200);
    await sim.api('/sim/events', { method: 'POST', json: { event: 'click', email: 'again@example.com' } });
    await primary.waitFor(22);
    expect(JSON.parse(primary.requests[21]!.body)).toMatchObject({ email: 'again@example.com' });
  });

  it('hands every pending delivery of a suspended URL to the backup, not just the exhausted one', async () => {
    primary.reply({ status: 500 });
    await register({ EventType: 'sent', Url: primary.url });
    await register({ EventType: 'sent', Url: backup.url, IsBackup: true });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'first@example.com' } });
    await advance({ by: '1h' });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'second@example.com' } });
    await advance({ by: '4h5m' });
    expect(backup.requests.map((r) => JSON.parse(r.body).email).sort()).toEqual(['first@example.com', 'second@example.com']);
    // Both are handed over: the exhausted one (issue 18: not `failed`, the backup received it) and the pending one.
    const handed = await deliveries('handed_over');
    expect(handed).toHaveLength(2);
    expect(handed.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^URL #\d+ suspended; continued by delivery #\d+$/),
      expect.stringMatching(/^all 21 attempts failed; URL suspended, continued by delivery #\d+$/),
    ]);
    expect(await deliveries('failed')).toEqual([]);
  });
});

describe('walking the schedule step by step', () => {
  it('"next" moves to each due attempt in turn, and 29m59s is not enough for the first 30-minute retry', async () => {
    primary.reply({ status: 500 });
    await register({ EventType: 'spam', Url: primary.url });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'spam' } });
    await primary.waitFor(1);
    await sim.server.engine.idle(); // attempt 1 recorded before the advance: the first summary counts it all the same (issue 18)
    for (let i = 1; i <= 10; i++) {
      const step = await advance({ to: 'next' });
      expect(step.attempts).toBe(i === 1 ? 2 : 1);
      expect(Date.parse(step.to) - T0).toBe(i * 30_000);
    }
    expect((await advance({ by: '29m59s' })).attempts).toBe(0);
    expect((await advance({ by: '1s' })).attempts).toBe(1);
    expect(primary.requests).toHaveLength(12);
    const to = new Date(T0 + 5 * 3600_000 + 5 * 60_000).toISOString();
    const rest = await advance({ to });
    expect(rest).toMatchObject({ attempts: 9, urlsSuspended: 1, to });
  });
});
