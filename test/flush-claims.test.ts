/**
 * The transaction that records finished attempts also claims due work for the slots they free
 * (Dispatcher.claimFreed). Claimed there, work keeps the pool's cap, starts at its scheduled time during an
 * advance, and retries at the policy's offsets, exactly as when the dispatcher's own pass claims it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

const POOL = 4;
const DELIVERIES = 24;

let sim: TestSim;
let receiver: Receiver;
beforeEach(async () => {
  sim = await startTestSim({ concurrency: String(POOL), urlConcurrency: String(8 * POOL) });
  receiver = await startReceiver();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

describe('claims made by a flush', () => {
  it('keep the pool cap, the scheduled start times and the retry offsets', async () => {
    let mostInFlight = 0;
    const seen = new Set<string>();
    // First attempt of each event: 500; its retry (30 s later): 200.
    receiver.reply((request) => {
      mostInFlight = Math.max(mostInFlight, sim.server.engine.attemptsInFlight);
      const first = !seen.has(request.body);
      seen.add(request.body);
      return { status: first ? 500 : 200 };
    });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: receiver.url } });
    for (let i = 0; i < DELIVERIES; i += 1) await sim.api('/sim/events', { method: 'POST', json: { event: 'bounce', email: `r${i}@example.com` } });
    const summary = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '5m' } })).json()) as Record<string, number>;

    expect(summary).toMatchObject({ attempts: 2 * DELIVERIES, successes: DELIVERIES, failures: DELIVERIES });
    expect(receiver.requests).toHaveLength(2 * DELIVERIES);
    expect(mostInFlight).toBeGreaterThan(0);
    expect(mostInFlight).toBeLessThanOrEqual(POOL);
    const rows = sim.server.db.$client
      .prepare('select delivery_id, number, scheduled_at, started_at from attempts order by delivery_id, number')
      .all() as { delivery_id: number; number: number; scheduled_at: number; started_at: number }[];
    expect(rows).toHaveLength(2 * DELIVERIES);
    for (const row of rows) expect(row.started_at).toBe(row.scheduled_at);
    for (let i = 0; i < rows.length; i += 2) {
      const [first, retry] = [rows[i]!, rows[i + 1]!];
      expect([first.delivery_id, first.number, retry.number]).toEqual([retry.delivery_id, 1, 2]);
      expect(retry.scheduled_at - first.started_at).toBe(30_000);
    }
    const delivered = sim.server.db.$client.prepare(`select count(*) from deliveries where status = 'delivered'`).pluck().get();
    expect(delivered).toBe(DELIVERIES);
  });
});
