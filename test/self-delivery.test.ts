/**
 * mjsim never feeds itself: a webhook URL pointing at its own listener is refused at registration, and at
 * POST time (recorded as the failure kind `self`); a request carrying mjsim's webhook User-Agent is refused.
 * Before these guards, one event to `/sim/events` through such a URL became millions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { attemptsOf } from '../src/db/attempts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { listDeliveries } from '../src/db/delivery-listing.js';
import { statement } from '../src/db/statements.js';
import { KEY, SECRET, startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
afterEach(async () => {
  await sim?.close();
});

const MJSIM_UA = 'mjsim/0.1.0 (mailjet-webhook-simulator)';

function eventCount(): number {
  return (statement(sim.server.db, 'select count(*) as n from events').get() as { n: number }).n;
}

/** Registers `url` straight in the database (as an older mjsim could have), bypassing the API's check. */
function insertDirectly(url: string) {
  const account = sim.server.accounts[0]!;
  return insertCallbackUrl(sim.server.db, account.id, { eventType: 'sent', isBackup: false, status: 'alive', url, version: 2 }, sim.server.clock.now());
}

describe('registration', () => {
  it.each([
    (port: number) => `http://${KEY}:${SECRET}@127.0.0.1:${port}/sim/events`,
    (port: number) => `http://localhost:${port}/sim/events`,
    (port: number) => `http://LOCALHOST.:${port}/v3.1/send`,
    (port: number) => `http://127.0.0.2:${port}/sim/reset`,
    (port: number) => `http://[::1]:${port}/v3/send`,
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/sim/events`,
    (port: number) => `http://0.0.0.0:${port}/sim/events`,
    (port: number) => `http://2130706433:${port}/sim/events`,
  ])('refuses a URL on its own listener with a 400 naming Url (%#)', async (urlOf) => {
    sim = await startTestSim();
    const url = urlOf(sim.server.port);
    const res = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'sent', Url: url, Version: 2 } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ErrorMessage: string; StatusCode: number };
    expect(body.StatusCode).toBe(400);
    expect(body.ErrorMessage).toContain('"Url"');
    expect(body.ErrorMessage).toContain('mjsim itself');
    expect(body.ErrorMessage).not.toContain(SECRET);
  });

  it('refuses a PUT that points a URL at itself, and accepts another port of the same host', async () => {
    sim = await startTestSim();
    const other = `http://127.0.0.1:${sim.server.port === 65535 ? 1 : sim.server.port + 1}/hook`;
    const created = await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'sent', Url: other } });
    expect(created.status).toBe(201);
    const { Data } = (await created.json()) as { Data: { ID: number }[] };
    const res = await sim.api(`/v3/REST/eventcallbackurl/${Data[0]!.ID}`, { method: 'PUT', json: { Url: `http://localhost:${sim.server.port}/sim/events` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { ErrorMessage: string }).ErrorMessage).toContain('"Url"');
  });
});

describe('the amplification setup stays at one event', () => {
  it.each([
    ['a literal loopback address (checked before connecting)', '127.0.0.1'],
    ['a name that resolves to loopback (checked after the lookup)', 'localhost'],
  ])('%s: every attempt is refused as `self`, the URL is suspended, and the account keeps one event', async (_label, host) => {
    sim = await startTestSim();
    const row = insertDirectly(`http://${KEY}:${SECRET}@${host}:${sim.server.port}/sim/events`);
    const emitted = await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'loop@example.com' } });
    expect(emitted.status).toBe(201);

    const summary = await sim.server.engine.advance(sim.server.clock.now() + (5 * 60 + 6) * 60_000);

    expect(eventCount()).toBe(1);
    expect(summary).toMatchObject({ attempts: 21, successes: 0, failures: 21, urlsSuspended: 1 });
    const [delivery] = listDeliveries(sim.server.db, null, { callbackUrlId: row.id }, 10, 0);
    const attempts = attemptsOf(sim.server.db, delivery!.id);
    expect(attempts).toHaveLength(21);
    expect(new Set(attempts.map((attempt) => attempt.outcome))).toEqual(new Set(['self']));
    expect(attempts[0]!.error).toMatch(/mjsim's own listener/);
    expect(attempts[0]!.url).not.toContain(SECRET);
  });

  it('a URL on another port of the same host is delivered as usual', async () => {
    sim = await startTestSim();
    insertDirectly(`http://127.0.0.1:${sim.server.port === 65535 ? 1 : sim.server.port + 1}/hook`);
    await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'a@example.com' } });
    await sim.server.engine.advance(sim.server.clock.now() + 1_000);
    const [delivery] = listDeliveries(sim.server.db, null, {}, 10, 0);
    expect(attemptsOf(sim.server.db, delivery!.id)[0]!.outcome).not.toBe('self');
  });
});

describe("requests with mjsim's webhook User-Agent", () => {
  it.each([
    ['/sim/events', { event: 'sent', email: 'a@example.com' }, (body: any) => expect(body.error.code).toBe('forbidden')],
    ['/sim/reset', {}, (body: any) => expect(body.error.code).toBe('forbidden')],
    ['/v3/send', { FromEmail: 'a@example.com', Recipients: [{ Email: 'b@example.com' }], 'Text-part': 'x' }, (body: any) => expect(body.StatusCode).toBe(403)],
    ['/v3.1/send', { Messages: [] }, (body: any) => expect(body).toMatchObject({ StatusCode: 403, ErrorMessage: expect.stringContaining('User-Agent') })],
    ['/v3/REST/eventcallbackurl', { EventType: 'sent', Url: 'https://example.com/hook' }, (body: any) => expect(body.StatusCode).toBe(403)],
  ])('POST %s is refused with 403 in its envelope, and changes nothing', async (path, json, check) => {
    sim = await startTestSim();
    for (const userAgent of [MJSIM_UA, 'mjsim/9.9.9 (mailjet-webhook-simulator)']) {
      const res = await sim.api(path, { method: 'POST', json, headers: { 'user-agent': userAgent } });
      expect(res.status).toBe(403);
      check(await res.json());
    }
    expect(eventCount()).toBe(0);
  });

  it('other User-Agents are served as before', async () => {
    sim = await startTestSim();
    const res = await sim.api('/sim/events', { method: 'POST', json: { event: 'sent', email: 'a@example.com' }, headers: { 'user-agent': 'curl/8.0' } });
    expect(res.status).toBe(201);
  });
});
