/**
 * mjsim's own control API, what it does when asked well: the clock, advancing it, injected events,
 * deliveries (list, detail, replay, reset), the test event, and the other retry policies. Its refusals are in
 * sim-api.error.test.ts; who may call it, in sim-api.security.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectError } from './helpers/error-envelope.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));

describe('/sim basics', () => {
  it('shows the clock', async () => {
    const res = await sim.api('/sim/clock');
    expect(await res.json()).toEqual({ scope: 'server', mode: 'manual', factor: 0, now: new Date(T0).toISOString(), nowMs: T0, nextDueAt: null, attemptsMade: 0 });
  });
});

describe('POST /sim/clock/advance', () => {
  it('accepts a duration, an ISO time, and next (which stays put when nothing is due)', async () => {
    const by = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '1m30s' } })).json()) as { to: string };
    expect(by.to).toBe(new Date(T0 + 90_000).toISOString());
    const ms = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '10s' } })).json()) as { to: string };
    expect(ms.to).toBe(new Date(T0 + 100_000).toISOString());
    const iso = new Date(T0 + 3_600_000).toISOString();
    expect(((await (await sim.api('/sim/clock/advance', { method: 'POST', json: { to: iso } })).json()) as { to: string }).to).toBe(iso);
    const next = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { to: 'next' } })).json()) as { to: string; attempts: number };
    expect(next).toMatchObject({ to: iso, attempts: 0 });
  });
});

describe('POST /sim/events', () => {
  it('fills every field realistically and keeps what is given', async () => {
    const res = await sim.api('/sim/events', {
      method: 'POST',
      json: { event: 'bounce', email: 'x@example.com', CustomID: 'order-1', hard_bounce: false, extra: 'kept' },
    });
    expect(res.status).toBe(201);
    const { events } = (await res.json()) as { events: Record<string, unknown>[] };
    expect(Object.keys(events[0]!)).toEqual([
      'event', 'time', 'MessageID', 'Message_GUID', 'email', 'mj_campaign_id', 'mj_contact_id', 'customcampaign', 'CustomID', 'Payload',
      'blocked', 'hard_bounce', 'error_related_to', 'error', 'comment', 'extra',
    ]);
    expect(events[0]).toMatchObject({ event: 'bounce', time: T0 / 1000, email: 'x@example.com', CustomID: 'order-1', hard_bounce: false, extra: 'kept' });
    expect(events[0]!.Message_GUID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an event is due at once: attempt 1 happens without moving the clock', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'unsub', Url: receiver.url } });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'unsub' } });
    await receiver.waitFor(1);
    expect(sim.server.clock.now()).toBe(T0);
  });
});

describe('deliveries, replay, reset', () => {
  it('lists with filters, shows one with attempts and body, replays, and keeps accounts apart', async () => {
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } });
    await sim.api('/sim/events', { method: 'POST', json: [{ event: 'open' }, { event: 'click' }] });
    await sim.server.engine.idle();
    const pending = (await (await sim.api('/sim/deliveries?status=pending')).json()) as { deliveries: { id: number; eventTypes: string[] }[] };
    expect(pending.deliveries.map((d) => d.eventTypes)).toEqual([['open']]);
    const byType = (await (await sim.api('/sim/deliveries?eventType=click')).json()) as { deliveries: { status: string }[] };
    expect(byType.deliveries.map((d) => d.status)).toEqual(['suppressed']);
    const byUrl = (await (await sim.api(`/sim/deliveries?url=${encodeURIComponent(receiver.url)}`)).json()) as { deliveries: unknown[] };
    expect(byUrl.deliveries).toHaveLength(1);

    const id = pending.deliveries[0]!.id;
    const detail = (await (await sim.api(`/sim/deliveries/${id}`)).json()) as Record<string, unknown> & { attempts: unknown[]; body: { event: string } };
    expect(detail).toMatchObject({ status: 'pending', attemptCount: 1, nextAttemptAt: new Date(T0 + 30_000).toISOString(), nextRetryDelayMs: 30_000 });
    expect(detail.attempts).toHaveLength(1);
    expect(detail.body.event).toBe('open');

    expect((await sim.api(`/sim/deliveries/${id}`, { as: 'other' })).status).toBe(404);
    expect((await sim.api(`/sim/deliveries/${id}/replay`, { method: 'POST', as: 'other' })).status).toBe(404);
    await expectError(await sim.api('/sim/deliveries?status=lost'), 400, 'invalid-input', /Invalid status "lost"/);
    await expectError(await sim.api('/sim/deliveries/abc'), 404, 'not-found', /No delivery abc/);

    receiver.reply({ status: 200 });
    const replay = (await (await sim.api(`/sim/deliveries/${id}/replay`, { method: 'POST' })).json()) as { deliveries: number[] };
    expect(replay.deliveries).toHaveLength(1);
    await receiver.waitFor(2);

    const reset = (await (await sim.api('/sim/reset', { method: 'POST' })).json()) as Record<string, number>;
    expect(reset).toMatchObject({ callbackUrls: 1, events: 2 });
    expect(((await (await sim.api('/sim/deliveries')).json()) as { deliveries: unknown[] }).deliveries).toEqual([]);
    expect(((await (await sim.api('/v3/REST/eventcallbackurl')).json()) as { Count: number }).Count).toBe(0);
  });

  it('POST /v3/REST/eventcallbackurl/{ID}/test sends a test event through the same path', async () => {
    const created = (await (await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'click', Url: receiver.url } })).json()) as {
      Data: { ID: number }[];
    };
    const res = await sim.api(`/v3/REST/eventcallbackurl/${created.Data[0]!.ID}/test`, { method: 'POST', json: {} });
    expect(res.status).toBe(200);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({ event: 'click', CustomID: 'mjsim-test' });
  });
});

describe('other retry policies', () => {
  // Each test here starts a simulator of its own in place of the shared one: close that one too.
  afterEach(() => sim.close());

  it('mailjet-2015 gives up after 11 attempts 10 minutes apart and leaves the URL alive', async () => {
    await sim.close();
    sim = await startTestSim({ policy: 'mailjet-2015' });
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    await sim.server.engine.idle(); // attempt 1 answered before the advance: the summary counts it all the same (issue 18)
    const summary = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '2h' } })).json()) as Record<string, number>;
    expect(summary).toMatchObject({ attempts: 11, urlsSuspended: 0 });
    expect(receiver.requests).toHaveLength(11);
    const list = (await (await sim.api('/v3/REST/eventcallbackurl')).json()) as { Data: { Status: string }[] };
    expect(list.Data[0]!.Status).toBe('alive');
    expect(((await (await sim.api('/sim/deliveries?status=failed')).json()) as { deliveries: unknown[] }).deliveries).toHaveLength(1);
  });

  it('a custom table is walked exactly', async () => {
    await sim.close();
    sim = await startTestSim({ policy: 'custom:1s*2,1m,suspend' });
    receiver.reply({ status: 500 });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: receiver.url } });
    await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
    await sim.server.engine.idle(); // attempt 1 answered before the advance: the summary counts it all the same (issue 18)
    const summary = (await (await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '1h' } })).json()) as Record<string, number>;
    expect(summary).toMatchObject({ attempts: 4, urlsSuspended: 1 });
    const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number }[] };
    const detail = (await (await sim.api(`/sim/deliveries/${list.deliveries[0]!.id}`)).json()) as { attempts: { startedAtMs: number }[] };
    expect(detail.attempts.map((a) => a.startedAtMs - T0)).toEqual([0, 1000, 2000, 62_000]);
  });
});
