/**
 * Clock bounds (issue 12, item 1): a clock target past the limit is a 400 that names the limit, checked
 * before the clock moves, on every path (control API, dashboard, library); a stored time out of range never
 * produces a 500.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, SimulatorError } from '../src/index.js';
import { writeState } from '../src/db/sim-state.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

/** 100 years of 365.25 days past T0: the limit of a database that started at T0. */
const LIMIT = T0 + 36_525 * 86_400_000;

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

async function expectRangeError(res: Response) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('clock-out-of-range');
  expect(body.error.message).toContain(new Date(LIMIT).toISOString());
}

describe('POST /sim/clock/advance beyond the limit', () => {
  it.each([
    { by: '8640000000000000ms' },
    { by: 1e300 },
    { by: '100000000d' },
    { by: `${'9'.repeat(400)}` },
    { to: '+275760-09-13T00:00:00Z' },
    { to: new Date(LIMIT + 1).toISOString() },
  ])('%j is a 400 naming the limit, and the clock has not moved', async (body) => {
    const res = await sim.api('/sim/clock/advance', { method: 'POST', json: body });
    if (body.by !== undefined && /^[\d.e+]+$/i.test(String(body.by))) {
      // A bare number is refused before any range check (the duration grammar).
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/add a unit/);
    } else {
      await expectRangeError(res);
    }
    expect(sim.server.clock.now()).toBe(T0);
    expect((await sim.api('/sim/health', { as: 'none' })).status).toBe(200);
    expect((await sim.api('/sim/clock')).status).toBe(200);
  });

  it('the limit itself is reachable, and one more millisecond is not', async () => {
    const res = await sim.api('/sim/clock/advance', { method: 'POST', json: { to: new Date(LIMIT).toISOString() } });
    expect(res.status).toBe(200);
    await expectRangeError(await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '1ms' } }));
    expect(sim.server.clock.now()).toBe(LIMIT);
  });

  it('to: next where the next due time is past the limit is refused without moving', async () => {
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    // An event stored at an absurd time (e.g. by a policy or scenario delay): next is beyond the limit.
    sim.server.db.$client.prepare('update events set occurred_at = ?, routed = 1').run(8.64e15);
    sim.server.db.$client.exec('delete from due_events; insert into due_events (occurred_at, event_id) select occurred_at, id from events');
    await expectRangeError(await sim.api('/sim/clock/advance', { method: 'POST', json: { to: 'next' } }));
    expect(sim.server.clock.now()).toBe(T0);
  });

  it('the dashboard advance is bounded the same way', async () => {
    const res = await fetch(`${sim.server.url}/dashboard/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' },
      body: JSON.stringify({ by: '8640000000000000ms' }),
    });
    await expectRangeError(res);
    expect(sim.server.clock.now()).toBe(T0);
  });

  it('events emitted afterwards carry a sane time', async () => {
    await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '100000000d' } });
    const res = await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    const { events } = (await res.json()) as { events: { time: number }[] };
    expect(events[0]!.time).toBe(T0 / 1000);
  });
});

describe('stored times out of range never answer 500', () => {
  it('health, clock, deliveries and the dashboard render an absurd stored time without throwing', async () => {
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    writeState(sim.server.db, 'clock_now', '1e300');
    sim.server.db.$client.prepare('update deliveries set created_at = ?, updated_at = ?').run(1e300, 1e300);
    for (const path of ['/sim/health', '/sim/clock', '/sim/deliveries', '/']) {
      const res = await sim.api(path);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});

describe('library', () => {
  it('advance and advanceTo beyond the limit throw SimulatorError naming it, before the clock moves', async () => {
    const lib = await createSimulator({ startAt: new Date(T0) });
    try {
      // A bare number is refused before any range check (the duration grammar, test/duration-grammar.test.ts).
      await expect(lib.advance(1e300 as unknown as string)).rejects.toThrow(/add a unit/);
      await expect(lib.advance('100000000d')).rejects.toThrow(new Date(LIMIT).toISOString());
      await expect(lib.advanceTo(new Date(8.64e15))).rejects.toThrow(/limit/);
      await expect(lib.advanceTo('+275760-09-13T00:00:00Z')).rejects.toThrow(SimulatorError);
      expect(lib.now().getTime()).toBe(T0);
    } finally {
      await lib.close();
    }
  });

  it('startAt outside the supported range is a SimulatorError', async () => {
    await expect(createSimulator({ startAt: new Date(8.64e15) })).rejects.toThrow(SimulatorError);
    await expect(createSimulator({ startAt: new Date(-1) })).rejects.toThrow(/1970/);
  });
});
