/**
 * Accepted events are staged (an index that grows only at its end) and moved into the time index, a bounded
 * slice per routing pass, when the earliest of them could be due: a send's commit never writes the time index,
 * no staged event is ever missed, whether a slice commits, rolls back, or a new process opens the file
 * mid-move, and while a move is under way nothing is routed before an earlier staged event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findAccountByKey } from '../src/db/accounts.js';
import { type DueEvent, dueUnroutedEvents, insertEvents, markRouted, MOVE_SLICE, nextUnroutedAt, type NewEvent } from '../src/db/events.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { statement } from '../src/db/statements.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { message, received, registerAll, send } from './helpers/send.js';
import { KEY, startTestSim, T0, type TestSim } from './helpers/sim.js';

const event = (occurredAt: number, email = 'a@example.com'): NewEvent => ({
  accountId: 1,
  eventType: 'sent',
  occurredAt,
  payload: '{}',
  messageId: '1',
  email,
});

/** How many events are in each state: staged (2), waiting in the time index `due_events` (0), routed (1). */
function states(db: Db): Record<string, number> {
  const rows = statement(
    db,
    `select case when routed = 2 then 2 when exists (select 1 from due_events u where u.occurred_at = e.occurred_at and u.event_id = e.id) then 0 else 1 end as state,
       count(*) as n from events e group by 1`,
  ).all() as { state: number; n: number }[];
  return Object.fromEntries(rows.map((row) => [String(row.state), row.n]));
}

/** The staged events' earliest (time, ID), read from the file: what routing must not pass. */
function earliestStaged(db: Db): { t: number; id: number } | undefined {
  return statement(db, 'select occurred_at as t, id from events where routed = 2 order by occurred_at, id limit 1').get() as { t: number; id: number } | undefined;
}

/** One routing pass as the engine runs it: the due events, marked routed, in one transaction. */
function routePass(db: Db, now: number, limit = 1_000): DueEvent[] {
  return inTransaction(db, () => {
    const due = dueUnroutedEvents(db, now, limit);
    markRouted(
      db,
      due.map((e) => e.id),
    );
    return due;
  });
}

/** (time, ID) order, the order routing promises. */
const byTimeThenId = (a: { occurredAt: number; id: number }, b: { occurredAt: number; id: number }) => a.occurredAt - b.occurredAt || a.id - b.id;

/**
 * More than two slices of staged events, the latest-accepted ones due first (so the first slices moved hold
 * none of the earliest), some not due at all.
 */
