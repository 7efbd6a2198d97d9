/**
 * Retention and pruning on a real SQLite file with the manual clock: exactly the finished history before
 * the cutoff goes, pending work and its chains stay, `--retain` prunes during an advance, and the file stops
 * growing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig } from '../src/config/config.js';
import { openDb, autoVacuumMode } from '../src/db/open-db.js';
import { createSimulator, type Simulator } from '../src/simulator.js';
import type { RunningServer } from '../src/serve.js';

/** The whole server behind a simulator (its public `server` shows only its address, clock, events and SQLite). */
const whole = (sim: Simulator) => sim.server as RunningServer;
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { T0 } from './helpers/sim.js';

const H = 3_600_000;
let dir: string;
let receiver: Receiver;
let sim: Simulator | undefined;
/** Paths whose receiver answers 500. */
const failing = new Set<string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-retention-'));
  receiver = await startReceiver();
  receiver.reply((request) => ({ status: failing.has(request.path.replace(/^\/webhook/, '')) ? 500 : 200 }));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  failing.clear();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (s: Simulator, sql: string, ...params: unknown[]) => s.server.db.$client.prepare(sql).all(...params) as Record<string, unknown>[];
const ids = (s: Simulator, sql: string, ...params: unknown[]) => rows(s, sql, ...params).map((row) => row.id as number);
const statusOf = (s: Simulator, id: number) => (rows(s, 'select status from deliveries where id = ?', id)[0]?.status as string | undefined) ?? 'pruned';

