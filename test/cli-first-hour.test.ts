/**
 * The CLI's guard rails for a new user's first hour (issue 18), as real processes against a real
 * `mjsim serve` started the way the user did: `MJSIM_API_KEY` set in the shell, no `--api-key`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestName } from '../src/cli/did-you-mean.js';
import { buildCli } from '../src/cli/main.js';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const run = promisify(execFile);
const PAIR = 'demo_public:demo_secret';
let dir: string;
let child: CliSim;
let receiver: Receiver;

/** A port nothing listens on: a consumer that refuses every connection. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-first-hour-'));
  receiver = await startReceiver();
  child = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual'], { MJSIM_API_KEY: PAIR });
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `mjsim ...args` in a clean environment plus `env` (no MJSIM_* of the caller), from an empty folder. */
async function mjsim(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: dir, env: { ...clean, MJSIM_URL: child.url, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
const withKey = (...args: string[]) => mjsim({ MJSIM_API_KEY: PAIR }, ...args);

describe('keys without traps', () => {
  it('serve takes MJSIM_API_KEY as an account (no dev key), so a CLI command with it set works', async () => {
    expect(child.stdout()).toMatch(/account APIKeyID \d+: demo_public\n/);
    expect(child.stdout()).not.toMatch(/dev key/);
    const shown = await withKey('clock', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ scope: 'server', mode: 'manual' });
  });

  it('a 401 names the key tried, its public part only, and where it came from', async () => {
    const fromEnv = await mjsim({ MJSIM_API_KEY: 'demo_public:wrong-secret' }, 'clock');
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(/the server refused key "demo_public" from MJSIM_API_KEY/);
    expect(fromEnv.stderr).not.toContain('wrong-secret');
    const fromFlag = await mjsim({ MJSIM_API_KEY: PAIR }, 'clock', '--api-key', 'other_public:s3cret');
    expect(fromFlag.stderr).toMatch(/the server refused key "other_public" from --api-key/);
    expect(fromFlag.stderr).not.toContain('s3cret');
    const none = await mjsim({}, 'clock', '--db', join(dir, 'none.db'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no key was sent \(no --api-key, no MJSIM_API_KEY, no dev key in \S*none\.db\)/);
  });
});

describe('did you mean', () => {
  /** Every command that has commands of its own, with its path from the program. */
  const groups = (command: Command, path: string[] = []): { path: string[]; group: Command }[] =>
    command.commands.length === 0 ? [] : [{ path, group: command }, ...command.commands.flatMap((sub) => groups(sub, [...path, sub.name()]))];
  const typo = (name: string) => `${name.slice(0, 1)}${name.slice(2, 3)}${name.slice(1, 2)}${name.slice(3)}`;

  it('finds every command of every group from a swap of two letters', () => {
    const found = groups(buildCli());
    expect(found.map(({ path }) => path.join(' '))).toEqual(['', 'clock']);
    for (const { group } of found) {
      const names = group.commands.map((command) => command.name());
      for (const name of names.filter((n) => n.length > 3)) expect(closestName(typo(name), names), name).toBe(name);
    }
  });

  it.each([
    [['clock', 'advanse', '30s'], "mjsim: unknown command 'advanse' for 'clock'. Did you mean 'advance'?"],
    [['clock', 'sett', '2026-01-01T00:00:00Z'], "mjsim: unknown command 'sett' for 'clock'. Did you mean 'set'?"],
    [['delivereis'], "mjsim: unknown command 'delivereis'. Did you mean 'deliveries'?"],
    [['clock', 'zzz'], "mjsim: unknown command 'zzz' for 'clock'. Its commands: show, advance, set"],
  ])('mjsim %j exits 2 naming the group and the closest command', async (args, message) => {
    const result = await withKey(...args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(message);
  });
});

describe('what a person debugging needs', () => {
  it('deliveries shows the last HTTP status and reason, delivery the error text, and --url takes the ID urls shows', async () => {
    const refusing = `http://127.0.0.1:${await closedPort()}/hook`;
    receiver.reply({ status: 500 });
    const auth = { authorization: `Basic ${Buffer.from(PAIR).toString('base64')}`, 'content-type': 'application/json' };
    for (const [EventType, Url] of [['bounce', receiver.url], ['open', refusing]]) {
      const created = await fetch(`${child.url}/v3/REST/eventcallbackurl`, { method: 'POST', headers: auth, body: JSON.stringify({ EventType, Url }) });
      expect(created.status).toBe(201);
    }
    expect((await withKey('emit', 'bounce', '--email', 'a@example.com')).code).toBe(0);
    expect((await withKey('emit', 'open', '--email', 'b@example.com')).code).toBe(0);
    await receiver.waitFor(1);
    // Attempt 1 of each was due at once: an advance returns once the attempts due on its way have finished.
    expect((await withKey('clock', 'advance', '1s')).code).toBe(0);

    const urls = await withKey('urls');
    const openId = /^(\d+)\s+open\b/m.exec(urls.stdout)?.[1];
    expect(openId).toBeDefined();
    const byId = await withKey('deliveries', '--url', openId!);
    const [header, , row, more] = byId.stdout.split('\n');
    expect(header).toMatch(/^id\s+status\s+eventTypes\s+eventCount\s+attemptCount\s+lastHttp\s+reason\b/);
    expect(row).toMatch(/\bpending\s+open\s+1\s+1\s+refused\s+.*ECONNREFUSED/);
    expect(more).toBe('');
    const all = await withKey('deliveries');
    expect(all.stdout).toMatch(/\bpending\s+bounce\s+1\s+1\s+500\b/);

    const id = /^(\d+)/.exec(row!)![1]!;
    const detail = await withKey('delivery', id);
    expect(detail.stdout).toMatch(new RegExp(`^delivery ${id}: pending, 1 attempt, next `));
    expect(detail.stdout).toMatch(/^number\s+startedAt\s+outcome\s+httpStatus\s+latencyMs\s+url\s+error$/m);
    expect(detail.stdout).toMatch(/refused\s+.*ECONNREFUSED/);
  });
});

describe('the clock is server-wide, and says so', () => {
  it('in clock --help, the serve banner and GET /sim/clock', async () => {
    const help = await withKey('clock', '--help');
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/server-wide: moving it moves every account's deliveries/);
    expect(child.stdout()).toMatch(/clock: manual \(server-wide\)/);
  });
});

describe('the serve banner', () => {
  it('shows the retry policy by name and short form, and the attempt timeout', () => {
    expect(child.stdout()).toMatch(/^ {2}retry policy: mailjet-2017 \(custom:30s\*10,30m\*10,suspend\) {3}attempt timeout: 10s$/m);
  });
});
