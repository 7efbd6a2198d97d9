/**
 * The accelerated clock dispatches on its own timers; the real clock refuses to be moved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

afterEach(async () => {
  await sim.close();
  await receiver.close();
});

describe('--clock 1000x', () => {
  it('walks the schedule by itself: the 12th attempt comes (at least) 35 clock minutes after the first', async () => {
    sim = await startTestSim({ clock: '1000x' });
    receiver = await startReceiver();
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    await receiver.waitFor(12, 20_000);
    await sim.server.engine.idle();
    const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number }[] };
    const detail = (await (await sim.api(`/sim/deliveries/${list.deliveries[0]!.id}`)).json()) as {
      attempts: { scheduledAtMs: number; startedAtMs: number }[];
    };
    // On a running clock a busy machine may start an attempt late; the gaps never shrink below the policy's.
    const scheduled = detail.attempts.slice(0, 12).map((a) => a.scheduledAtMs);
    scheduled.slice(1).forEach((time, i) => expect(time - scheduled[i]!).toBeGreaterThanOrEqual(i < 10 ? 30_000 : 30 * 60_000));
    for (const attempt of detail.attempts.slice(0, 12)) expect(attempt.startedAtMs).toBeGreaterThanOrEqual(attempt.scheduledAtMs);
    const clock = (await (await sim.api('/sim/clock')).json()) as { mode: string; factor: number };
    expect(clock).toMatchObject({ mode: 'scaled', factor: 1000 });
  });

  it('can also be advanced', async () => {
    sim = await startTestSim({ clock: '2x' });
    receiver = await startReceiver();
    const before = sim.server.clock.now();
    const res = await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '1h' } });
    expect(res.status).toBe(200);
    expect(sim.server.clock.now()).toBeGreaterThanOrEqual(before + 3_600_000);
  });
});

describe('--clock real', () => {
  it('answers 409 clock-not-movable to an advance', async () => {
    sim = await startTestSim({ clock: 'real' });
    receiver = await startReceiver();
    const res = await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '30s' } });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: 'clock-not-movable', message: expect.stringMatching(/--clock manual/) } });
  });
});
