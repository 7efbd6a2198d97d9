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
import { fileMessages, filedThrough } from '../src/db/message-filing.js';
import { MessageFiler } from '../src/jobs/message-filer.js';
import { countMessages, listMessages, type MessageFilter } from '../src/db/message-listing.js';
import { campaignHasRecipient, getMessage, historyOf, insertMessage, noteRoutedEvents, type NewMessage } from '../src/db/messages.js';
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
      // Few rows per slice: in some slices every sender matches, in some none, in some one of two.
      { filter: { status: { lastEvent: 'click' }, fromEmail: 'shop@example.com' }, where: "last_event = 'click' and from_email = 'shop@example.com'" },
      { filter: { fromDomain: 'nowhere.test' }, where: '0' },
      { filter: { contactId: 37 }, where: 'contact_id = 37' },
      { filter: { campaignId: 3 }, where: 'campaign_id = 3' },
      { filter: { campaignId: 0 }, where: 'campaign_id = 0' },
      { filter: { customId: 'c2' }, where: "custom_id = 'c2'" },
      { filter: { customId: '' }, where: "custom_id = ''" },
      { filter: { fromEmail: 'shop@example.com', destinationId: destinationIdOf('x@example.com') }, where: "from_email = 'shop@example.com' and email like '%@example.com'" },
      { filter: { destinationId: destinationIdOf('x@example.com'), status: { lastEvent: 'open' } }, where: "email like '%@example.com' and last_event = 'open'" },
      { filter: { fromEmail: 'shop@example.com', status: { lastEvent: 'sent' } }, where: "from_email = 'shop@example.com' and last_event = 'sent'" },
      { filter: { fromDomain: 'example.com', status: { lastEvent: 'sent' } }, where: "from_email like '%@example.com' and last_event = 'sent'" },
    ];
    // Filing moves messages into the filter indexes in row-ID order: a walk reads the filed part through them
    // and the rest row by row, and must answer the same with none, some or all of them filed.
    for (const filing of ['none', 'part', 'all'] as const) {
      if (filing === 'part') fileMessages(db, 170);
      if (filing === 'all') while (fileMessages(db, 50) > 0);
      await checkCases(filing);
    }
    async function checkCases(filing: string): Promise<void> {
      for (const accountId of [1, 2]) {
        for (const { filter, where } of cases) {
          for (const order of ['id', 'arrived_at'] as const) {
            for (const descending of [false, true]) {
              const all = plain(db, accountId, where, order, descending);
              for (const [limit, offset] of [[1000, 0], [10, 0], [10, 35], [7, all.length - 3], [5, all.length + 4]] as const) {
                // In arrival order a filing filter's matches are sorted in memory, or (more than `few`) walked by time.
                for (const few of [10_000, 3]) {
                  const rows = await listMessages(db, accountId, filter, { limit, offset, order, descending }, { slice: 11, few });
                  expect(rows.map((row) => row.messageId), `${filing} ${accountId} ${where} ${order} ${descending} ${limit}/${offset} ${few}`).toEqual(all.slice(offset, offset + limit));
                }
              }
            }
          }
          // A status with a sender or domain may be counted as the status minus the other keys: both ways agree.
          for (const complement of [true, false]) {
            expect(await countMessages(db, accountId, filter, { slice: 13, complement }), `${filing} ${where} ${complement}`).toBe(plain(db, accountId, where, 'id', false).length);
          }
        }
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
    fileMessages(db, 30);
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
      { campaignId: 2, status: { lastEvent: 'sent' } },
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
    // A read is an index range, or a row-ID slice of the table (filters with no index of their own): never a
    // whole scan, never a sort. The only temporary B-trees are the few distinct senders or domains of one slice.
    const slice = /^SEARCH m USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/;
    for (const { sql, plan } of plans) {
      expect(plan, sql).not.toMatch(/\bSCAN (m|messages|events)\b/);
      expect(plan.replace(/ \| USE TEMP B-TREE FOR DISTINCT$/, ''), sql).not.toMatch(/TEMP B-TREE/);
      // …and only within a slice: a row-ID range, or a range of the arrival index.
      if (/TEMP B-TREE/.test(plan)) expect(plan, sql).toMatch(/^SEARCH m USING .*(rowid>\? AND rowid<\?|id>\? AND id<\?|arrived_at[<>=]+\?)/);
      expect(plan, sql).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
    }
    // The status filters and the time order walk their own indexes, in row-ID slices.
    const planOf = (pattern: RegExp) => plans.filter(({ sql }) => pattern.test(sql)).map(({ plan }) => plan);
    const byStatus = planOf(/indexed by messages_status where .*m\.last_event = @lastEvent and .*m\.id >= @sliceLow/);
    expect(byStatus.length).toBeGreaterThan(0);
    for (const plan of byStatus) expect(plan).toMatch(/^SEARCH m USING (COVERING )?INDEX messages_status \(account_id=\? AND last_event=\? AND id>\? AND id<\?\)/);
    const byTime = planOf(/from messages m indexed by messages_arrived where m.account_id = @accountId and 1 order by/);
    expect(byTime.length).toBeGreaterThan(0);
    for (const plan of byTime) expect(plan).toMatch(/^SEARCH m USING (COVERING )?INDEX messages_arrived \(account_id=\?\)$/);
    // The newest messages, not yet filed, are read row by row; the filed ones through their filing index.
    const byCustomId = planOf(/not indexed where .*m\.custom_id = @customId and m\.id >= @sliceLow/);
    expect(byCustomId.length).toBeGreaterThan(0);
    for (const plan of byCustomId) expect(plan).toMatch(slice);
    const filed: [RegExp, RegExp][] = [
      [/indexed by messages_custom_id /, /^SEARCH m USING (COVERING )?INDEX messages_custom_id \(account_id=\? AND custom_id=\? AND rowid>\? AND rowid<\?\)/],
      [/indexed by messages_contact /, /^SEARCH m USING (COVERING )?INDEX messages_contact \(account_id=\? AND contact_id=\? AND rowid>\? AND rowid<\?\)/],
      [/indexed by messages_campaign_id /, /^SEARCH m USING (COVERING )?INDEX messages_campaign_id \(account_id=\? AND campaign_id=\? AND id>\? AND id<\?\)/],
      [/indexed by messages_sender .*m\.from_email = @filedKey/, /^SEARCH m USING (COVERING )?INDEX messages_sender \(account_id=\? AND from_email=\? AND id>\? AND id<\?\)/],
      [/indexed by messages_domain .*= @filedKey/, /^SEARCH m USING (COVERING )?INDEX messages_domain \(account_id=\? AND <expr>=\? AND id>\? AND id<\?\)/],
      [/indexed by messages_queued /, /^SEARCH m USING (COVERING )?INDEX messages_queued \(account_id=\? AND id>\? AND id<\?\)/],
    ];
    // Counting a campaign's or a sender's messages in a status, hard bounces, or a StateID reads no row.
    const covered = plans.filter(({ sql }) => /^select count\(\*\)/.test(sql) && /(indexed by messages_(campaign_id|sender|domain) .*last_event = @lastEvent|indexed by messages_status .*(bounce_hard is not 0|m\.state_id = @stateId))/.test(sql));
    expect(covered.length).toBeGreaterThanOrEqual(3);
    for (const { sql, plan } of covered) expect(plan, sql).toMatch(/^SEARCH m USING COVERING INDEX messages_(status|campaign_id|sender|domain) /);
    for (const [sql, plan] of filed) {
      const found = planOf(sql);
      expect(found.length, String(sql)).toBeGreaterThan(0);
      for (const each of found) expect(each, String(sql)).toMatch(plan);
    }
  });

  it('DeduplicateCampaign looks a recipient up in its campaign through the campaign index', () => {
    const db = openDb(':memory:');
    seed(db, 20);
    insertMessage(db, { ...base(1, 99, T0), campaign: 'spring', email: 'Jane@example.com' });
    const recorder = recordStatements(db);
    expect(campaignHasRecipient(db, 1, 'spring', 'jane@EXAMPLE.com')).toBe(true);
    expect(campaignHasRecipient(db, 1, 'spring', 'john@example.com')).toBe(false);
    expect(campaignHasRecipient(db, 1, 'autumn', 'jane@example.com')).toBe(false);
    expect(campaignHasRecipient(db, 2, 'spring', 'jane@example.com')).toBe(false);
    const plans = recorder.plans();
    expect(plans).toHaveLength(1);
    expect(plans[0]?.plan).toMatch(/^SEARCH messages USING (COVERING )?INDEX messages_campaign \(account_id=\? AND campaign=\?\)$/);
  });
});

