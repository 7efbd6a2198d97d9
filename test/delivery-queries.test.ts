/**
 * `GET /sim/deliveries` storage: each filter (status, event type, URL, MessageID, recipient email) and key paging answers
 * exactly what one plain query would, through an index walk (pinned with EXPLAIN QUERY PLAN); the HTTP
 * route and the library take the same filters.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '../src/core/delivery-state.js';
import { claimDue } from '../src/db/claim-due.js';
import { appendToGroup, countDeliveriesByStatus, insertDelivery } from '../src/db/deliveries.js';
import { moveDelivery, requeueInFlight } from '../src/db/delivery-status.js';
import { InvalidTransitionError } from '../src/core/delivery-state.js';
import { seedStatus } from './helpers/seed-status.js';
import { listDeliveries, type DeliveryFilter } from '../src/db/delivery-listing.js';
import { resetAccount } from '../src/db/reset.js';
import { pruneBefore } from '../src/use-cases/prune-history.js';
import { insertEvents } from '../src/db/events.js';
import { inTransaction, openDb, type Db } from '../src/db/open-db.js';
import { recordStatements } from './helpers/query-plans.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

const TYPES = ['sent', 'open', 'click', 'bounce'];
const STATUSES: DeliveryStatus[] = ['delivered', 'delivered', 'failed', 'pending', 'suppressed', 'delivered', 'handed_over'];

/** The recipient of event `i` of delivery `n`: most go to one busy address (the default recipient's case), the rest spread. */
function recipientOf(n: number, i: number): string | null {
  if (n % 17 === 0) return null;
  if (i === 1 && n % 2 === 0) return `other${n % 7}@example.org`;
  return n % 10 === 0 ? `User${n % 13}@Example.com` : 'busy@example.com';
}

/** Two accounts; URLs 1–4 (account 1, URL text shared by 1 and 2), Version 2 groups of mixed types and recipients. */
function seed(db: Db, count: number, [first, second]: [number, number] = [1, 2]): void {
  const account = db.$client.prepare('insert or ignore into accounts (id, public_key, secret_key, is_dev, created_at) values (?, ?, ?, 0, 0)');
  for (const id of [first, second]) account.run(id, `seed-key-${id}`, 'seed-secret');
  const url = db.$client.prepare(
    "insert into callback_urls (id, account_id, event_type, is_backup, status, url, version, created_at, updated_at) values (?, ?, ?, 0, 'alive', ?, 1, 0, 0)",
  );
  url.run(1, first, 'sent', 'http://a.test/hook');
  url.run(2, first, 'open', 'http://a.test/hook');
  url.run(3, first, 'click', 'http://b.test/hook');
  url.run(4, second, 'sent', 'http://a.test/hook');
  inTransaction(db, () => {
    for (let n = 0; n < count; n++) {
      const accountId = n % 5 === 4 ? second : first;
      const types = n % 11 === 0 ? [TYPES[n % 4] as string, 'click'] : [TYPES[n % 4] as string];
      const eventIds = insertEvents(
        db,
        types.map((eventType, i) => ({ accountId, eventType, occurredAt: T0 + n, payload: '{}', messageId: String(1000 + (n % 40)), email: recipientOf(n, i) })),
        T0,
      );
      const id = insertDelivery(
        db,
        {
          accountId,
          callbackUrlId: accountId === second ? 4 : (n % 3) + 1,
          version: types.length > 1 ? 2 : 1,
          status: 'pending',
          eventIds,
          eventTypes: types,
          nextAttemptAt: T0 + n,
          groupClosesAt: null,
          parentId: null,
          reason: null,
        },
        T0,
      );
      seedStatus(db, { id, accountId }, STATUSES[n % STATUSES.length] as DeliveryStatus, { nextAttemptAt: null }, T0);
    }
  });
}

