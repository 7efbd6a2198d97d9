/**
 * The polling side's storage at scale: sliced walks answer exactly what one plain query would, every query
 * uses an index range (pinned with EXPLAIN QUERY PLAN), a long count cannot hold back a due attempt, and the
 * migration that adds the status columns backfills a database made by the previous migrations.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventType } from '../src/core/event-types.js';
import { openDb, inTransaction, type Db } from '../src/db/open-db.js';
import { countMessages, getMessage, historyOf, insertMessage, listMessages, noteRoutedEvents, type MessageFilter, type NewMessage } from '../src/db/messages.js';
import { insertEvents } from '../src/db/events.js';
import { createApp } from '../src/http/app.js';
import { destinationIdOf, messageStatus, senderIdOf } from '../src/core/message-shapes.js';
import { recordStatements } from './helpers/query-plans.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, startTestSim, T0, type TestSim } from './helpers/sim.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const base = (accountId: number, n: number, arrivedAt: number): NewMessage => ({
  accountId,
  messageId: String(576460752303423488n + BigInt(n)),
  uuid: `uuid-${n}`,
  email: `r${n}@${n % 2 ? 'example.com' : 'example.org'}`,
  recipientType: 'To',
  fromEmail: n % 3 ? 'shop@example.com' : 'news@letters.test',
  fromName: 'Shop',
  subject: 'Hi',
  customId: `c${n % 4}`,
  eventPayload: '',
  campaign: '',
  campaignId: n % 5,
  contactId: n,
  isOpenTracked: true,
  isClickTracked: true,
  isHtmlPartIncluded: true,
  isTextPartIncluded: true,
  attachmentCount: 0,
  messageSize: 100,
  bounceHard: n % 7 === 0 ? n % 2 === 0 : null,
  arrivedAt,
});

const TYPES: (EventType | null)[] = [null, 'sent', 'open', 'click', 'bounce', 'blocked', 'sent'];

/** Seeds messages of two interleaved accounts, many sharing one `arrived_at`, with routed events. */
function seed(db: Db, count: number): void {
  inTransaction(db, () => {
    for (let n = 0; n < count; n++) {
      const accountId = n % 3 === 2 ? 2 : 1;
      const message = base(accountId, n, T0 + Math.floor(n / 9) * 1000 * ((n * 7) % 3));
      insertMessage(db, message);
      const type = TYPES[n % TYPES.length] ?? null;
      if (type === null) continue;
      const payload = JSON.stringify({ event: type, error: type === 'bounce' ? 'quota exceeded' : type === 'blocked' ? 'preblocked' : undefined });
      const [id] = insertEvents(db, [{ accountId, eventType: type, occurredAt: message.arrivedAt + 5, payload, messageId: message.messageId, email: message.email }], T0);
      noteRoutedEvents(db, [{ id: id as number, accountId, eventType: type, occurredAt: message.arrivedAt + 5, messageId: message.messageId, payload }]);
    }
  });
}

/** What one plain, unsliced query answers: the reference the sliced walk must equal. */
function plain(db: Db, accountId: number, where: string, order: 'id' | 'arrived_at', descending: boolean): string[] {
  const dir = descending ? 'desc' : 'asc';
  const orderBy = order === 'id' ? `id ${dir}` : `arrived_at ${dir}, id ${dir}`;
  return (db.$client.prepare(`select message_id from messages where account_id = ? and ${where} order by ${orderBy}`).all(accountId) as { message_id: string }[]).map(
    (row) => row.message_id,
  );
}

