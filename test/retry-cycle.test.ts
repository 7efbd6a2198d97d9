import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scheduleOffsets, RETRY_POLICIES } from '../src/core/retry-policy.js';
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

    const summary = await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '5h5m' } });
    expect(await summary.json()).toMatchObject({ attempts: 21, successes: 1, failures: 20, urlsSuspended: 1 }) // 20 retries + the backup's success;
    expect(primary.requests).toHaveLength(21);
    expect(backup.requests).toHaveLength(1);
    expect(JSON.parse(backup.requests[0]!.body)).toEqual(JSON.parse(primary.requests[0]!.body));

    const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number; status: string }[] };
    const failed = list.deliveries.find((d) => d.status === 'failed')!;
    const detail = (await (await sim.api(`/sim/deliveries/${failed.id}`)).json()) as { attempts: { startedAtMs: number; number: number }[] };
    expect(detail.attempts.map((a) => a.startedAtMs - T0)).toEqual(scheduleOffsets(RETRY_POLICIES['mailjet-2017']!));
    expect(detail.attempts.map((a) => a.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));

    const got = (await (await sim.api(`/v3/REST/eventcallbackurl/${url.ID}`)).json()) as { Data: { Status: string }[] };
    expect(got.Data[0]!.Status).toBe('dead');
  });
});