describe('filing', () => {
  it('the filer files every message in steps, yielding between them, and a new message waits for the next pass', async () => {
    const db = openDb(':memory:');
    seed(db, 5_000);
    const filedCount = () => (db.$client.prepare('select count(*) as n from messages where filed = 1').get() as { n: number }).n;
    expect(filedCount()).toBe(0);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    await new MessageFiler(db).pass();
    clearInterval(ticker);
    expect(filedCount()).toBe(5_000);
    expect(filedThrough(db)).toBe(5_000);
    expect(turns).toBeGreaterThan(0);
    insertMessage(db, base(1, 5_000, T0));
    expect(filedCount()).toBe(5_000);
    expect(await countMessages(db, 1, { contactId: 5_000 })).toBe(1);
    await new MessageFiler(db).pass();
    expect(filedCount()).toBe(5_001);
    expect(await countMessages(db, 1, { contactId: 5_000 })).toBe(1);
  });
});

describe('a long poll and the delivery engine', () => {
  let sim: TestSim;
  let receiver: Receiver;
  afterEach(async () => {
    await sim?.close();
    await receiver?.close();
  });

  // By the status index, and by a filter read row by row (messages not yet filed: the table in row-ID slices).
  it.each([
    ['MessageStatus=1', 50_000],
    ['CustomID=c1', 12_500],
  ])('a count over many slices cannot hold back a due attempt (%s)', async (filter, expected) => {
    sim = await startTestSim();
    receiver = await startReceiver();
    const { db, engine, clock } = sim.server;
    const account = sim.server.accounts[0]!;
    expect((await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'sent', Url: receiver.url } })).status).toBe(201);
    inTransaction(db, () => {
      for (let n = 0; n < 50_000; n++) insertMessage(db, base(account.id, n, clock.now()));
    });
    const app = createApp({ db, clock, engine, settings: engine.settings, seed: 'test' });
    const attempts = () => (db.$client.prepare('select count(*) as n from attempts').get() as { n: number }).n;
    expect(attempts()).toBe(0);

    // An event due now: the engine's next turn routes it and makes its attempt. In the same turn the poll
    // starts; a count that ran to the end in one go would answer before the engine got that turn.
    engine.emitEvents(account.id, [{ type: 'sent', fields: { email: 'due@example.com' } }]);
    const res = await app.request(`/v3/REST/message?${filter}&countOnly=1`, { headers: { authorization: basic() } });
    const attemptsWhenAnswered = attempts();

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Count: expected, Data: [], Total: expected });
    expect(attemptsWhenAnswered).toBe(1);
    await receiver.waitFor(1);
  });
});

