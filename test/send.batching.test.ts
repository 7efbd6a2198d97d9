/**
 * What makes the Send API fast without changing what it answers: one MessageID reservation per request
 * (not per recipient), and concurrent sends sharing one commit while each still answers only after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inGroupCommit } from '../src/db/group-commit.js';
import { openDb, type Db } from '../src/db/open-db.js';
import { statement } from '../src/db/statements.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { message } from './helpers/send.js';

/** Counts every write to the MessageID counter, with temporary triggers on the real table. */
function countCounterWrites(db: Db): () => number {
  db.$client.exec(`
    create temp table counter_writes (n integer not null);
    insert into counter_writes values (0);
    create temp trigger counter_insert after insert on main.sim_state when new.key = 'message_seq'
      begin update counter_writes set n = n + 1; end;
    create temp trigger counter_update after update on main.sim_state when new.key = 'message_seq'
      begin update counter_writes set n = n + 1; end;`);
  return () => (db.$client.prepare('select n from counter_writes').get() as { n: number }).n;
}

interface SentMessage {
  Status: string;
  To: { MessageID: number | string }[];
  Cc?: { MessageID: number | string }[];
}

describe('POST /v3.1/send reserves MessageIDs once per request', () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildTestApp();
  });
  afterEach(() => t.close());

  it('50 messages of two recipients each: one counter write, 100 consecutive MessageIDs in answer order', async () => {
    const writes = countCounterWrites(t.db);
    const messages = Array.from({ length: 50 }, (_, i) => message(`to${i}@example.com`, { Cc: [{ Email: `cc${i}@example.com` }] }));
    const res = await t.call('POST', '/v3.1/send', { json: { Messages: messages } });
    expect(res.status).toBe(200);
    // Read the IDs as text: they exceed 2^53.
    const text = await res.text();
    const ids = [...text.matchAll(/"MessageID":(\d+)/g)].map((match) => BigInt(match[1] as string));
    expect(ids).toHaveLength(100);
    ids.forEach((id, i) => expect(id).toBe((ids[0] as bigint) + BigInt(i)));
    expect(writes()).toBe(1);
    expect(((JSON.parse(text) as { Messages: SentMessage[] }).Messages).every((m) => m.Status === 'success')).toBe(true);

    const again = await t.call('POST', '/v3.1/send', { json: { Messages: [message('next@example.com')] } });
    const [next] = [...(await again.text()).matchAll(/"MessageID":(\d+)/g)].map((match) => BigInt(match[1] as string));
    expect(next).toBe((ids[99] as bigint) + 1n);
    expect(writes()).toBe(2);
  });

  it('concurrent sends (one shared commit) get disjoint MessageIDs and every message is stored', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.call('POST', '/v3.1/send', { json: { Messages: [message(`a${i}@example.com`), message(`b${i}@example.com`)] } })),
    );
    const ids = (await Promise.all(answers.map((res) => res.text()))).flatMap((text) => [...text.matchAll(/"MessageID":(\d+)/g)].map((match) => match[1]));
    expect(answers.every((res) => res.status === 200)).toBe(true);
    expect(new Set(ids).size).toBe(16);
    expect((statement(t.db, 'select count(*) as n from messages').get() as { n: number }).n).toBe(16);
  });
});

describe('inGroupCommit', () => {
  it('a failing piece is rolled back alone, the others commit, and each promise settles after the commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-group-'));
    const db = openDb(join(dir, 'group.db'));
    const reader = new Database(join(dir, 'group.db'), { readonly: true });
    db.$client.exec('create table t (v integer)');
    const insert = (v: number) => () => statement(db, 'insert into t (v) values (?)').run(v).changes;
    const seenByReader: number[] = [];
    const settled = [
      inGroupCommit(db, insert(1)),
      inGroupCommit(db, () => {
        insert(2)();
        throw new Error('this one fails');
      }),
      inGroupCommit(db, insert(3)),
    ].map((promise) =>
      promise.finally(() => seenByReader.push((reader.prepare('select count(*) as n from t').get() as { n: number }).n)),
    );
    const results = await Promise.allSettled(settled);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('this one fails'));
    expect((reader.prepare('select group_concat(v) as v from t').get() as { v: string }).v).toBe('1,3');
    // Another connection already saw both committed rows when each promise settled.
    expect(seenByReader).toEqual([2, 2, 2]);
    reader.close();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the "accepted" notice of a group commit', () => {
  it('comes once per committed piece, after the commit, and never for a piece rolled back', async () => {
    const t = buildTestApp();
    const notices: number[] = [];
    t.engine.on('accepted', ({ count }) => notices.push(count));
    const accept = (count: number) => () =>
      t.engine.accept(
        t.account.id,
        Array.from({ length: count }, () => ({ type: 'open' as const, payload: { event: 'open', email: 'a@example.com' } })),
      );
    const settled = await Promise.allSettled([
      inGroupCommit(t.db, () => (accept(1)(), expect(notices).toEqual([]))),
      inGroupCommit(t.db, () => {
        accept(2)();
        throw new Error('this one fails');
      }),
      inGroupCommit(t.db, accept(3)),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The turn ran twice (the second time with a savepoint per piece): still one notice per kept piece.
    expect(notices).toEqual([1, 3]);
    expect((statement(t.db, 'select count(*) as n from events').get() as { n: number }).n).toBe(4);
    t.close();
  });
});
