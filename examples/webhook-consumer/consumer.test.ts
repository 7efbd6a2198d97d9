/**
 * The consumer's own tests, written the way a user of mjsim would write them: the library API starts a
 * simulator in-process on the manual clock, so a five-hour retry schedule runs in milliseconds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConsumer, createSimulator, type Simulator } from '../../src/index.js';
import { startConsumer, type Consumer } from './consumer.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
let sim: Simulator;
let consumer: Consumer;

beforeEach(async () => {
  sim = await createSimulator({ startAt: new Date(T0) });
  consumer = await startConsumer({ contacts: ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'] });
});
afterEach(async () => {
  await sim.close();
  await consumer.close();
});

describe('webhook consumer', () => {
  it('stores opens (Version 1, one object) and clicks (Version 2, an array) with exact MessageIDs', async () => {
    await sim.registerUrl({ eventType: 'open', url: consumer.primaryUrl });
    await sim.registerUrl({ eventType: 'click', url: consumer.primaryUrl, version: 2 });
    const [open, click] = sim.emit([
      { event: 'open', email: 'Ann@example.com' },
      { event: 'click', email: 'bob@example.com', url: 'https://shop.example/sale' },
    ]);
    await sim.waitUntilIdle();
    expect(consumer.store.opens).toEqual([{ messageId: String(open!.MessageID), email: 'ann@example.com', time: T0 / 1000 }]);
    expect(consumer.store.clicks).toEqual([]); // a Version 2 group waits one second for more events
    await sim.advance('1s');
    expect(consumer.store.clicks).toEqual([{ messageId: String(click!.MessageID), email: 'bob@example.com', url: 'https://shop.example/sale', time: T0 / 1000 }]);
    expect(BigInt(consumer.store.clicks[0]!.messageId)).toBeGreaterThan(2n ** 53n);
  });

  it('removes hard-bounced, blocked, spam and unsub addresses, and keeps soft bounces', async () => {
    for (const eventType of ['bounce', 'blocked', 'spam', 'unsub'] as const) await sim.registerUrl({ eventType, url: consumer.primaryUrl });
    sim.emit([
      { event: 'bounce', email: 'ann@example.com' },
      { event: 'bounce', email: 'bob@example.com', hard_bounce: false, error: 'mailbox full' },
      { event: 'spam', email: 'cat@example.com' },
      { event: 'unsub', email: 'dan@example.com' },
    ]);
    await sim.waitUntilIdle();
    expect([...consumer.store.contacts]).toEqual(['bob@example.com']);
    expect(Object.fromEntries(consumer.store.suppressed)).toEqual({
      'ann@example.com': 'hard bounce: user unknown',
      'cat@example.com': 'spam',
      'dan@example.com': 'unsub',
    });
  });

  it('processes an event once when a failed response makes mjsim deliver it again', async () => {
    await sim.registerUrl({ eventType: 'open', url: consumer.primaryUrl });
    consumer.failAfterProcessing(1);
    sim.emit({ event: 'open', email: 'ann@example.com' });
    await sim.waitUntilIdle();
    expect(consumer.calls.map((call) => call.status)).toEqual([500]);

    await sim.advance('30s'); // mailjet-2017: the first retry comes 30 s later
    expect(consumer.calls.map((call) => call.status)).toEqual([500, 200]);
    expect(consumer.calls[1]!.events).toEqual(consumer.calls[0]!.events);
    expect(consumer.store.opens).toHaveLength(1);
    expect(consumer.store.duplicates).toBe(1);
    const [delivery] = sim.deliveries();
    expect(sim.delivery(delivery!.id)!.attempts.map((a) => [a.number, a.httpStatus, a.startedAt - T0])).toEqual([
      [1, 500, 0],
      [2, 200, 30_000],
    ]);
  });

  it('gets the event on its backup URL once the primary is suspended, and new events go straight there', async () => {
    const primary = await sim.registerUrl({ eventType: 'bounce', url: consumer.primaryUrl });
    await sim.registerUrl({ eventType: 'bounce', url: consumer.backupUrl, isBackup: true });
    consumer.setDown('primary', true);
    sim.emit({ event: 'bounce', email: 'ann@example.com' });

    const summary = await sim.advanceUntilSuspended();
    await sim.waitUntilIdle();
    expect(summary.stoppedBecause).toBe('suspended');
    expect(sim.now().getTime() - T0).toBe(5 * 3_600_000 + 5 * 60_000); // the 21st attempt, 5 h 05 min after the first
    const primaryCalls = consumer.calls.filter((call) => call.endpoint === 'primary');
    expect(primaryCalls).toHaveLength(21);
    expect(primaryCalls.every((call) => call.status === 503)).toBe(true);
    const backupCalls = consumer.calls.filter((call) => call.endpoint === 'backup');
    expect(backupCalls.map((call) => [call.status, call.events[0]?.email])).toEqual([[200, 'ann@example.com']]);
    expect(consumer.store.contacts.has('ann@example.com')).toBe(false);
    expect(sim.callbackUrls().find((url) => url.id === primary.id)?.status).toBe('dead');

    // Later events skip the dead primary entirely.
    sim.emit({ event: 'bounce', email: 'bob@example.com' });
    await sim.waitUntilIdle();
    expect(consumer.calls.slice(22).map((call) => call.endpoint)).toEqual(['backup']);

    // Once the consumer is fixed, reactivating the primary (PUT Status alive) brings the traffic back.
    consumer.setDown('primary', false);
    await sim.updateUrl(primary.id, { status: 'alive' });
    sim.emit({ event: 'bounce', email: 'cat@example.com' });
    await sim.waitUntilIdle();
    expect(consumer.calls.at(-1)).toMatchObject({ endpoint: 'primary', status: 200 });
    expect([...consumer.store.contacts]).toEqual(['dan@example.com']);
  });

  it('is ready for Mailjet: mjsim check finds no failure and no warning when it enforces its credentials', async () => {
    const guarded = await startConsumer({ credentials: 'hook:s3cret' });
    try {
      const report = await checkConsumer(guarded.primaryUrl);
      expect(report.failures).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(guarded.store.duplicates).toBe(1); // the duplicate case: processed once, answered 200 twice
    } finally {
      await guarded.close();
    }
  });
});
