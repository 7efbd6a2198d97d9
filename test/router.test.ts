/**
 * Set-based routing (src/engine/router.ts, core/route-plan.ts, db/routing-writes.ts): Version 1 gets one
 * delivery per event, Version 2 groups by second and --max-batch and joins groups of earlier passes, no alive
 * URL keeps a suppressed delivery, a dead primary passes to its backup; a pass runs the same number of
 * statements whatever its size; and the database after any run of passes is the one that routing each event
 * on its own (the former router, kept here as the reference) leaves, row for row.
 */
import { describe, expect, it } from 'vitest';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { appendToGroup, insertDelivery, toDelivery, type DeliveryRow } from '../src/db/deliveries.js';
import { dueUnroutedEvents, insertEvents, type NewEvent } from '../src/db/events.js';
import { insertMessage, type NewMessage } from '../src/db/messages.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { stateIdOf } from '../src/core/message-shapes.js';
import type { EventType } from '../src/core/event-types.js';
import { GROUP_WINDOW_MS, resolveTarget, routeDueEvents } from '../src/engine/router.js';
import { T0 } from './helpers/sim.js';

const HOOK = 'http://hooks.test/v2';

/** A fresh in-memory database with accounts 1 and 2; `run` counts every statement run, get, all or iterate. */
function freshDb(): { db: Db; runs: () => number } {
  const db = openDb(':memory:');
  for (const id of [1, 2]) db.$client.prepare("insert into accounts (id, public_key, secret_key, is_dev, created_at) values (?, ?, 's', 0, 0)").run(id, `key-${id}`);
  let count = 0;
  const prepare = db.$client.prepare.bind(db.$client);
  db.$client.prepare = ((sql: string) => {
    const statement = prepare(sql);
    return new Proxy(statement, {
      get: (target, key) => {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        const bound = (value as (...a: unknown[]) => unknown).bind(target);
        return ['run', 'get', 'all', 'iterate'].includes(key as string)
          ? (...args: unknown[]) => {
              count += 1;
              return bound(...args);
            }
          : bound;
      },
    });
  }) as typeof db.$client.prepare;
  return { db, runs: () => count };
}

function url(db: Db, accountId: number, eventType: string, version: number, target = HOOK, options: { isBackup?: boolean; status?: 'alive' | 'dead' } = {}): number {
  return insertCallbackUrl(db, accountId, { eventType: eventType as EventType, isBackup: options.isBackup ?? false, status: options.status ?? 'alive', url: target, version }, T0).id;
}

function event(accountId: number, eventType: string, occurredAt: number, n: number, extra: Record<string, unknown> = {}): NewEvent {
  const messageId = String(576460752303423488n + BigInt(n % 40));
  const email = n % 9 === 0 ? null : `User${n % 5}@Example.com`;
  return { accountId, eventType, occurredAt, payload: JSON.stringify({ event: eventType, MessageID: n, ...extra }), messageId, email };
}

function accept(db: Db, events: readonly NewEvent[]): number[] {
  return inTransaction(db, () => insertEvents(db, events, T0));
}

function route(db: Db, now: number, limit = 2_000, maxBatch = 500, upTo = now): number {
  return inTransaction(db, () => routeDueEvents(db, now, limit, maxBatch, upTo));
}

/** Routes until nothing is due by `now` (the staged events move into the time index a slice per pass). */
function routeAll(db: Db, now: number, limit = 2_000, maxBatch = 500): void {
  for (let i = 0; i < 100 && route(db, now, limit, maxBatch) > 0; i++);
}