/** The same filter as one plain, unindexed query. */
function plain(db: Db, accountId: number | null, filter: DeliveryFilter): number[] {
  const rows = db.$client
    .prepare(
      `select distinct d.id from deliveries d left join callback_urls c on c.id = d.callback_url_id
        left join delivery_events de on de.delivery_id = d.id left join events e on e.id = de.event_id
        left join delivery_events de2 on de2.delivery_id = d.id left join events e2 on e2.id = de2.event_id
        where (@accountId is null or d.account_id = @accountId) and (@status is null or d.status = @status) and (@email is null or lower(e2.email) = lower(@email))
          and (@eventType is null or (',' || d.event_types || ',') like ('%,' || @eventType || ',%'))
          and (@url is null or c.url = @url) and (@messageId is null or e.message_id = @messageId) and (@callbackUrlId is null or d.callback_url_id = @callbackUrlId)
          and (@before is null or d.id < @before) and (@after is null or d.id > @after)
        order by d.id desc`,
    )
    .all({ accountId, status: null, eventType: null, url: null, messageId: null, email: null, callbackUrlId: null, before: null, after: null, ...filter }) as { id: number }[];
  return rows.map((row) => row.id);
}

describe('listDeliveries', () => {
  it('answers every filter, offset and key page exactly like one plain query', () => {
    const db = openDb(':memory:');
    // Enough for busy@example.com to pass the busy mark (2,000 links, deliveries.ts), so both ways to filter by recipient run.
    seed(db, 2_600);
    const links = (email: string) => (db.$client.prepare('select count(*) as n from delivery_events where email = ?').get(email) as { n: number }).n;
    expect(links('busy@example.com')).toBeGreaterThan(2_000);
    expect(links('user3@example.com')).toBeGreaterThan(5);
    const filters: DeliveryFilter[] = [
      {},
      { status: 'failed' },
      { status: 'delivered' },
      { eventType: 'click' },
      { eventType: 'bounce' },
      { eventType: 'click', status: 'delivered' },
      { eventType: 'sent', status: 'pending' },
      { url: 'http://a.test/hook' },
      { url: 'http://a.test/hook', status: 'failed' },
      { url: 'http://nowhere.test/' },
      { url: 'http://b.test/hook', eventType: 'bounce' },
      { url: 'http://a.test/hook', eventType: 'unsub' },
      { callbackUrlId: 3 },
      { callbackUrlId: 2, url: 'http://a.test/hook', status: 'failed' },
      { email: 'busy@example.com', callbackUrlId: 1, url: 'http://a.test/hook', eventType: 'open' },
      { messageId: '1007' },
      { messageId: '1007', eventType: 'click' },
      { messageId: '99' },
      { email: 'user3@example.com' },
      { email: 'USER3@EXAMPLE.COM', status: 'failed' },
      { email: 'user3@example.com', eventType: 'click' },
      { email: 'user3@example.com', url: 'http://a.test/hook' },
      { email: 'other2@example.org' },
      { email: 'busy@example.com' },
      { email: 'busy@example.com', status: 'failed' },
      { email: 'busy@example.com', status: 'delivered', eventType: 'open' },
      { email: 'busy@example.com', eventType: 'click' },
      { email: 'busy@example.com', url: 'http://b.test/hook' },
      { email: 'busy@example.com', messageId: '1007' },
      { email: 'busy@example.com', eventType: 'unsub' },
      { email: 'busy@example.com', eventType: 'open', status: 'failed' },
      { email: 'busy@example.com', eventType: 'click', url: 'http://a.test/hook', status: 'delivered' },
      { email: 'busy@example.com', eventType: 'sent', url: 'http://b.test/hook' },
      { email: 'nobody@example.com' },
    ];
    for (const accountId of [1, 2, null]) {
      for (const filter of filters) {
        const all = plain(db, accountId, filter);
        const label = JSON.stringify({ accountId, ...filter });
        expect(listDeliveries(db, accountId, filter, 10_000, 0).map((d) => d.id), label).toEqual(all);
        expect(listDeliveries(db, accountId, filter, 7, 5).map((d) => d.id), label).toEqual(all.slice(5, 12));
        const pivot = all[9] ?? 300;
        expect(listDeliveries(db, accountId, { ...filter, before: pivot }, 6, 0).map((d) => d.id), label).toEqual(all.filter((id) => id < pivot).slice(0, 6));
        const newer = all.filter((id) => id > pivot);
        expect(listDeliveries(db, accountId, { ...filter, after: pivot }, 4, 0).map((d) => d.id), label).toEqual(newer.slice(-4));
        expect(listDeliveries(db, accountId, { ...filter, after: 10, before: 200 }, 10_000, 0).map((d) => d.id), label).toEqual(all.filter((id) => id > 10 && id < 200));
      }
    }
  });

  it('walks an index for each filter: no table scan, no sort', () => {
    const db = openDb(':memory:');
    seed(db, 2_600);
    const recorder = recordStatements(db);
    for (const filter of [
      {},
      { status: 'failed' },
      { eventType: 'click' },
      { eventType: 'open', status: 'delivered' },
      { eventType: 'open', status: 'failed' },
      { url: 'http://a.test/hook' },
      { url: 'http://a.test/hook', status: 'failed' },
      { url: 'http://a.test/hook', eventType: 'click' },
      { messageId: '1003' },
      { email: 'user3@example.com' },
      { email: 'user3@example.com', status: 'failed', url: 'http://a.test/hook' },
      { email: 'busy@example.com' },
      { email: 'busy@example.com', status: 'failed' },
      { email: 'busy@example.com', eventType: 'click' },
      { email: 'busy@example.com', eventType: 'open', status: 'failed' },
      { email: 'busy@example.com', url: 'http://a.test/hook', status: 'failed' },
      { email: 'busy@example.com', url: 'http://b.test/hook' },
      { email: 'busy@example.com', messageId: '1003' },
    ] as DeliveryFilter[]) {
      for (const keys of [{}, { before: 40 }, { after: 20 }]) listDeliveries(db, 1, { ...filter, ...keys }, 10, 0);
    }
    const plans = recorder.plans();
    expect(plans.length).toBeGreaterThan(10);
    for (const { sql, plan } of plans) {
      // Big tables only: callback_urls holds at most 14 rows per account, json_each is a short ID list.
      expect(plan, sql).not.toMatch(/\bSCAN (d|deliveries|de|delivery_events|e|events)\b|TEMP B-TREE/);
    }
  });

  it('seeks a busy recipient with an event type or URL in the type-set indexes, even when they never met', () => {
    const db = openDb(':memory:');
    seed(db, 2_600);
    const recorder = recordStatements(db);
    // No unsub in the seed: the recipient's type sets say so without reading a delivery.
    expect(listDeliveries(db, 1, { email: 'busy@example.com', eventType: 'unsub' }, 10, 0)).toEqual([]);
    expect(listDeliveries(db, 1, { email: 'busy@example.com', eventType: 'click' }, 10, 0)).toHaveLength(10);
    const plans = recorder.plans().map(({ plan }) => plan);
    // Not the type's deliveries checked one by one for the recipient (the walk that took 130 ms at 1M).
    expect(plans.join('\n')).not.toMatch(/deliveries_account_types/);
    expect(plans.some((plan) => /SEARCH de USING (COVERING )?INDEX delivery_events_email \(email=\? AND event_types=\?\)/.test(plan)), plans.join('\n')).toBe(true);
    // A URL whose deliveries carry only types the recipient never got: the type sets of both say so.
    db.$client.prepare("insert into callback_urls (id, account_id, event_type, is_backup, status, url, version, created_at, updated_at) values (5, 1, 'unsub', 0, 'alive', 'http://c.test/hook', 1, 0, 0)").run();
    const [unsub] = insertEvents(db, [{ accountId: 1, eventType: 'unsub', occurredAt: T0, payload: '{}', messageId: '9', email: 'user3@example.com' }], T0);
    const base = { accountId: 1, callbackUrlId: 5, version: 1, status: 'pending' as const, nextAttemptAt: T0, groupClosesAt: null, parentId: null, reason: null };
    const id = insertDelivery(db, { ...base, eventIds: [unsub!], eventTypes: ['unsub'] }, T0);
    expect(listDeliveries(db, 1, { email: 'busy@example.com', url: 'http://c.test/hook' }, 10, 0)).toEqual([]);
    expect(listDeliveries(db, 1, { email: 'user3@example.com', url: 'http://c.test/hook' }, 10, 0).map((d) => d.id)).toEqual([id]);
  });

  it('keeps the links\' type set equal to their delivery\'s as a Version 2 group gains types', () => {
    const db = openDb(':memory:');
    seed(db, 30);
    const [first, second, third] = insertEvents(
      db,
      ['sent', 'open', 'sent'].map((eventType, i) => ({ accountId: 1, eventType, occurredAt: T0, payload: '{}', messageId: '5', email: i === 1 ? 'late@example.com' : 'Early@example.com' })),
      T0,
    );
    const base = { accountId: 1, callbackUrlId: 1, version: 2, status: 'pending' as const, nextAttemptAt: T0, groupClosesAt: T0 + 1000, parentId: null, reason: null };
    const id = insertDelivery(db, { ...base, eventIds: [first!], eventTypes: ['sent'] }, T0);
    const group = listDeliveries(db, 1, { email: 'early@example.com' }, 1, 0)[0]!;
    appendToGroup(db, group, second!, 'open', T0);
    appendToGroup(db, group, third!, 'sent', T0);
    const sets = db.$client.prepare('select distinct de.event_types = d.event_types as same from delivery_events de join deliveries d on d.id = de.delivery_id').pluck().all();
    expect(sets).toEqual([1]);
    // The first event's recipient now finds the group by the type it gained from another recipient's event.
    expect(listDeliveries(db, 1, { email: 'early@example.com', eventType: 'open' }, 10, 0).map((d) => d.id)).toEqual([id]);
    expect(listDeliveries(db, 1, { email: 'late@example.com', eventType: 'sent' }, 10, 0).map((d) => d.id)).toEqual([id]);
  });
});

