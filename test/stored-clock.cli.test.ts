/**
 * A database whose stored clock is out of range (issue 12, item 1): `mjsim serve` refuses it with a clear
 * message that names the way out, `mjsim clock set` (offline, on the file) repairs it, and serve starts.
 * Real SQLite files, real child processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/open-db.js';
import { readState, writeState } from '../src/db/sim-state.js';
import { killAllCli, runMjsim, startCli } from './helpers/cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-clock-'));
});
afterAll(async () => {
  await killAllCli();
  rmSync(dir, { recursive: true, force: true });
});

const mjsim = runMjsim;

/** A real database file whose stored clock is `value`, as the unfixed mjsim left it after `{"by":1e300}`. */
function badDatabase(name: string, value: string): string {
  const file = join(dir, name);
  const db = openDb(file);
  writeState(db, 'clock_now', value);
  db.$client.close();
  return file;
}

describe('a stored clock out of range', () => {
  it.each([
    ['past the date range', '1e+300'],
    ['past JavaScript dates', '8640000000000001'],
    ['past year 9999', '253402300800000'],
  ])('%s: serve refuses with the way out; clock set repairs it; serve starts', async (_name, value) => {
    const file = badDatabase(`bad-${value}.db`, value);
    const refused = await mjsim('serve', '--port', '0', '--db', file, '--clock', 'manual');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`mjsim: cannot start: the database ${file} cannot be used`);
    expect(refused.stderr).toContain(`mjsim clock set --db ${file}`);
    expect(refused.stderr).not.toMatch(/RangeError|at .*\.js:\d+/);

    const set = await mjsim('clock', 'set', '--db', file, '2026-01-01T00:00:00Z');
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining('set to 2026-01-01T00:00:00.000Z') });

    const sim = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    const health = (await (await fetch(`${sim.url}/sim/health`)).json()) as { now: string };
    expect(health.now).toBe('2026-01-01T00:00:00.000Z');
    expect(await sim.stop()).toBe(0);
  });

  it('a clock past its start plus 100 years is refused too', async () => {
    const file = badDatabase('late.db', String(Date.parse('2127-01-01T00:00:00Z')));
    const db = openDb(file);
    writeState(db, 'clock_start', String(Date.parse('2026-01-01T00:00:00Z')));
    db.$client.close();
    const refused = await mjsim('serve', '--port', '0', '--db', file, '--clock', 'manual');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/past the limit 2126-01-02T00:00:00\.000Z, 100 years after its start 2026-01-01T00:00:00\.000Z/);
  });

  it('clock set refuses a time out of range and a missing file', async () => {
    const file = badDatabase('ok.db', String(Date.parse('2026-01-01T00:00:00Z')));
    expect(await mjsim('clock', 'set', '--db', file, '+275760-09-13T00:00:00Z')).toMatchObject({ code: 2, stderr: expect.stringMatching(/outside 1970-01-01/) });
    expect(await mjsim('clock', 'set', '--db', file, 'someday')).toMatchObject({ code: 2, stderr: expect.stringMatching(/clock set <time>: "someday" is not a time: write an ISO 8601 time/) });
    expect(await mjsim('clock', 'set', '--db', file, '1767225600000')).toMatchObject({ code: 2, stderr: expect.stringMatching(/clock set <time>: 1767225600000: a time is an ISO 8601 time .*, not a number/) });
    expect(await mjsim('clock', 'set', '--db', join(dir, 'none.db'), '2026-01-01T00:00:00Z')).toMatchObject({ code: 2, stderr: expect.stringMatching(/no database at/) });
    const db = openDb(file);
    expect(readState(db, 'clock_now')).toBe(String(Date.parse('2026-01-01T00:00:00Z')));
    db.$client.close();
  });
});