interface Row {
  id: number;
  callback_url_id: number | null;
  status: string;
  event_count: number;
  event_types: string;
  next_attempt_at: number | null;
  group_closes_at: number | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

const deliveries = (db: Db) => db.$client.prepare('select * from deliveries order by id').all() as Row[];
const eventIdsOf = (db: Db, id: number) =>
  (db.$client.prepare('select event_id from delivery_events where delivery_id = ? order by position').all(id) as { event_id: number }[]).map((row) => row.event_id);

describe('routing a pass', () => {
  it('gives Version 1 one delivery per event, due at its time', () => {
    const { db } = freshDb();
    const urlId = url(db, 1, 'sent', 1);
    const ids = accept(db, [event(1, 'sent', T0, 1), event(1, 'sent', T0 + 5, 2), event(1, 'sent', T0 + 5, 3)]);
    routeAll(db, T0 + 10);
    expect(deliveries(db).map((d) => [d.callback_url_id, d.status, d.event_count, d.next_attempt_at, d.group_closes_at, d.created_at])).toEqual([
      [urlId, 'pending', 1, T0, null, T0 + 10],
      [urlId, 'pending', 1, T0 + 5, null, T0 + 10],
      [urlId, 'pending', 1, T0 + 5, null, T0 + 10],
    ]);
    expect(deliveries(db).map((d) => eventIdsOf(db, d.id))).toEqual(ids.map((id) => [id]));
  });

  it('groups Version 2 events by the second of the group’s first event and by --max-batch, types mixed on one URL text', () => {
    const { db } = freshDb();
    const openId = url(db, 1, 'open', 2);
    url(db, 1, 'click', 2);
    const ids = accept(db, [
      event(1, 'open', T0, 1),
      event(1, 'click', T0 + 400, 2),
      event(1, 'open', T0 + 999, 3),
      event(1, 'open', T0 + 1_000, 4), // the first group's second is over: a new group
      event(1, 'open', T0 + 1_001, 5),
      event(1, 'open', T0 + 1_002, 6), // the second group is full (max 2)
    ]);
    routeAll(db, T0 + 3_000, 2_000, 3);
    const rows = deliveries(db);
    expect(rows.map((d) => [d.callback_url_id, d.event_count, d.event_types, d.next_attempt_at, d.group_closes_at])).toEqual([
      [openId, 3, 'open,click', T0 + GROUP_WINDOW_MS, T0 + GROUP_WINDOW_MS],
      [openId, 3, 'open', T0 + 2_000, T0 + 2_000],
    ]);
    expect(rows.map((d) => eventIdsOf(db, d.id))).toEqual([ids.slice(0, 3), ids.slice(3)]);
    const capped = freshDb().db;
    url(capped, 1, 'open', 2);
    accept(capped, [event(1, 'open', T0, 1), event(1, 'open', T0 + 1, 2), event(1, 'open', T0 + 2, 3)]);
    routeAll(capped, T0 + 3_000, 2_000, 2);
    expect(deliveries(capped).map((d) => d.event_count)).toEqual([2, 1]);
  });

  it('lets events join an open group from an earlier pass, and never one already attempted', () => {
    const { db } = freshDb();
    url(db, 1, 'open', 2);
    url(db, 1, 'click', 2);
    const [first] = accept(db, [event(1, 'open', T0, 1)]);
    routeAll(db, T0);
    const [second, third] = accept(db, [event(1, 'click', T0 + 200, 2), event(1, 'open', T0 + 300, 3)]);
    routeAll(db, T0 + 300);
    const [group] = deliveries(db);
    expect(deliveries(db)).toHaveLength(1);
    expect([group?.event_count, group?.event_types, group?.updated_at]).toEqual([3, 'open,click', T0 + 300]);
    expect(eventIdsOf(db, group!.id)).toEqual([first, second, third]);
    // The links carry the group's type set, rewritten when it grew.
    expect(db.$client.prepare('select distinct event_types from delivery_events').all()).toEqual([{ event_types: 'open,click' }]);
    // Once attempted, the group takes no more events: the next one starts a group of its own second.
    db.$client.prepare('update deliveries set attempt_count = 1').run();
    accept(db, [event(1, 'open', T0 + 400, 4)]);
    routeAll(db, T0 + 400);
    expect(deliveries(db).map((d) => [d.event_count, d.group_closes_at])).toEqual([
      [3, T0 + 1_000],
      [1, T0 + 1_400],
    ]);
  });

  it('keeps an event with no alive URL as a suppressed delivery, and passes a dead primary’s events to its backup', () => {
    const { db } = freshDb();
    url(db, 1, 'bounce', 1, 'http://primary.test/', { status: 'dead' });
    const backup = url(db, 1, 'bounce', 2, 'http://backup.test/', { isBackup: true });
    url(db, 1, 'spam', 1, 'http://dead.test/', { status: 'dead' });
    const primary = url(db, 1, 'click', 1, 'http://primary.test/');
    url(db, 1, 'click', 1, 'http://backup.test/', { isBackup: true });
    accept(db, [event(1, 'spam', T0, 1), event(1, 'bounce', T0, 2), event(1, 'blocked', T0 + 1, 3), event(1, 'click', T0 + 2, 4)]);
    routeAll(db, T0 + 10);
    expect(deliveries(db).map((d) => [d.callback_url_id, d.status, d.next_attempt_at, d.reason])).toEqual([
      [null, 'suppressed', null, 'no alive callback URL for spam'],
      [backup, 'pending', T0 + 1_000, null],
      [null, 'suppressed', null, 'no alive callback URL for blocked'],
      [primary, 'pending', T0 + 2, null], // both alive: the primary
    ]);
    expect(resolveTarget(db, 1, 'bounce')?.id).toBe(backup);
    expect(db.$client.prepare('select status, n from delivery_counts order by status').all()).toEqual([
      { status: 'pending', n: 2 },
      { status: 'suppressed', n: 2 },
    ]);
  });

  it('runs the same number of statements for 10 events as for 1,000', () => {
    const counts = [10, 1_000].map((n) => {
      const { db, runs } = freshDb();
      url(db, 1, 'open', 2);
      url(db, 1, 'sent', 1, 'http://v1.test/');
      url(db, 1, 'bounce', 1, 'http://dead.test/', { status: 'dead' });
      accept(db, Array.from({ length: n }, (_, i) => event(1, (['open', 'sent', 'bounce'] as const)[i % 3] as string, T0 + i, i, { error: 'user unknown' })));
      // The first pass moves the staged events into the time index; then each kind of delivery is written.
      route(db, T0 + n);
      const before = runs();
      route(db, T0 + n);
      route(db, T0 + n + 1); // nothing left: fewer statements still
      const statements = runs() - before;
      expect(db.$client.prepare('select count(*) as n from events where routed = 1 and id not in (select event_id from due_events)').get()).toEqual({ n });
      return statements;
    });
    expect(counts[1]).toBe(counts[0]);
    expect(counts[0]).toBeLessThan(20);
  });
});

// ---- The reference: each event routed on its own, as the router did before it was set-based. ----

function routeOneByOne(db: Db, now: number, limit: number, maxBatch: number): number {
  const due = dueUnroutedEvents(db, now, limit);
  for (const e of due) {
    const at = Math.max(e.occurredAt, now);
    const target = resolveTarget(db, e.accountId, e.eventType);
    const base = { accountId: e.accountId, eventIds: [e.id], eventTypes: [e.eventType], parentId: null };
    if (!target) {
      insertDelivery(db, { ...base, callbackUrlId: null, version: 1, status: 'suppressed', nextAttemptAt: null, groupClosesAt: null, reason: `no alive callback URL for ${e.eventType}` }, at);
    } else if (target.version === 2) {
      const row = db.$client
        .prepare(
          `select d.* from deliveries d join callback_urls c on c.id = d.callback_url_id
            where c.account_id = ? and c.url = ? and d.status = 'pending' and d.attempt_count = 0 and d.version = 2
              and d.group_closes_at > ? and d.event_count < ? order by d.id desc limit 1`,
        )
        .get(e.accountId, target.url, e.occurredAt, maxBatch) as DeliveryRow | undefined;
      if (row) appendToGroup(db, toDelivery(row), e.id, e.eventType, at);
      else {
        const closesAt = e.occurredAt + GROUP_WINDOW_MS;
        insertDelivery(db, { ...base, callbackUrlId: target.id, version: 2, status: 'pending', nextAttemptAt: closesAt, groupClosesAt: closesAt, reason: null }, at);
      }
    } else {
      insertDelivery(db, { ...base, callbackUrlId: target.id, version: target.version, status: 'pending', nextAttemptAt: e.occurredAt, groupClosesAt: null, reason: null }, at);
    }
    db.$client.prepare('delete from due_events where occurred_at = ? and event_id = ?').run(e.occurredAt, e.id);
    if (e.messageId === null) continue;
    const stateId = stateIdOf(e.eventType as EventType, (JSON.parse(e.payload ?? '{}') as { error?: unknown }).error);
    db.$client
      .prepare(
        `update messages set last_event = ?, last_event_at = ?, last_event_id = ?, state_id = ? where message_id = ? and account_id = ?
          and (last_event_id is null or last_event_at < ? or (last_event_at = ? and last_event_id < ?))`,
      )
      .run(e.eventType, e.occurredAt, e.id, stateId, e.messageId, e.accountId, e.occurredAt, e.occurredAt, e.id);
  }
  return due.length;
}

/** A small seeded generator (a test needs the same run twice). */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
}

