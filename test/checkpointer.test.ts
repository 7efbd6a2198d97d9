/**
 * The write-ahead log is checkpointed by a worker thread, not by the commits on the server's thread.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../src/db/checkpointer.js';
import { openDb } from '../src/db/open-db.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `check` until it holds or `ms` pass. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('startCheckpointer', () => {
  it('copies committed pages into the database file from a worker, below the connection\'s own threshold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-checkpoint-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sim.db');
    const db = openDb(file);
    cleanups.push(() => db.$client.open && db.$client.close());
    const checkpointer = startCheckpointer(db, file);
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(1_000);

    // About 200 pages: fewer than the 1,000 at which a connection checkpoints by itself.
    const before = statSync(file).size;
    db.$client.exec('create table filler (v text)');
    const insert = db.$client.prepare('insert into filler (v) values (?)');
    for (let i = 0; i < 20; i++) db.$client.transaction(() => insert.run('x'.repeat(40_000)))();
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(700_000);

    expect(await eventually(() => statSync(file).size > before + 700_000, 5_000)).toBe(true);
    await checkpointer.stop();
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect((db.$client.prepare('select count(*) as n from filler').get() as { n: number }).n).toBe(20);
  });
});
