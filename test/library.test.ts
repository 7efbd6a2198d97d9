import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RETRY_POLICIES } from '../src/core/retry-policy.js';
import { createSimulator, scheduleOffsets, SimulatorError, type Simulator } from '../src/index.js';
import type { RunningServer } from '../src/serve.js';

/** The whole server behind a simulator (its public `server` shows only its address, clock, events and SQLite). */
const whole = (sim: Simulator) => sim.server as RunningServer;
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { T0 } from './helpers/sim.js';

let sim: Simulator;
let receiver: Receiver;

beforeEach(async () => {
  sim = await createSimulator({ startAt: new Date(T0) });
  receiver = await startReceiver();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

describe('createSimulator', () => {
  it('starts on 127.0.0.1 with a free port, the manual clock and working credentials', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    const auth = `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}`;
    const res = await fetch(`${sim.url}/v3/REST/eventcallbackurl`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    expect(sim.now().getTime()).toBe(T0);
  });

  it('delivers an emitted event at once and shows the delivery with its attempt and payload', async () => {
    await sim.registerUrl({ eventType: 'open', url: receiver.url });
    const [payload] = sim.emit({ event: 'open', email: 'reader@example.com' });
    await sim.waitUntilIdle();
    expect(receiver.requests).toHaveLength(1);
    const [listed] = sim.deliveries();
    expect(listed).toMatchObject({ status: 'delivered', eventTypes: ['open'], attemptCount: 1 });
    const detail = sim.delivery(listed!.id)!;
    expect(detail.attempts.map((a) => [a.number, a.outcome, a.httpStatus, a.startedAt])).toEqual([[1, 'success', 200, T0]]);
    expect(detail.events[0]).toMatchObject({ event: 'open', email: 'reader@example.com', MessageID: payload!.MessageID });
    expect(typeof payload!.MessageID).toBe('bigint');
    expect(sim.delivery(999_999)).toBeUndefined();
  });

  it('says, when asked, where emitted events go: due, grouped by a Version 2 URL, or suppressed', async () => {
    await sim.registerUrl({ eventType: 'open', url: receiver.url });
    await sim.registerUrl({ eventType: 'click', url: receiver.url, version: 2 });
    const { events, outcomes } = sim.emit([{ event: 'open' }, { event: 'click' }, { event: 'bounce' }], { outcomes: true });
    expect(events.map((e) => e.event)).toEqual(['open', 'click', 'bounce']);
    expect(outcomes.map((o) => [o.eventType, o.outcome])).toEqual([['open', 'due'], ['click', 'grouped'], ['bounce', 'suppressed']]);
    expect(outcomes[1]!.note).toMatch(/^Version 2: advance 1s/);
    // Without the option, emit still returns the bare payloads.
    expect(Array.isArray(sim.emit({ event: 'open' }))).toBe(true);
    expect(() => sim.emit({ event: 'opened' as never }, { outcomes: true })).toThrow(SimulatorError);
  });

  it('advances by durations and to the next attempt, with attempts at the policy offsets', async () => {
    receiver.reply((_request, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    await sim.registerUrl({ eventType: 'bounce', url: receiver.url });
    sim.emit({ event: 'bounce', email: 'gone@example.com' });
    await sim.waitUntilIdle();
    // Attempt 1, answered before the first advance, counts in it all the same (issue 18); never twice.
    expect(await sim.advance('29s')).toMatchObject({ attempts: 1, failures: 1 });
    expect(await sim.advance('1s')).toMatchObject({ attempts: 1, failures: 1 });
    expect(await sim.advance('next')).toMatchObject({ attempts: 1, successes: 1 });
    const detail = sim.delivery(sim.deliveries()[0]!.id)!;
    expect(detail.status).toBe('delivered');
    expect(detail.attempts.map((a) => a.startedAt - T0)).toEqual([0, 30_000, 60_000]);
    expect(sim.deliveries({ status: 'pending' })).toEqual([]);
    expect(sim.deliveries({ eventType: 'bounce' })).toHaveLength(1);
    expect(sim.deliveries({ email: 'Gone@Example.com' })).toHaveLength(1);
    expect(sim.deliveries({ email: 'reader@example.com' })).toEqual([]);
  });

  it('walks the whole mailjet-2017 schedule to suspension, hands over to the backup, and reactivates', async () => {
    const backup = await startReceiver();
    try {
      receiver.reply({ status: 503 });
      const primary = await sim.registerUrl({ eventType: 'bounce', url: receiver.url });
      await sim.registerUrl({ eventType: 'bounce', url: backup.url, isBackup: true });
      sim.emit({ event: 'bounce', email: 'gone@example.com' });
      const summary = await sim.advanceUntilSuspended();
      // Attempt 1 was due (emitted) when the advance began: it counts.
      expect(summary).toMatchObject({ stoppedBecause: 'suspended', urlsSuspended: 1, failures: 21 });
      await sim.waitUntilIdle();
      expect(receiver.requests).toHaveLength(21);
      expect(backup.requests).toHaveLength(1);
      // The backup received the event: handed over, not failed (issue 18).
      const failed = sim.deliveries({ status: 'handed_over' })[0]!;
      expect(sim.delivery(failed.id)!.attempts.map((a) => a.startedAt - T0)).toEqual(scheduleOffsets(RETRY_POLICIES['mailjet-2017']!));
      expect(sim.callbackUrls().map((u) => [u.isBackup, u.status])).toEqual([
        [false, 'dead'],
        [true, 'alive'],
      ]);
      expect(await sim.updateUrl(primary.id, { status: 'alive' })).toMatchObject({ id: primary.id, status: 'alive' });
    } finally {
      await backup.close();
    }
  });

  it('stops advancing to suspension when nothing is due, or when the next attempt lies beyond the whole schedule', async () => {
    const gaveUp = await createSimulator({ startAt: new Date(T0), policy: 'custom:1s*2,give-up' });
    try {
      receiver.reply({ status: 500 });
      await gaveUp.registerUrl({ eventType: 'open', url: receiver.url });
      gaveUp.emit({ event: 'open' });
      expect(await gaveUp.advanceUntilSuspended()).toMatchObject({ stoppedBecause: 'nothing-due', attempts: 3, urlsSuspended: 0 });
      expect(gaveUp.deliveries()[0]).toMatchObject({ status: 'failed', reason: 'all 3 attempts failed' });
      whole(gaveUp).engine.accept(gaveUp.accountId, [{ type: 'open', payload: { event: 'open', email: 'later@example.com' }, occurredAt: T0 + 3 * 3_600_000 }]);
      expect(await gaveUp.advanceUntilSuspended()).toMatchObject({ stoppedBecause: 'schedule-elapsed', steps: 0 });
    } finally {
      await gaveUp.close();
    }
  });

  it('says why a delivery failed in words that count right: "its only attempt", "all 3 attempts"', async () => {
    const once = await createSimulator({ startAt: new Date(T0), policy: 'custom:give-up' });
    try {
      receiver.reply({ status: 500 });
      await once.registerUrl({ eventType: 'open', url: receiver.url });
      once.emit({ event: 'open' });
      await once.waitUntilIdle();
      expect(once.deliveries()[0]).toMatchObject({ status: 'failed', attemptCount: 1, reason: 'its only attempt failed' });
    } finally {
      await once.close();
    }
  });

  it('registers URLs with the API\'s own validation and errors', async () => {
    await expect(sim.registerUrl({ eventType: 'open', url: 'ftp://nope' })).rejects.toMatchObject({
      name: 'SimulatorError',
      httpStatus: 400,
      message: expect.stringContaining('Url'),
    });
    await sim.registerUrl({ eventType: 'open', url: receiver.url, version: 2 });
    await expect(sim.registerUrl({ eventType: 'open', url: receiver.url })).rejects.toBeInstanceOf(SimulatorError);
    expect(sim.callbackUrls()).toEqual([{ id: expect.any(Number), eventType: 'open', url: receiver.url, isBackup: false, status: 'alive', version: 2 }]);
  });

  it('rejects bad arguments without touching the clock', async () => {
    await expect(sim.advance('soon')).rejects.toBeInstanceOf(SimulatorError);
    await expect(sim.advanceTo(new Date(T0 - 1))).rejects.toBeInstanceOf(SimulatorError);
    expect(() => sim.emit({ event: 'opened' as never })).toThrow(SimulatorError);
    expect(() => sim.deliveries({ status: 'lost' as never })).toThrow(SimulatorError);
    expect(sim.now().getTime()).toBe(T0);
    await sim.advanceTo(new Date(T0 + 60_000));
    expect(sim.now().getTime()).toBe(T0 + 60_000);
  });

  it('sends mail through POST /v3.1/send, and the message\'s sent event reaches the registered URL', async () => {
    await sim.registerUrl({ eventType: 'sent', url: receiver.url });
    const message = { From: { Email: 'shop@example.com' }, To: [{ Email: 'buyer@example.com' }], Subject: 'Your order', TextPart: 'Thanks!' };
    const { httpStatus, body } = await sim.send([message]);
    expect(httpStatus).toBe(200);
    const sent = body.Messages![0]!;
    expect(sent.Status).toBe('success');
    const messageId = sent.To![0]!.MessageID;
    expect(typeof messageId).toBe('bigint');
    await sim.advance('1h');
    const sentEvent = receiver.requests.map((request) => JSON.parse(request.body.replace(/"MessageID":(\d+)/, '"MessageID":"$1"'))).find((event) => event.event === 'sent');
    expect(sentEvent).toMatchObject({ email: 'buyer@example.com', MessageID: String(messageId) });

    const invalid = await sim.send([{ ...message, TextPart: undefined }]);
    expect(invalid.httpStatus).toBe(400);
    expect(invalid.body.Messages![0]!.Status).toBe('error');
    expect((await sim.send([message], { sandbox: true })).body.Messages![0]!.To![0]!.MessageID).toBe(0);
  });

  it('resets the account and frees the port on close', async () => {
    await sim.registerUrl({ eventType: 'open', url: receiver.url });
    sim.emit([{ event: 'open' }, { event: 'open' }]);
    await sim.waitUntilIdle();
    expect(sim.deliveries()).toHaveLength(2);
    const [newer, older] = sim.deliveries();
    expect(sim.deliveries({ before: newer!.id })).toEqual([older]);
    expect(sim.deliveries({ after: older!.id, eventType: 'open', status: 'delivered', url: receiver.url })).toEqual([newer]);
    expect(sim.deliveries({ limit: 1, offset: 1 })).toEqual([older]);
    await sim.reset();
    expect(sim.deliveries()).toEqual([]);
    expect(sim.callbackUrls()).toEqual([]);
    const url = sim.url;
    await sim.close();
    await expect(fetch(`${url}/sim/health`)).rejects.toThrow();
  });
});