describe('sliced message reads', () => {
  it('page, sort and count exactly like one plain query, across slice and same-time boundaries', async () => {
    const db = openDb(':memory:');
    seed(db, 400);
    const cases: { filter: MessageFilter; where: string }[] = [
      { filter: {}, where: '1' },
      { filter: { status: { lastEvent: 'sent' } }, where: "last_event = 'sent'" },
      { filter: { status: { lastEvent: null } }, where: 'last_event is null' },
      { filter: { status: { lastEvent: 'bounce', bounceHard: true } }, where: "last_event = 'bounce' and bounce_hard is not 0" },
      { filter: { customId: 'c1', campaignId: 2 }, where: "custom_id = 'c1' and campaign_id = 2" },
      { filter: { fromTs: T0 + 5000, toTs: T0 + 30_000 }, where: `arrived_at between ${T0 + 5000} and ${T0 + 30_000}` },
      { filter: { fromDomain: 'letters.test' }, where: "from_email like '%@letters.test'" },
      { filter: { stateId: 3 }, where: 'state_id = 3' },
      { filter: { stateId: 14, fromDomain: 'example.com' }, where: "state_id = 14 and from_email like '%@example.com'" },
      { filter: { fromEmail: 'SHOP@example.com' }, where: "from_email = 'shop@example.com'" },
      { filter: { senderId: senderIdOf('news@letters.test'), status: { lastEvent: 'sent' } }, where: "from_email = 'news@letters.test' and last_event = 'sent'" },
      { filter: { destinationId: destinationIdOf('x@example.org') }, where: "email like '%@example.org'" },
      { filter: { destinationId: 12 }, where: '0' },
      { filter: { fromDomain: 'nowhere.test' }, where: '0' },
    ];
    for (const accountId of [1, 2]) {
      for (const { filter, where } of cases) {
        for (const order of ['id', 'arrived_at'] as const) {
          for (const descending of [false, true]) {
            const all = plain(db, accountId, where, order, descending);
            for (const [limit, offset] of [[1000, 0], [10, 0], [10, 35], [7, all.length - 3], [5, all.length + 4]] as const) {
              const rows = await listMessages(db, accountId, filter, { limit, offset, order, descending }, { slice: 11 });
              expect(rows.map((row) => row.messageId), `${accountId} ${where} ${order} ${descending} ${limit}/${offset}`).toEqual(all.slice(offset, offset + limit));
            }
          }
        }
        expect(await countMessages(db, accountId, filter, { slice: 13 }), where).toBe(plain(db, accountId, where, 'id', false).length);
      }
    }
    expect(await countMessages(db, 1, { status: null })).toBe(0);
    expect(await listMessages(db, 1, { none: true }, { limit: 10, offset: 0, order: 'id', descending: false })).toEqual([]);
    expect(await countMessages(db, 99, {})).toBe(0);
  });

  it('keeps the latest routed event in (time, ID) order, whatever order events are routed in', () => {
    const db = openDb(':memory:');
    const message = base(1, 1, T0);
    insertMessage(db, message);
    const note = (id: number, eventType: EventType, occurredAt: number, payload = '{}') =>
      noteRoutedEvents(db, [{ id, accountId: 1, eventType, occurredAt, messageId: message.messageId, payload }]);
    note(10, 'open', T0 + 2000);
    note(5, 'sent', T0 + 1000);
    expect(getMessage(db, 1, message.messageId)?.lastEvent).toBe('open');
    note(11, 'click', T0 + 2000);
    expect(getMessage(db, 1, message.messageId)?.lastEvent).toBe('click');
    note(12, 'bounce', T0 + 3000, '{"error":"user unknown"}');
    expect(getMessage(db, 1, message.messageId)).toMatchObject({ lastEvent: 'bounce', stateId: 1 });
    noteRoutedEvents(db, [{ id: 13, accountId: 2, eventType: 'spam', occurredAt: T0 + 4000, messageId: message.messageId, payload: '{}' }]);
    expect(getMessage(db, 1, message.messageId)?.lastEvent).toBe('bounce');
  });
});

describe('query plans', () => {
  it('every message and messagehistory query is an index range: no table scan, no sort', async () => {
    const db = openDb(':memory:');
    seed(db, 60);
    const recorder = recordStatements(db);
    const filters: MessageFilter[] = [
      {},
      { customId: 'c1' },
      { campaignId: 2 },
      { contactId: 3 },
      { status: { lastEvent: 'sent' } },
      { status: { lastEvent: null } },
      { status: { lastEvent: 'bounce', bounceHard: false } },
      { fromTs: T0, toTs: T0 + 9000 },
      { fromEmail: 'shop@example.com', fromDomain: 'example.com', senderId: 1, destinationId: 2, stateId: 3 },
      { fromEmail: 'shop@example.com' },
      { fromDomain: 'example.com', status: { lastEvent: 'sent' } },
      { destinationId: destinationIdOf('x@example.org') },
      { stateId: 3 },
    ];
    for (const filter of filters) {
      await countMessages(db, 1, filter, { slice: 7 });
      for (const order of ['id', 'arrived_at'] as const) {
        for (const descending of [false, true]) await listMessages(db, 1, filter, { limit: 5, offset: 9, order, descending }, { slice: 7 });
      }
    }
    const [first] = plain(db, 1, '1', 'id', false);
    expect(getMessage(db, 1, first as string)).toBeDefined();
    historyOf(db, 1, first as string, T0 + 10 ** 9);
    const plans = recorder.plans();
    expect(plans.length).toBeGreaterThan(20);
    for (const { sql, plan } of plans) {
      expect(plan, sql).not.toMatch(/\bSCAN (m|messages|events)\b|TEMP B-TREE/);
      expect(plan, sql).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
    }
  });
});