describe('countDeliveriesByStatus', () => {
  it('stays equal to counting the table through inserts, claims, status changes, recovery, pruning and a reset', async () => {
    const db = openDb(':memory:');
    const counted = (accountId: number | null) =>
      Object.fromEntries(
        (db.$client.prepare('select status, count(*) as n from deliveries where (? is null or account_id = ?) group by status').all(accountId, accountId) as { status: string; n: number }[]).map(
          (row) => [row.status, row.n],
        ),
      );
    const same = () => {
      for (const accountId of [null, 1, 2]) expect(countDeliveriesByStatus(db, accountId), String(accountId)).toEqual(counted(accountId));
    };
    seed(db, 300);
    same();
    expect(countDeliveriesByStatus(db, 1).failed).toBeGreaterThan(10);
    for (const accountId of [1, 2, 1]) {
      const due = { accountId, callbackUrlId: 1, version: 1, status: 'pending' as const, eventIds: [], eventTypes: ['sent'], nextAttemptAt: T0, groupClosesAt: null, parentId: null, reason: null };
      insertDelivery(db, due, T0);
    }
    same();
    const claimed = claimDue(db, T0 + 10_000, 5, { admits: () => true, take: () => undefined });
    expect(claimed.length).toBeGreaterThan(0);
    same();
    const done = { id: claimed[0]!.id, accountId: claimed[0]!.accountId, status: 'in_flight' as const };
    moveDelivery(db, done, { kind: 'success' }, { attemptCount: 1, nextAttemptAt: null }, T0);
    same();
    // A move from a status the row has left is refused and changes nothing.
    expect(() => moveDelivery(db, done, { kind: 'success' }, { attemptCount: 1, nextAttemptAt: null }, T0)).toThrow(InvalidTransitionError);
    same();
    requeueInFlight(db, T0);
    same();
    const removed = await pruneBefore(db, T0 + 1, 1);
    expect(removed.deliveries).toBeGreaterThan(100);
    same();
    resetAccount(db, 2);
    same();
    expect(countDeliveriesByStatus(db, 2)).toEqual({});
  });
});

