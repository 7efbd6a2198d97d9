/**
 * A reply finds the mail it answers by Message-ID (findMessagesByHeaderMessageId), whether that mail's
 * messages are filed (the Message-ID index holds only filed messages: a send pays no random page for it) or
 * among the newest, not yet filed (read by row ID): both parts, in row order, each through an index range.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { fileMessages, filedThrough } from '../src/db/message-filing.js';
import { findMessagesByHeaderMessageId, insertMessage, type NewMessage } from '../src/db/messages.js';
import { openDb, type Db } from '../src/db/open-db.js';
import { recordStatements } from './helpers/query-plans.js';
import { T0 } from './helpers/sim.js';

const dbs: Db[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const message = (n: number, headerMessageId: string | null, accountId = 1): NewMessage => ({
  accountId,
  messageId: String(576460752303423488n + BigInt(n)),
  uuid: `uuid-${n}`,
  email: `r${n}@example.com`,
  recipientType: 'To',
  fromEmail: 'shop@example.com',
  fromName: 'Shop',
  subject: 'Hi',
  customId: `order-${n}`,
  eventPayload: '',
  campaign: '',
  campaignId: 0,
  contactId: n,
  isOpenTracked: false,
  isClickTracked: false,
  isHtmlPartIncluded: false,
  isTextPartIncluded: true,
  attachmentCount: 0,
  messageSize: 100,
  bounceHard: null,
  arrivedAt: T0,
  headerMessageId,
});

const customIdsOf = (db: Db, id: string) => findMessagesByHeaderMessageId(db, id).map((row) => row.customId);

describe('findMessagesByHeaderMessageId', () => {
  it('finds a mail\'s messages filed, not yet filed, and split by the filer, oldest first', () => {
    const db = openDb(':memory:');
    dbs.push(db);
    const recorder = recordStatements(db);
    insertMessage(db, message(1, '<a@shop.example>'));
    insertMessage(db, message(2, '<uuid-2@mjsim.local>'));
    insertMessage(db, message(3, '<a@shop.example>', 2));
    insertMessage(db, message(4, null));
    // Nothing filed yet: every message is read by row ID.
    expect(customIdsOf(db, '<a@shop.example>')).toEqual(['order-1', 'order-3']);
    expect(customIdsOf(db, 'uuid-2@mjsim.local')).toEqual(['order-2']);

    // The filer stops between the two recipients of one mail: one is found through the index, one by row ID.
    expect(fileMessages(db, 2)).toBe(2);
    expect(filedThrough(db)).toBe(2);
    insertMessage(db, message(5, '<a@shop.example>'));
    expect(customIdsOf(db, '<a@shop.example>')).toEqual(['order-1', 'order-3', 'order-5']);
    expect(customIdsOf(db, '<uuid-2@mjsim.local>')).toEqual(['order-2']);

    while (fileMessages(db, 100) > 0);
    expect(customIdsOf(db, '<a@shop.example>')).toEqual(['order-1', 'order-3', 'order-5']);
    expect(findMessagesByHeaderMessageId(db, '<a@shop.example>').map((row) => row.accountId)).toEqual([1, 2, 1]);
    expect(customIdsOf(db, '<nobody@nowhere.example>')).toEqual([]);

    // The filed part through the Message-ID index, the newest through a row-ID range: never a scan.
    const plans = recorder.plans().filter(({ sql }) => sql.includes('header_message_id = @id'));
    expect(plans).toHaveLength(1);
    expect(plans[0]?.plan).toMatch(/SEARCH messages USING INDEX messages_header_message_id \(header_message_id=\?\)/);
    expect(plans[0]?.plan).toMatch(/SEARCH messages USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plans[0]?.plan).not.toMatch(/\bSCAN\b/);
  });

  it('a send writes no Message-ID index entry; filing writes it', () => {
    const db = openDb(':memory:');
    dbs.push(db);
    const entries = () =>
      (db.$client.prepare('select count(*) as n from messages indexed by messages_header_message_id where filed = 1 and header_message_id is not null').get() as { n: number }).n;
    insertMessage(db, message(1, '<a@shop.example>'));
    expect(entries()).toBe(0);
    fileMessages(db, 100);
    expect(entries()).toBe(1);
  });
});

describe('migration 0011 on a database made by the previous migrations', () => {
  it('keeps every message, files the Message-ID index, and replies still find filed and unfiled mail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-migrate-'));
    dirs.push(dir);
    // The migrations as they were before 0011.
    const old = join(dir, 'drizzle');
    cpSync(join(import.meta.dirname, '../drizzle'), old, { recursive: true });
    rmSync(join(old, '0011_header_id_filed.sql'));
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    const allEntries = journal.entries.length;
    expect(journal.entries.map((entry) => entry.tag)).toContain('0011_header_id_filed');
    journal.entries = journal.entries.filter((entry) => entry.tag !== '0011_header_id_filed');
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'sim.db');
    const client = new Database(file);
    migrate(drizzle(client), { migrationsFolder: old });
    const before = drizzle(client) as unknown as Db;
    insertMessage(before, message(1, '<a@shop.example>'));
    insertMessage(before, message(2, '<a@shop.example>'));
    fileMessages(before, 1);
    client.close();

    const db = openDb(file);
    dbs.push(db);
    expect(db.$client.prepare('select id from __drizzle_migrations').all()).toHaveLength(allEntries);
    expect(db.$client.prepare("select sql from sqlite_master where name = 'messages_header_message_id'").get()).toEqual({
      sql: expect.stringMatching(/WHERE "messages"."filed" = 1 and "messages"."header_message_id" is not null$/),
    });
    expect(customIdsOf(db, '<a@shop.example>')).toEqual(['order-1', 'order-2']);
  });
});