describe('prune', () => {
  it('removes exactly the finished history before the cutoff, and nothing pending or chained to pending work', async () => {
    sim = await createSimulator({ db: join(dir, 'exact.db'), startAt: new Date(T0), policy: 'custom:1m*1,10h*1', maxBatch: 10 });
    const s = sim;
    const url = (path: string) => `${receiver.url}/${path}`;
    await s.registerUrl({ eventType: 'sent', url: url('sent') });
    await s.registerUrl({ eventType: 'click', url: url('click'), version: 2 });
    await s.registerUrl({ eventType: 'bounce', url: url('bounce') });
    await s.registerUrl({ eventType: 'open', url: url('open') });
    await s.registerUrl({ eventType: 'open', url: url('open-backup'), isBackup: true });
    const blocked = await s.registerUrl({ eventType: 'blocked', url: url('blocked') });
    await s.registerUrl({ eventType: 'blocked', url: url('blocked-backup'), isBackup: true });
    failing.add('/bounce').add('/open').add('/open-backup').add('/blocked');

    // T0: one of each kind of finished history, and the starts of two chains that stay pending.
    s.emit([{ event: 'sent', email: 's1@example.com' }, { event: 'sent', email: 's2@example.com' }]);
    s.emit([{ event: 'spam', email: 'nobody-listens@example.com' }]);
    s.emit([{ event: 'click', email: 'c1@example.com' }, { event: 'click', email: 'c2@example.com' }]);
    s.emit([{ event: 'bounce', email: 'b@example.com' }]);
    s.emit([{ event: 'open', email: 'o1@example.com' }]);
    s.emit([{ event: 'blocked', email: 'k@example.com' }]);
    await s.waitUntilIdle();
    await s.updateUrl(blocked.id, { status: 'dead' }); // hands over to the backup, which answers 200
    await s.waitUntilIdle();
    const m1 = await s.send([{ From: { Email: 'shop@example.com' }, To: [{ Email: 'm1@example.com' }], Subject: 'Hi', TextPart: 'Hi' }]);
    await s.advance('5m');
    s.emit([{ event: 'open', email: 'o2@example.com' }]); // pending on the failing primary when it is suspended
    await s.advance('10h25m'); // T0+10h30m: bounce and open URLs exhausted at ~T0+10h1m and suspended

    // T0+10h30m: a replay and a sent message that stay pending (their receiver now fails).
    failing.add('/sent');
    const [s2] = s.deliveries({ eventType: 'sent', status: 'delivered' }).filter((d) => d.createdAt === new Date(T0).toISOString()).slice(-1);
    const replayed = await whole(s).engine.replay(s.accountId, s2!.id);
    const m2 = await s.send([{ From: { Email: 'shop@example.com' }, To: [{ Email: 'm2@example.com' }], Subject: 'Hi', TextPart: 'Hi' }]);
    await s.advance('1h'); // T0+11h30m
    failing.delete('/sent');
    s.emit([{ event: 'unsub', email: 'recent@example.com' }]); // suppressed at T0+11h30m: after the cutoff
    await s.waitUntilIdle();

    const all = rows(s, 'select id, status, parent_id, event_types, updated_at from deliveries order by id') as {
      id: number;
      status: string;
      parent_id: number | null;
      event_types: string;
      updated_at: number;
    }[];
    const cutoff = T0 + 11 * H;
    const byType = (type: string) => all.filter((d) => d.event_types.split(',').includes(type));
    // Every status is present before the prune.
    expect(new Set(all.map((d) => d.status))).toEqual(new Set(['delivered', 'failed', 'suppressed', 'handed_over', 'pending']));
    expect(byType('click')).toHaveLength(1); // one Version 2 group of two events
    const replayChild = all.find((d) => d.id === replayed![0])!;
    expect(replayChild).toMatchObject({ status: 'pending', parent_id: s2!.id });
    const openChains = byType('open');
    expect(openChains.filter((d) => d.status === 'pending').length).toBe(2); // o1 (failed parent) and o2 (handed-over parent) continue on the backup
    expect(openChains.some((d) => d.status === 'handed_over' && d.updated_at < cutoff)).toBe(true);

    const m2Id = String(m2.body.Messages![0]!.To![0]!.MessageID);
    const m1Id = String(m1.body.Messages![0]!.To![0]!.MessageID);
    const eventsBefore = rows(s, 'select id from events').length;
    // A dry run counts exactly what the prune then removes, and removes nothing itself.
    const counted = await s.prune(new Date(cutoff), { dryRun: true });
    expect(rows(s, 'select id from events').length).toBe(eventsBefore);
    expect(ids(s, 'select id from deliveries')).toHaveLength(all.length);
    const summary = await s.prune(new Date(cutoff));
    expect(counted).toEqual({ dryRun: true, before: cutoff, deliveries: summary.deliveries, attempts: summary.attempts, events: summary.events, messages: summary.messages });

    const left = new Set(ids(s, 'select id from deliveries'));
    // Kept: pending work, whatever shares its events (chains), and what ended after the cutoff.
    const mustStay = all.filter(
      (d) =>
        d.status === 'pending' ||
        d.updated_at >= cutoff ||
        d.id === s2!.id ||
        openChains.some((o) => o.id === d.id), // every open delivery is chained to a pending continuation
    );
    expect([...left].sort((a, b) => a - b)).toEqual(mustStay.map((d) => d.id));
    expect(summary.deliveries).toBe(all.length - mustStay.length);
    expect(statusOf(s, replayChild.id)).toBe('pending');
    // Pending children never point at a pruned parent.
    for (const child of rows(s, 'select parent_id from deliveries where parent_id is not null')) expect(left.has(child.parent_id as number)).toBe(true);
    // Attempts and event links of pruned deliveries are gone; every remaining link points at an event.
    expect(rows(s, 'select 1 from attempts where delivery_id not in (select id from deliveries)')).toHaveLength(0);
    expect(rows(s, 'select 1 from delivery_events where delivery_id not in (select id from deliveries)')).toHaveLength(0);
    expect(rows(s, 'select 1 from delivery_events where event_id not in (select id from events)')).toHaveLength(0);
    // Events go only when no delivery carries them; both clicks of the group went.
    expect(rows(s, 'select 1 from events where routed = 1 and id not in (select event_id from delivery_events)')).toHaveLength(0);
    expect(rows(s, `select 1 from events where event_type = 'click'`)).toHaveLength(0);
    expect(summary.events).toBe(eventsBefore - rows(s, 'select id from events').length);
    // The message whose sent event was delivered long ago is gone; the one whose event is pending stays.
    expect(rows(s, 'select 1 from messages where message_id = ?', m1Id)).toHaveLength(0);
    expect(rows(s, 'select 1 from messages where message_id = ?', m2Id)).toHaveLength(1);
    expect(summary.messages).toBe(1);
    const history = await fetch(`${s.url}/v3/REST/messagehistory/${m2Id}`, { headers: { authorization: `Basic ${Buffer.from(`${s.apiKey}:${s.apiSecret}`).toString('base64')}` } });
    expect(((await history.json()) as { Count: number }).Count).toBe(1);

    // The pending work still runs to the end after the prune.
    await s.advance('10h');
    expect(statusOf(s, replayChild.id)).toBe('delivered');
    // A second prune at the same cutoff finds nothing more.
    expect((await s.prune(new Date(cutoff))).deliveries).toBe(0);
  });

  it('prunes during an advance of the manual clock, by --retain on the clock', async () => {
    sim = await createSimulator({ db: join(dir, 'advance.db'), startAt: new Date(T0), retain: '2h' });
    const s = sim;
    await s.registerUrl({ eventType: 'sent', url: `${receiver.url}/sent` });
    const early = s.emit({ event: 'sent', email: 'early@example.com' });
    await s.waitUntilIdle();
    // Two events the advance reaches on its way: one just before the cutoff the advance ends at, one just after.
    whole(s).engine.accept(s.accountId, [
      { type: 'sent', payload: { ...early[0]!, email: 'before@example.com' }, occurredAt: T0 + 59 * 60_000 + 59_999 },
      { type: 'sent', payload: { ...early[0]!, email: 'after@example.com' }, occurredAt: T0 + H + 1 },
    ]);
    await s.advance('3h');
    await whole(s).retention!.settled();
    const left = rows(s, 'select e.email from deliveries d join delivery_events de on de.delivery_id = d.id join events e on e.id = de.event_id');
    expect(left.map((row) => row.email)).toEqual(['after@example.com']);
    expect(whole(s).retention!.removed.deliveries).toBe(2);
  });

  it('keeps the database file from growing once retention is on', async () => {
    const pages = async (retain: string | undefined, file: string) => {
      sim = await createSimulator({ db: join(dir, file), startAt: new Date(T0), retain });
      const s = sim;
      await s.registerUrl({ eventType: 'sent', url: `${receiver.url}/sent` });
      const counts: number[] = [];
      for (let round = 0; round < 12; round += 1) {
        s.emit(Array.from({ length: 300 }, (_, i) => ({ event: 'sent' as const, email: `r${round}-${i}@example.com`, CustomID: 'x'.repeat(400) })));
        await s.waitUntilIdle();
        await s.advance('1h');
        await whole(s).retention?.settled();
        const client = s.server.db.$client;
        counts.push((client.pragma('page_count', { simple: true }) as number) - (client.pragma('freelist_count', { simple: true }) as number));
      }
      const file_pages = s.server.db.$client.pragma('page_count', { simple: true }) as number;
      await s.close();
      sim = undefined;
      return { counts, file_pages };
    };
    const kept = await pages(undefined, 'grow.db');
    const pruned = await pages('90m', 'flat.db');
    // Without retention every round adds pages; with it the used pages of the last rounds stay level.
    expect(kept.counts[11]!).toBeGreaterThan(kept.counts[3]! * 2);
    expect(pruned.counts[11]!).toBeLessThanOrEqual(pruned.counts[3]! * 1.1);
    expect(pruned.file_pages).toBeLessThan(kept.file_pages / 2);
  });
});