function stageBacklog(db: Db): { due: number; notDue: number } {
  const due = 2 * MOVE_SLICE + 500;
  const notDue = 300;
  const rows = [
    ...Array.from({ length: due }, (_, i) => event(T0 + 1_000 + ((due - i) % 997), `r${i % 7}@example.com`)),
    ...Array.from({ length: notDue }, (_, i) => event(T0 + 60_000 + i)),
  ];
  inTransaction(db, () => insertEvents(db, rows, T0));
  return { due, notDue };
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

  it('go straight into the time index when due and nothing is staged, and are staged again once something is', () => {
    inTransaction(db, () => insertEvents(db, [event(T0), event(T0 - 5)], T0));
    expect(states(db)).toEqual({ '0': 2 });
    // A later event is staged; from then on a due one is staged too, so staged IDs stay above the time index's.
    inTransaction(db, () => insertEvents(db, [event(T0 + 3_000), event(T0)], T0));
    expect(states(db)).toEqual({ '0': 2, '2': 2 });
    expect(routePass(db, T0).map((e) => e.occurredAt)).toEqual([T0 - 5, T0, T0]);
    // That pass's move emptied the staging index, and it committed: due events skip it again.
    expect(states(db)).toEqual({ '0': 1, '1': 3 });
    inTransaction(db, () => insertEvents(db, [event(T0 + 1)], T0 + 1));
    expect(states(db)).toEqual({ '0': 2, '1': 3 });
    expect(routePass(db, T0 + 3_000).map((e) => e.occurredAt)).toEqual([T0 + 1, T0 + 3_000]);
  });

  it('marked routed while staged (a test event), are never moved nor routed again', () => {
    const [later, now] = inTransaction(db, () => insertEvents(db, [event(T0 + 3_000), event(T0)], T0));
    expect(states(db)).toEqual({ '2': 2 });
    inTransaction(db, () => markRouted(db, [now!]));
    expect(states(db)).toEqual({ '1': 1, '2': 1 });
    expect(routePass(db, T0 + 5_000).map((e) => e.id)).toEqual([later]);
    expect(states(db)).toEqual({ '1': 2 });
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
    statement(db, 'delete from due_events').run();
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

  it('move a slice per pass, and while some are staged route nothing that an earlier staged event precedes', () => {
    const { due, notDue } = stageBacklog(db);
    const now = T0 + 2_000;
    const routed: DueEvent[] = [];
    let passes = 0;
    for (let staged = due + notDue; ; ) {
      const batch = routePass(db, now);
      passes += 1;
      const left = states(db)['2'] ?? 0;
      // A bounded slice per pass, never the whole backlog in one statement.
      expect(staged - left).toBeLessThanOrEqual(MOVE_SLICE);
      staged = left;
      const next = earliestStaged(db);
      for (const e of batch) {
        expect(e.occurredAt).toBeLessThanOrEqual(now);
        if (next) expect(byTimeThenId(e, { occurredAt: next.t, id: next.id })).toBeLessThan(0);
      }
      // Memory's bound never passes what is still staged.
      if (next) expect(nextUnroutedAt(db)).toBeLessThanOrEqual(next.t);
      routed.push(...batch);
      if (batch.length === 0 && left === 0) break;
      expect(passes).toBeLessThan(100);
    }
    expect(passes).toBeGreaterThan(3);
    // Every due event once, in (time, ID) order across all passes; the later ones wait in the time index.
    expect(routed).toHaveLength(due);
    expect(routed.map((e) => e.id)).toEqual([...routed].sort(byTimeThenId).map((e) => e.id));
    expect(states(db)).toEqual({ '0': notDue, '1': due });
    expect(nextUnroutedAt(db)).toBe(T0 + 60_000);
  });

  it('a move cut off by a new process (or a rolled-back slice) goes on from where it stood, losing nothing', () => {
    const { due, notDue } = stageBacklog(db);
    const now = T0 + 2_000;
    const routed: DueEvent[] = [];
    routed.push(...routePass(db, now));
    expect(states(db)['2']).toBe(due + notDue - MOVE_SLICE);
    // A slice rolled back with its pass: its events stay staged, and memory still knows they could be due.
    expect(() =>
      inTransaction(db, () => {
        dueUnroutedEvents(db, now, 1_000);
        throw new Error('the routing pass fails');
      }),
    ).toThrow('the routing pass fails');
    expect(states(db)['2']).toBe(due + notDue - MOVE_SLICE);
    expect(nextUnroutedAt(db)).toBeLessThanOrEqual(now);
    // The process stops mid-move: the file holds both indexes; a new connection reads the bound afresh.
    db.$client.close();
    db = openDb(join(dir, 'staging.db'));
    expect(nextUnroutedAt(db)).toBe(earliestStaged(db)!.t);
    for (let pass = 0; pass < 100; pass++) {
      const batch = routePass(db, now);
      const next = earliestStaged(db);
      if (next) for (const e of batch) expect(byTimeThenId(e, { occurredAt: next.t, id: next.id })).toBeLessThan(0);
      routed.push(...batch);
      if (batch.length === 0 && !next) break;
    }
    expect(routed).toHaveLength(due);
    expect(routed.map((e) => e.id)).toEqual([...routed].sort(byTimeThenId).map((e) => e.id));
    expect(states(db)).toEqual({ '0': notDue, '1': due });
  });

  it('events accepted between slices are moved too, and the bound is raised only when the move is done', () => {
    inTransaction(db, () => insertEvents(db, Array.from({ length: MOVE_SLICE + 10 }, () => event(T0 + 1_000)), T0));
    // The slice moved comes out (at the bound, ahead of the staged ones by ID); the rest wait.
    expect(routePass(db, T0 + 1_000, 10_000)).toHaveLength(MOVE_SLICE);
    expect(nextUnroutedAt(db)).toBe(T0 + 1_000);
    inTransaction(db, () => insertEvents(db, [event(T0 + 500), event(T0 + 5_000)], T0));
    // The newcomer at T0 + 500 is staged behind the ones moved, and comes out first all the same.
    const second = routePass(db, T0 + 1_000, 10_000);
    expect(second.map((e) => e.occurredAt)).toEqual([T0 + 500, ...Array.from({ length: 10 }, () => T0 + 1_000)]);
    expect(states(db)).toEqual({ '0': 1, '1': MOVE_SLICE + 11 });
    expect(nextUnroutedAt(db)).toBe(T0 + 5_000);
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
    const timeIndexPages = () => (statement(db, "select count(*) as n from dbstat where name = 'due_events'").get() as { n: number }).n;
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

  it('an advance through a backlog of several slices routes and delivers every event once, and the engine settles', async () => {
    await registerAll(sim, receiver.url, ['open'], 2);
    const db = sim.server.db;
    const count = 3 * MOVE_SLICE + 100;
    // One synchronous call: all are staged before the engine's first pass (due a second later: an event due
    // at once while nothing is staged would skip the staging index).
    const { engine } = sim.server;
    const inputs = Array.from({ length: count }, (_, i) => ({ type: 'open' as const, fields: { email: `r${i}@example.com` } }));
    const occurredAt = engine.clock.now() + 1_000;
    engine.accept(
      findAccountByKey(db, KEY)!.id,
      engine.buildPayloads(inputs, engine.reserveMessageIds(count)).map((event) => ({ ...event, occurredAt })),
    );
    expect(states(db)).toEqual({ '2': count });
    const res = await sim.api('/sim/clock/advance', { method: 'POST', json: { by: '5s' } });
    expect(res.status).toBe(200);
    expect(states(db)).toEqual({ '1': count });
    await sim.server.engine.idle();
    const emails = received(receiver).map((e) => e.email);
    expect(emails).toHaveLength(count);
    expect(new Set(emails).size).toBe(count);
  });
});
