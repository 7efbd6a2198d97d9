/**
 * Durable like the Send API: a real `mjsim serve` child takes mail on its SMTP relay over 8 connections,
 * is killed with SIGKILL right after the last `250`, and every message a `250` named is in the database
 * with its events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli } from './helpers/cli.js';
import { KEY, SECRET } from './helpers/sim.js';
import { loggedIn, sendRaw } from './helpers/smtp.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-smtp-crash-'));
});
afterAll(async () => {
  await killAllCli();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 right after the 250s', () => {
  it('loses no accepted message and none of its events', async () => {
    const file = join(dir, 'sim.db');
    const child = await startCli(['--port', '0', '--db', file, '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`]);
    const smtpPort = Number(/SMTP relay: [^:]+:(\d+)/.exec(child.stdout())?.[1]);
    expect(smtpPort).toBeGreaterThan(0);
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        const smtp = await loggedIn(smtpPort);
        for (let i = 0; i < 20; i++) {
          const reply = await sendRaw(smtp, 'shop@example.com', [`c${c}m${i}@example.com`, `c${c}m${i}-cc@example.com`], `From: shop@example.com\r\nSubject: ${c}/${i}\r\n\r\nHi`);
          expect(reply.code).toBe(250);
          const [, first, last] = /MessageID (\d+) to (\d+)/.exec(reply.text) ?? [];
          ids.push(first!, last!);
        }
      }),
    );
    expect(await child.stop('SIGKILL')).toBeNull();

    const db = new Database(file, { readonly: true });
    const known = new Set((db.prepare("select message_id from messages where source = 'smtp'").pluck().all() as string[]));
    expect(ids).toHaveLength(320);
    expect(ids.filter((id) => !known.has(id))).toEqual([]);
    const withEvents = db.prepare('select count(distinct message_id) as n from events where message_id in (select message_id from messages)').get() as { n: number };
    expect(withEvents.n).toBe(320);
    db.close();
  }, 60_000);
});
