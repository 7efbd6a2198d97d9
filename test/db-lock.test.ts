/**
 * One database, one server (issue 18, defect 4), with real processes: a second `mjsim serve` on a database
 * in use exits 1 naming the first (PID and port); `mjsim clock set --db` refuses while a server holds the
 * database and says to go through it; a server killed with SIGKILL leaves no lock behind; the library takes
 * the same lock.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, SimulatorError } from '../src/index.js';
import { killAllCli, runMjsim, startCli } from './helpers/cli.js';

const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-lock-'));
});
afterAll(async () => {
  await killAllCli();
  rmSync(dir, { recursive: true, force: true });
});

const mjsim = runMjsim;

async function clockOf(url: string): Promise<string> {
  return ((await (await fetch(`${url}/sim/health`)).json()) as { now: string }).now;
}

describe('one database, one server', () => {
  it('a second serve on a database in use exits 1 naming the first (PID and port); the first is untouched', async () => {
    const file = join(dir, 'two-servers.db');
    const first = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    const before = await clockOf(first.url);
    const second = await mjsim('serve', '--port', '0', '--db', file, '--clock', 'manual');
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain('listening on');
    expect(second.stderr).toContain(`mjsim: cannot start: the database ${file} is in use by another mjsim: a server (PID ${first.child.pid}, listening on ${first.url} (port ${first.port}))`);
    expect(second.stderr).toContain('stop it first, or point --db at another file');
    expect(await clockOf(first.url)).toBe(before);
    expect(await first.stop()).toBe(0);
    // A clean stop lets go: the next server starts.
    const third = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    expect((await fetch(`${third.url}/sim/health`)).status).toBe(200);
    expect(await third.stop()).toBe(0);
  });

  it('clock set --db refuses while a server holds the database, names the server to go through, and changes nothing', async () => {
    const file = join(dir, 'clock-set.db');
    const server = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    const before = await clockOf(server.url);
    const set = await mjsim('clock', 'set', '--db', file, '2030-01-01T00:00:00Z');
    expect(set.code).toBe(1);
    expect(set.stdout).toBe('');
    expect(set.stderr).toContain(`clock set: the database ${file} is in use by another mjsim: a server (PID ${server.child.pid}, listening on ${server.url}`);
    expect(set.stderr).toContain(`Go through the server: \`mjsim clock advance <duration|time> --server ${server.url}\``);
    expect(await server.stop()).toBe(0);
    const { stdout } = await run('sqlite3', [file, "select value from sim_state where key = 'clock_now'"]).catch(() => ({ stdout: '' }));
    if (stdout) expect(new Date(Number(stdout.trim())).toISOString()).toBe(before);
    // Stopped, the same command works.
    const after = await mjsim('clock', 'set', '--db', file, '2030-01-01T00:00:00Z');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('set to 2030-01-01T00:00:00.000Z');
  });

  it('a server killed with SIGKILL leaves no lock: the next serve starts on the same database', async () => {
    const file = join(dir, 'killed.db');
    const killed = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    expect(await killed.stop('SIGKILL')).toBeNull();
    // The killed server's record of itself is still there: it must not block.
    expect(existsSync(`${file}.lock.json`)).toBe(true);
    const next = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    expect((await fetch(`${next.url}/sim/health`)).status).toBe(200);
    // While it runs, the record names the new server, not the dead one.
    const refused = await mjsim('serve', '--port', '0', '--db', file);
    expect(refused.stderr).toContain(`(PID ${next.child.pid}, listening on ${next.url}`);
    expect(await next.stop()).toBe(0);
    expect(existsSync(`${file}.lock.json`)).toBe(false);
  });

  it('the library takes the same lock: a simulator on a file a server holds is refused, and a server on a simulator\'s file too', async () => {
    const file = join(dir, 'library.db');
    const server = await startCli(['--port', '0', '--db', file, '--clock', 'manual']);
    const refused = await createSimulator({ db: file }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SimulatorError);
    expect((refused as Error).message).toContain(`is in use by another mjsim: a server (PID ${server.child.pid}, listening on ${server.url}`);
    expect(await server.stop()).toBe(0);

    const sim = await createSimulator({ db: file });
    try {
      const second = await mjsim('serve', '--port', '0', '--db', file);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`(PID ${process.pid}, listening on ${sim.url}`);
      // Two simulators in one process on one file: refused too.
      await expect(createSimulator({ db: file })).rejects.toThrow(/in this process/);
    } finally {
      await sim.close();
    }
    const again = await createSimulator({ db: file });
    await again.close();
  });
});
