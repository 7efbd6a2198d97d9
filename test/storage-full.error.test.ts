/**
 * What each API answers while the database cannot grow: a real SQLITE_FULL, raised by SQLite itself once
 * the database reaches `max_page_count` (test/full-disk.test.ts fills a real disk). Every accepting route
 * answers 507 with a code of its own in its API's envelope and `Retry-After`, `/sim/health` reports the
 * state, and once the database can grow again the same requests succeed and the events are delivered.
 * (Mailjet's v3 REST envelope, which carries the code in `ErrorInfo`, is checked in
 * test/vanished-database.test.ts, where its writes are refused every time.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

beforeEach(async () => {
  sim = await startTestSim();
  receiver = await startReceiver();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

/** Lets the database grow by no page from now on (or again without limit). */
function capPages(capped: boolean): void {
  const client = sim.server.db.$client;
  const pages = client.pragma('page_count', { simple: true }) as number;
  client.pragma(`max_page_count = ${capped ? pages : 1_000_000_000}`);
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ event: 'open', email: `full${i}@example.com` }));
const message = { From: { Email: 'a@example.com' }, To: [{ Email: 'b@example.com' }], Subject: 'Hi', TextPart: 'x'.repeat(20_000) };

describe('a database that cannot grow', () => {
  it('answers 507 in each envelope and recovers by itself', async () => {
    expect((await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } })).status).toBe(201);
    capPages(true);

    const injected = await sim.api('/sim/events', { method: 'POST', json: events(200) });
    expect(injected.status).toBe(507);
    expect(injected.headers.get('retry-after')).toBe('5');
    expect(await injected.json()).toEqual({ error: { code: 'storage-full', message: expect.stringMatching(/disk is full/) } });

    const sent = await sim.api('/v3.1/send', { method: 'POST', json: { Messages: Array.from({ length: 20 }, () => message) } });
    expect(sent.status).toBe(507);
    expect(await sent.json()).toMatchObject({ ErrorCode: 'mjsim-storage-full', StatusCode: 507, ErrorMessage: expect.stringMatching(/disk is full/) });

    const health = await sim.api('/sim/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'storage-full', storage: { status: 'full', message: expect.stringMatching(/full/) } });

    capPages(false);
    const retried = await sim.api('/sim/events', { method: 'POST', json: events(200) });
    expect(retried.status).toBe(201);
    expect((await sim.api('/sim/health')).status).toBe(200);
    await receiver.waitFor(200);
  });

  it('keeps finished attempts until they can be recorded', async () => {
    expect((await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } })).status).toBe(201);
    expect((await sim.api('/sim/events', { method: 'POST', json: events(300) })).status).toBe(201);
    // Routing waits for the end of a batch that pours in (src/engine/intake.ts): once its deliveries exist,
    // the engine claims and posts, and its recording transaction cannot grow the attempts table.
    const routed = async () => ((await (await sim.api('/sim/deliveries?limit=1000')).json()) as { deliveries: unknown[] }).deliveries.length;
    while ((await routed()) < 300) await new Promise(setImmediate);
    capPages(true);
    expect(sim.server.engine.counters.attempts).toBeLessThan(300);
    await receiver.waitFor(1);
    capPages(false);
    await receiver.waitFor(300);
    await sim.server.engine.idle();
    const delivered = (await (await sim.api('/sim/deliveries?status=delivered&limit=1000')).json()) as { deliveries: unknown[] };
    expect(delivered.deliveries).toHaveLength(300);
    expect(sim.server.engine.counters.attempts).toBe(300);
  });
});
