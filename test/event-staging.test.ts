/**
 * Accepted events are staged (an index that grows only at its end) and folded into the time index when the
 * earliest of them could be due: a send's commit never writes the time index, and no staged event is ever
 * missed, whether the fold commits, rolls back, or a new process opens the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dueUnroutedEvents, insertEvents, nextUnroutedAt, type NewEvent } from '../src/db/events.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { statement } from '../src/db/statements.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { message, registerAll, send } from './helpers/send.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

const event = (occurredAt: number, email = 'a@example.com'): NewEvent => ({
  accountId: 1,
  eventType: 'sent',
  occurredAt,
  payload: '{}',
  messageId: '1',
  email,
});

/** How many events are in each state: staged (2), waiting in the time index (0), routed (1). */
function states(db: Db): Record<string, number> {
  const rows = statement(db, 'select routed, count(*) as n from events group by routed').all() as { routed: number; n: number }[];
  return Object.fromEntries(rows.map((row) => [String(row.routed), row.n]));
}

describe('staged events', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mjsim-staging-'));
    db = openDb(join(dir, 'staging.db'));
  });
  afterEach(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are staged on insert, counted by nextUnroutedAt, and folded only once one could be due', () => {
    inTransaction(db, () => insertEvents(db, [event(T0 + 5_000), event(T0 + 2_000)], T0));
    expect(states(db)).toEqual({ '2': 2 });
    expect(nextUnroutedAt(db)).toBe(T0 + 2_000);
    // Nothing due yet: the time index is left alone.
    expect(inTransaction(db, () => dueUnroutedEvents(db, T0 + 1_999, 10))).toEqual([]);
    expect(states(db)).toEqual({ '2': 2 });
    // One is due: both move to the time index, and only the due one comes out, in time order.
    const due = inTransaction(db, () => dueUnroutedEvents(db, T0 + 2_000, 10));
    expect(due.map((e) => e.occurredAt)).toEqual([T0 + 2_000]);
    expect(states(db)).toEqual({ '0': 2 });
    expect(nextUnroutedAt(db)).toBe(T0 + 2_000);
  });

  it('a fold rolled back with its transaction loses no event', () => {
    inTransaction(db, () => insertEvents(db, [event(T0 + 1_000)], T0));
    expect(() =>
      inTransaction(db, () => {
        expect(dueUnroutedEvents(db, T0 + 1_000, 10)).toHaveLength(1);
        throw new Error('the routing pass fails');
      }),
    ).toThrow('the routing pass fails');
    expect(states(db)).toEqual({ '2': 1 });
    expect(nextUnroutedAt(db)).toBe(T0 + 1_000);
    expect(inTransaction(db, () => dueUnroutedEvents(db, T0 + 1_000, 10))).toHaveLength(1);
  });

  it('an event staged after a fold in the same transaction stays known', () => {
    inTransaction(db, () => insertEvents(db, [event(T0 + 1_000)], T0));
    inTransaction(db, () => {
      dueUnroutedEvents(db, T0 + 1_000, 10);
      insertEvents(db, [event(T0 + 3_000)], T0);
    });
    expect(states(db)).toEqual({ '0': 1, '2': 1 });
    statement(db, 'update events set routed = 1 where routed = 0').run();
    expect(nextUnroutedAt(db)).toBe(T0 + 3_000);
  });

  it('a new connection knows what an earlier one staged', () => {
    inTransaction(db, () => insertEvents(db, [event(T0 + 4_000)], T0));
    db.$client.close();
    db = openDb(join(dir, 'staging.db'));
    expect(states(db)).toEqual({ '2': 1 });
    expect(nextUnroutedAt(db)).toBe(T0 + 4_000);
    expect(inTransaction(db, () => dueUnroutedEvents(db, T0 + 4_000, 10))).toHaveLength(1);
    expect(states(db)).toEqual({ '0': 1 });
  });
});

describe('sends and the time index', () => {
  let sim: TestSim;
  let receiver: Receiver;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mjsim-staging-sim-'));
    sim = await startTestSim({ db: join(dir, 'sim.db') });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('200 sends write nothing into the time index until their events could be due, then every event goes out once', async () => {
    await registerAll(sim, receiver.url, ['sent']);
    const db = sim.server.db;
    const timeIndexPages = () => (statement(db, "select count(*) as n from dbstat where name = 'events_unrouted'").get() as { n: number }).n;
    const before = timeIndexPages();
    for (let i = 0; i < 20; i++) {
      const answer = await send(sim, { Messages: Array.from({ length: 10 }, (_, j) => message(`r${i}-${j}@example.com`)) });
      expect(answer.status).toBe(200);
    }
    expect(states(db)).toEqual({ '2': 200 });
    expect(timeIndexPages()).toBe(before);
    await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '10s' } });
    expect(states(db)).toEqual({ '1': 200 });
    await receiver.waitFor(200);
    expect(new Set(receiver.requests.map((request) => request.body)).size).toBe(200);
  });
});