function message(accountId: number, n: number): NewMessage {
  return {
    accountId,
    messageId: String(576460752303423488n + BigInt(n)),
    uuid: `uuid-${n}`,
    email: `user${n}@example.com`,
    recipientType: 'To',
    fromEmail: 'shop@example.com',
    fromName: 'Shop',
    subject: 'Hi',
    customId: '',
    eventPayload: '',
    campaign: '',
    campaignId: 0,
    contactId: n,
    isOpenTracked: true,
    isClickTracked: true,
    isHtmlPartIncluded: true,
    isTextPartIncluded: true,
    attachmentCount: 0,
    messageSize: 100,
    bounceHard: null,
    arrivedAt: T0,
  };
}

/** Builds the same world in `db` and runs it: URLs of every kind, messages, events in bursts, passes of `limit`. */
function scenario(db: Db, seed: number, router: (db: Db, now: number, limit: number, maxBatch: number) => number): Record<string, unknown[]> {
  const random = seeded(seed);
  url(db, 1, 'open', 2);
  url(db, 1, 'click', 2); // shares the open URL's text: one array
  url(db, 2, 'open', 2); // same text, another account: its own groups
  url(db, 1, 'sent', 1, 'http://v1.test/');
  url(db, 1, 'bounce', 1, 'http://dead.test/', { status: 'dead' });
  url(db, 1, 'bounce', 2, 'http://backup.test/', { isBackup: true });
  url(db, 1, 'blocked', 1, 'http://dead.test/', { status: 'dead' });
  inTransaction(db, () => {
    for (let n = 0; n < 30; n++) insertMessage(db, message(1 + (n % 2), n));
  });
  const types = ['open', 'click', 'sent', 'bounce', 'blocked', 'spam', 'unsub'];
  const errors = ['user unknown', 'quota exceeded', 'preblocked', undefined];
  const maxBatch = 1 + random(6);
  let now = T0;
  let n = 0;
  for (let burst = 0; burst < 12; burst++) {
    const events = Array.from({ length: 1 + random(40) }, () => {
      n += 1;
      return event(1 + random(2), types[random(types.length)] as string, now + random(1_500), n, { error: errors[random(errors.length)] });
    });
    inTransaction(db, () => insertEvents(db, events, now));
    now += random(900);
    const limit = 1 + random(25);
    for (let pass = 0; pass < 200 && router(db, now, limit, maxBatch) > 0; pass++);
    // Some groups get attempted between passes: they take no more events.
    if (random(3) === 0) db.$client.prepare('update deliveries set attempt_count = 1, status = ? where id = (select max(id) from deliveries where version = 2)').run('in_flight');
  }
  const all = (sql: string) => db.$client.prepare(sql).all();
  return {
    deliveries: all('select * from deliveries order by id'),
    links: all('select * from delivery_events order by delivery_id, position'),
    counts: all('select * from delivery_counts order by account_id, status'),
    events: all('select id, routed from events order by id'),
    messages: all('select message_id, last_event, last_event_at, last_event_id, state_id from messages order by id'),
  };
}

describe('set-based routing against routing each event on its own', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('leaves the same rows (seed %i)', (seed) => {
    const setBased = scenario(freshDb().db, seed, (db, now, limit, maxBatch) => inTransaction(db, () => routeDueEvents(db, now, limit, maxBatch)));
    const oneByOne = scenario(freshDb().db, seed, (db, now, limit, maxBatch) => inTransaction(db, () => routeOneByOne(db, now, limit, maxBatch)));
    expect((setBased.deliveries as unknown[]).length).toBeGreaterThan(10);
    expect(setBased).toEqual(oneByOne);
  });
});