describe('migrations 0003 and 0004 on a database made by the previous migrations', () => {
  it('apply in order, backfill each message\'s latest routed event and StateID, and leave the messages indexes of this version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-migrate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The migrations as they were before 0003.
    const old = join(dir, 'drizzle');
    cpSync(join(import.meta.dirname, '../drizzle'), old, { recursive: true });
    rmSync(join(old, '0003_polling_indexes.sql'));
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    const allEntries = journal.entries.length;
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
    expect(migrations).toHaveLength(allEntries);
    const status = (id: string) => {
      const record = getMessage(db, 1, id);
      return record && { status: messageStatus(record.lastEvent, record.bounceHard), stateId: record.stateId };
    };
    expect(status('101')).toEqual({ status: 'opened', stateId: 0 });
    expect(status('102')).toEqual({ status: 'hardbounced', stateId: 2 });
    expect(status('103')).toEqual({ status: 'queued', stateId: 0 });
    // Messages stored before filing existed are filed by the migration.
    expect(db.$client.prepare('select count(*) as n from messages where filed = 0').get()).toEqual({ n: 0 });
    expect(filedThrough(db)).toBe(3);
    const indexes = db.$client.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'messages' and sql is not null order by name").all();
    expect(indexes.map((index) => (index as { name: string }).name)).toEqual([
      'messages_account',
      'messages_arrived',
      'messages_campaign',
      'messages_campaign_id',
      'messages_contact',
      'messages_custom_id',
      'messages_domain',
      'messages_header_message_id',
      'messages_message_id',
      'messages_queued',
      'messages_sender',
      'messages_status',
    ]);
    expect(indexes).toContainEqual({ name: 'messages_campaign', sql: expect.stringMatching(/WHERE "messages"."campaign" <> ''$/) });
    expect(indexes).toContainEqual({ name: 'messages_status', sql: expect.stringMatching(/WHERE "messages"."last_event" is not null$/) });
  });
});