describe('--retain', () => {
  it('takes a duration from the flag or MJSIM_RETAIN, and rejects anything else', () => {
    expect(parseServeConfig({}, {}).retainMs).toBeNull();
    expect(parseServeConfig({ retain: '7d' }, {}).retainMs).toBe(7 * 24 * H);
    expect(parseServeConfig({}, { MJSIM_RETAIN: '90m' }).retainMs).toBe(90 * 60_000);
    expect(() => parseServeConfig({ retain: 'forever' }, {})).toThrow(ConfigError);
    expect(() => parseServeConfig({ retain: '0s' }, {})).toThrow(/expected a duration above 0 \(e\.g\. 1h, 7d\) or off, got "0s"/);
    expect(() => parseServeConfig({}, { MJSIM_RETAIN: '7' })).toThrow(/^MJSIM_RETAIN: 7: add a unit, e\.g\. 7s, 7m, 7d$/);
  });
});

describe('openDb', () => {
  it('makes new files incremental-vacuum, and converts an older file when asked', () => {
    const fresh = openDb(join(dir, 'fresh.db'));
    expect(autoVacuumMode(fresh.$client)).toBe('incremental');
    fresh.$client.close();

    const legacyPath = join(dir, 'legacy.db');
    const legacy = new Database(legacyPath);
    legacy.exec('create table t (x)');
    legacy.close();
    const unchanged = openDb(legacyPath);
    expect(autoVacuumMode(unchanged.$client)).toBe('none');
    unchanged.$client.close();
    const converted = openDb(legacyPath, { incrementalVacuum: true });
    expect(autoVacuumMode(converted.$client)).toBe('incremental');
    expect(converted.$client.pragma('journal_size_limit', { simple: true })).toBe(64 * 2 ** 20);
    converted.$client.close();
  });
});