describe('a long poll and the delivery engine', () => {
  let sim: TestSim;
  let receiver: Receiver;
  afterEach(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('a count over many slices cannot hold back a due attempt', async () => {
    sim = await startTestSim();
    receiver = await startReceiver();
    const { db, engine, clock } = sim.server;
    const account = sim.server.accounts[0]!;
    expect((await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'sent', Url: receiver.url } })).status).toBe(201);
    inTransaction(db, () => {
      for (let n = 0; n < 50_000; n++) insertMessage(db, base(account.id, n, clock.now()));
    });
    const app = createApp({ db, clock, engine, settings: engine.settings });
    const attempts = () => (db.$client.prepare('select count(*) as n from attempts').get() as { n: number }).n;
    expect(attempts()).toBe(0);

    // An event due now: the engine's next turn routes it and makes its attempt. In the same turn the poll
    // starts; a count that ran to the end in one go would answer before the engine got that turn.
    engine.emitEvents(account.id, [{ type: 'sent', fields: { email: 'due@example.com' } }]);
    const res = await app.request('/v3/REST/message?MessageStatus=1&countOnly=1', { headers: { authorization: basic() } });
    const attemptsWhenAnswered = attempts();

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Count: 50_000, Data: [], Total: 50_000 });
    expect(attemptsWhenAnswered).toBe(1);
    await receiver.waitFor(1);
  });
});

describe('migration 0003 on a database made by the previous migrations', () => {
  it('applies in order and backfills each message\'s latest routed event and StateID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-migrate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The migrations as they were before 0003.
    const old = join(dir, 'drizzle');
    cpSync(join(import.meta.dirname, '../drizzle'), old, { recursive: true });
    rmSync(join(old, '0003_polling_indexes.sql'));
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    expect(journal.entries.map((entry) => entry.tag)).toContain('0003_polling_indexes');
    journal.entries = journal.entries.filter((entry) => entry.idx < 3);
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'sim.db');
    const client = new Database(file);
    migrate(drizzle(client), { migrationsFolder: old });
    const insertMessageSql = client.prepare(`insert into messages (account_id, message_id, uuid, email, recipient_type, from_email, from_name, subject, custom_id,
      event_payload, campaign, campaign_id, contact_id, is_open_tracked, is_click_tracked, is_html_part_included, is_text_part_included, attachment_count,
      message_size, bounce_hard, arrived_at) values (1, ?, 'u', 'a@example.com', 'To', 'shop@example.com', 'Shop', 's', '', '', '', 0, 0, 1, 1, 1, 1, 0, 1, ?, ?)`);
    const insertEvent = client.prepare('insert into events (account_id, event_type, occurred_at, payload, message_id, email, routed, created_at) values (1, ?, ?, ?, ?, null, ?, 0)');
    insertMessageSql.run('101', null, T0);
    insertEvent.run('sent', T0 + 1, '{}', '101', 1);
    insertEvent.run('open', T0 + 9, '{}', '101', 1);
    insertEvent.run('click', T0 + 99, '{}', '101', 0); // not yet routed: its time has not come
    insertMessageSql.run('102', 1, T0);
    insertEvent.run('bounce', T0 + 5, '{"error":"mailbox inactive","MessageID":576460752303423489}', '102', 1);
    insertMessageSql.run('103', null, T0);
    client.close();

    const db = openDb(file);
    cleanups.push(() => db.$client.close());
    const migrations = db.$client.prepare('select id from __drizzle_migrations order by id').all();
    // Every migration is recorded, the later ones included.
    const all = JSON.parse(readFileSync(join(import.meta.dirname, '../drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(migrations).toHaveLength(all.entries.length);
    const status = (id: string) => {
      const record = getMessage(db, 1, id);
      return record && { status: messageStatus(record.lastEvent, record.bounceHard), stateId: record.stateId };
    };
    expect(status('101')).toEqual({ status: 'opened', stateId: 0 });
    expect(status('102')).toEqual({ status: 'hardbounced', stateId: 2 });
    expect(status('103')).toEqual({ status: 'queued', stateId: 0 });
  });
});