describe('GET /sim/deliveries', () => {
  let sim: TestSim;
  afterEach(() => sim?.close());

  it('takes status, eventType, url, messageId, before/after and offset; refuses bad values', async () => {
    sim = await startTestSim();
    const [one, two] = sim.server.accounts;
    seed(sim.server.db, 50, [one!.id, two!.id]);
    const ids = async (query: string) => {
      const res = await sim.api(`/sim/deliveries?${query}`);
      expect(res.status, query).toBe(200);
      return ((await res.json()) as { deliveries: { id: number }[] }).deliveries.map((d) => d.id);
    };
    const account = sim.server.accounts[0]!.id;
    expect(await ids('status=failed')).toEqual(plain(sim.server.db, account, { status: 'failed' }));
    expect(await ids('eventType=click&limit=5')).toEqual(plain(sim.server.db, account, { eventType: 'click' }).slice(0, 5));
    expect(await ids(`url=${encodeURIComponent('http://a.test/hook')}&before=30`)).toEqual(plain(sim.server.db, account, { url: 'http://a.test/hook', before: 30 }));
    expect(await ids('messageId=1007')).toEqual(plain(sim.server.db, account, { messageId: '1007' }));
    expect(await ids('after=45&limit=2')).toEqual(plain(sim.server.db, account, { after: 45 }).slice(-2));
    expect(await ids('email=User3%40example.COM')).toEqual(plain(sim.server.db, account, { email: 'user3@example.com' }));
    expect(await ids('email=user3%40example.com&status=failed')).toEqual(plain(sim.server.db, account, { email: 'user3@example.com', status: 'failed' }));
    for (const bad of ['before=x', 'after=-1', 'messageId=abc', 'offset=1.5', 'eventType=lost', 'email=', `email=${'a'.repeat(255)}`]) {
      const res = await sim.api(`/sim/deliveries?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await res.json(), bad).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });
});

describe('migration 0005 on a database made by the previous migrations', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

  it('applies in order and fills in the recipients and type sets of existing deliveries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-migrate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The migrations as they were before 0005.
    const old = join(dir, 'drizzle');
    cpSync(join(import.meta.dirname, '../drizzle'), old, { recursive: true });
    rmSync(join(old, '0005_finding.sql'));
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    expect(journal.entries.map((entry) => entry.tag)).toContain('0005_finding');
    journal.entries = journal.entries.filter((entry) => entry.idx < 5);
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'sim.db');
    const client = new Database(file);
    migrate(drizzle(client), { migrationsFolder: old });
    client.prepare("insert into accounts (id, public_key, secret_key, is_dev, created_at) values (1, 'k', 's', 0, 0)").run();
    const event = client.prepare("insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values (1, 'sent', 0, '{}', '1', ?, 1, 0)");
    const delivery = client.prepare("insert into deliveries (account_id, version, status, event_count, event_types, created_at, updated_at) values (1, 2, 'delivered', ?, ?, 0, 0)");
    const link = client.prepare('insert into delivery_events (delivery_id, position, event_id) values (?, ?, ?)');
    const [jane, john, nobody] = ['Jane@Example.com', 'john@example.com', null].map((email) => Number(event.run(email).lastInsertRowid));
    const one = Number(delivery.run(2, 'sent').lastInsertRowid);
    link.run(one, 0, jane);
    link.run(one, 1, nobody);
    const two = Number(delivery.run(2, 'sent,open').lastInsertRowid);
    link.run(two, 0, john);
    link.run(two, 1, jane);
    client.close();

    const db = openDb(file);
    cleanups.push(() => db.$client.close());
    const all = JSON.parse(readFileSync(join(import.meta.dirname, '../drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(db.$client.prepare('select id from __drizzle_migrations').all()).toHaveLength(all.entries.length);
    const ids = (email: string) => listDeliveries(db, 1, { email }, 10, 0).map((d) => d.id);
    expect(ids('jane@example.com')).toEqual([two, one]);
    expect(ids('JOHN@example.com')).toEqual([two]);
    const typed = (email: string, eventType: string) => listDeliveries(db, 1, { email, eventType }, 10, 0).map((d) => d.id);
    expect(typed('jane@example.com', 'open')).toEqual([two]);
    expect(typed('jane@example.com', 'sent')).toEqual([two, one]);
    expect(typed('john@example.com', 'click')).toEqual([]);
    expect(db.$client.prepare('select count(*) from delivery_events de join deliveries d on d.id = de.delivery_id where de.event_types is not d.event_types').pluck().get()).toBe(0);
    expect(countDeliveriesByStatus(db, 1)).toEqual({ delivered: 2 });
    const three = insertDelivery(db, { accountId: 1, callbackUrlId: null, version: 1, status: 'pending', eventIds: [], eventTypes: ['sent'], nextAttemptAt: 0, groupClosesAt: null, parentId: null, reason: null }, 0);
    seedStatus(db, { id: three, accountId: 1 }, 'failed', { nextAttemptAt: null }, 0);
    expect(countDeliveriesByStatus(db, 1)).toEqual({ delivered: 2, failed: 1 });
  });
});
