/**
 * Fairness of the attempt pool (core/fair-share.ts, db/deliveries.ts claimDue): URLs that hang hold at most
 * the slow lane plus one probe slot each, every URL with due work is dealt slots in turn, and a healthy URL
 * is attempted while the hanging ones are still in flight. No wall-time assertion: the test waits on
 * receivers and engine events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { slowLaneSize } from '../src/core/fair-share.js';
import type { EngineEvents } from '../src/engine/engine.js';
import { awaitNext } from './helpers/await-next.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
const receivers: Receiver[] = [];
afterEach(async () => {
  await sim?.close();
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(reply: 'hang' | { status: number }): Promise<Receiver> {
  const started = await startReceiver();
  started.reply(reply);
  receivers.push(started);
  return started;
}

async function register(eventType: string, url: string): Promise<void> {
  const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: eventType, Url: url } });
  expect(res.status).toBe(201);
}

async function emit(events: { event: string; email: string }[]): Promise<void> {
  const res = await sim.api('/sim/events', { method: 'POST', json: events });
  expect(res.status).toBe(201);
}

/** Resolves with the first attempt announcement that matches. */
async function nextAttempt(match: (attempt: EngineEvents['attempt'][0]) => boolean): Promise<EngineEvents['attempt'][0]> {
  const [attempt] = await awaitNext(sim.server.engine, 'attempt', 1, match);
  return attempt!;
}

describe('with --concurrency 8 and three hanging URLs holding older backlogs', () => {
  it('deals every hanging URL a slot, keeps free slots, and attempts a newer healthy URL while they hang', async () => {
    sim = await startTestSim({ concurrency: '8', urlConcurrency: '8', attemptTimeout: '10m' });
    const types = ['sent', 'bounce', 'blocked'] as const;
    const hanging = [await receiver('hang'), await receiver('hang'), await receiver('hang')];
    const healthy = await receiver({ status: 200 });
    for (const [i, type] of types.entries()) await register(type, hanging[i]!.url);
    await register('open', healthy.url);

    // The backlogs are older work than the healthy event (earlier IDs at the same clock time).
    await emit(types.flatMap((type) => Array.from({ length: 10 }, (_, i) => ({ event: type, email: `${type}${i}@example.com` }))));
    await Promise.all(hanging.map((r) => r.waitFor(1)));
    const delivered = nextAttempt((attempt) => attempt.outcome === 'success');
    await emit([{ event: 'open', email: 'healthy@example.com' }]);

    expect(await delivered).toMatchObject({ number: 1, outcome: 'success' });
    expect(healthy.requests).toHaveLength(1);
    // Nothing hanging has ended (10 min timeout): everything still in flight is theirs, and the healthy
    // attempt ran beside them.
    const hangingInFlight = sim.server.engine.attemptsInFlight;
    expect(hangingInFlight).toBeGreaterThanOrEqual(hanging.length);
    // At most the slow lane plus one first (probe) slot per URL, so the pool is never all theirs.
    expect(hangingInFlight).toBeLessThanOrEqual(slowLaneSize(8) + hanging.length);
    expect(hangingInFlight).toBeLessThan(8);
    for (const r of hanging) expect(r.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('once their attempts have timed out, the hanging URLs share only the slow lane, and a new URL still gets in', async () => {
    sim = await startTestSim({ concurrency: '8', urlConcurrency: '8', attemptTimeout: '300ms' });
    const types = ['sent', 'bounce', 'blocked'] as const;
    const hanging = [await receiver('hang'), await receiver('hang'), await receiver('hang')];
    for (const [i, type] of types.entries()) await register(type, hanging[i]!.url);
    // One delivery each first: its timeout marks the URL slow.
    // The manual clock does not move here, so no timed-out delivery is retried: three timeouts are three deliveries.
    const allSlow = awaitNext(sim.server.engine, 'attempt', 3, (attempt) => attempt.outcome === 'timeout');
    await emit(types.map((type) => ({ event: type, email: `first-${type}@example.com` })));
    await allSlow;
    const before = hanging.map((r) => r.requests.length);

    // Now big backlogs: known-slow URLs get no probe, only lane slots, dealt in turn.
    await emit(types.flatMap((type) => Array.from({ length: 10 }, (_, i) => ({ event: type, email: `${type}${i}@example.com` }))));
    await Promise.all(hanging.map((r, i) => r.waitFor(before[i]! + 1)));
    expect(sim.server.engine.attemptsInFlight).toBeLessThanOrEqual(slowLaneSize(8));
    const healthy = await receiver({ status: 200 });
    await register('open', healthy.url);
    const delivered = nextAttempt((attempt) => attempt.outcome === 'success');
    await emit([{ event: 'open', email: 'healthy@example.com' }]);
    expect(await delivered).toMatchObject({ number: 1, outcome: 'success' });
  });
});
