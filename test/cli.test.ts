/**
 * The `mjsim` commands that drive a running server, run as real processes against a real `mjsim serve`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const run = promisify(execFile);
let dir: string;
let child: CliSim;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-cli-'));
  receiver = await startReceiver();
  child = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual']);
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `mjsim ...args` against the child, using the dev key stored in its database. */
async function mjsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--server', child.url, '--db', join(dir, 'sim.db')]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('mjsim client commands', () => {
  it('health, emit, clock advance, deliveries and delivery work with the dev key from the database', async () => {
    const [, key, secret] = /curl -s -u ([0-9a-f]+):([0-9a-f]+)/.exec(child.stdout())!;
    const created = await fetch(`${child.url}/v3/REST/eventcallbackurl`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ EventType: 'bounce', Url: receiver.url }),
    });
    expect(created.status).toBe(201);
    receiver.reply({ status: 500 });

    const health = await mjsim('health', '--wait', '5s', '--json');
    expect(health.code).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'ok', clock: 'manual' });

    const emitted = await mjsim('emit', 'bounce', '--email', 'cli@example.com', '--field', 'CustomID=order-9', '--field', 'hard_bounce=false');
    expect(emitted.code).toBe(0);
    // It says what will happen, not just "emitted" (issue 18).
    expect(emitted.stdout).toMatch(/^bounce for cli@example.com \(MessageID \d+\): delivered when due: now, to URL #\d+$/m);
    const [first] = await receiver.waitFor(1);
    expect(JSON.parse(first!.body)).toMatchObject({ email: 'cli@example.com', CustomID: 'order-9', hard_bounce: false });

    const advanced = await mjsim('clock', 'advance', '30m', '--progress');
    expect(advanced.code).toBe(0);
    // Attempt 1 (due when the advance began) counts whether or not it was answered by then (issue 18), then 2 to 11.
    expect(advanced.stdout).toMatch(/11 attempts, 0 succeeded, 11 failed, 0 URLs suspended/);
    expect(advanced.stderr).toMatch(/clock \S+, 10 attempts made\n$/);

    const list = await mjsim('deliveries', '--json');
    const deliveries = JSON.parse(list.stdout).deliveries as { id: number; attemptCount: number }[];
    expect(deliveries[0]!.attemptCount).toBe(11);
    const table = await mjsim('deliveries');
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+status\s+eventTypes/);
    const filtered = async (...args: string[]) => (JSON.parse((await mjsim('deliveries', '--json', ...args)).stdout).deliveries as { id: number }[]).map((d) => d.id);
    const id = deliveries[0]!.id;
    expect(await filtered('--status', 'pending', '--event-type', 'bounce', '--url', receiver.url, '--limit', '5', '--offset', '0')).toEqual([id]);
    expect(await filtered('--status', 'delivered')).toEqual([]);
    expect(await filtered('--event-type', 'open')).toEqual([]);
    expect(await filtered('--before', String(id))).toEqual([]);
    expect(await filtered('--after', String(id - 1))).toEqual([id]);
    expect(await filtered('--email', 'CLI@example.com')).toEqual([id]);
    expect(await filtered('--email', 'someone-else@example.com')).toEqual([]);
    expect((await mjsim('deliveries', '--before', 'x')).code).toBe(2);

    const detail = await mjsim('delivery', String(deliveries[0]!.id));
    expect(detail.stdout).toMatch(/11 attempts/);
    expect(detail.stdout.split('\n').filter((line) => /http-status\s+500/.test(line))).toHaveLength(11);

    const next = await mjsim('clock', 'advance', 'next', '--json');
    expect(JSON.parse(next.stdout)).toMatchObject({ attempts: 1 });
    const shown = await mjsim('clock', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ mode: 'manual' });
  });

  it('prints MessageIDs above 2^53 exactly, in the table and in --json (JSON.parse printed …500 for …529)', async () => {
    const hooks = await startReceiver();
    try {
      const [, key, secret] = /curl -s -u ([0-9a-f]+):([0-9a-f]+)/.exec(child.stdout())!;
      const created = await fetch(`${child.url}/v3/REST/eventcallbackurl`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ EventType: 'sent', Url: hooks.url }),
      });
      expect(created.status).toBe(201);
      /** The MessageID as the server wrote it in the webhook it delivered: the exact value, read as text. */
      const deliveredId = async (count: number) => /"MessageID":(\d+)/.exec((await hooks.waitFor(count))[count - 1]!.body)![1]!;

      const asJson = await mjsim('emit', 'sent', '--email', 'exact-1@example.com', '--json');
      expect(asJson.code).toBe(0);
      const printedJson = /"MessageID":(\d+)/.exec(asJson.stdout)![1]!;
      expect(BigInt(printedJson)).toBeGreaterThan(2n ** 53n);
      expect(printedJson).toBe(await deliveredId(1));

      const asTable = await mjsim('emit', 'sent', '--email', 'exact-2@example.com');
      const printedTable = /\(MessageID (\d+)\)/.exec(asTable.stdout)![1]!;
      expect(BigInt(printedTable)).toBeGreaterThan(2n ** 53n);
      expect(printedTable).toBe(await deliveredId(2));

      // A given MessageID goes out and comes back exact, as the bare integer it is.
      const given = '576460765503091529';
      const explicit = await mjsim('emit', 'sent', '--email', 'exact-3@example.com', '--field', `MessageID=${given}`);
      expect(explicit.stdout).toContain(`(MessageID ${given})`);
      expect(await deliveredId(3)).toBe(given);
      const explicitJson = await mjsim('emit', 'sent', '--email', 'exact-4@example.com', '--field', `MessageID=${given}`, '--json');
      expect(explicitJson.stdout).toContain(`"MessageID":${given},`);
      expect(await deliveredId(4)).toBe(given);
    } finally {
      await hooks.close();
    }
  });

  it('exits 1 when the server answers an error', async () => {
    expect(await mjsim('delivery', '999999')).toMatchObject({ code: 1, stderr: 'mjsim: No delivery 999999 in this account\n' });
    // Well-formed, refused by the server: the clock only moves forward.
    expect(await mjsim('clock', 'advance', '2000-01-01T00:00:00Z')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mjsim: The clock only moves forward/) });
  });

  it.each([
    [['nosuch'], "mjsim: unknown command 'nosuch'"],
    [['deliveries', '--bogus'], "mjsim: unknown option '--bogus'"],
    [['delivery'], "mjsim: missing required argument 'id'"],
    [['health', 'extra'], "mjsim: too many arguments for 'health'"],
    [['clock', 'show', 'extra'], "mjsim: too many arguments for 'show'"],
    [['deliveries', '--status', 'nope'], 'mjsim: --status: expected one of pending, in_flight, delivered, failed, suppressed, handed_over, got "nope"'],
    [['deliveries', '--event-type', 'opened'], 'mjsim: --event-type: expected one of sent, open, click, bounce, spam, blocked, unsub, or parse (Parse API deliveries), got "opened"'],
    [['deliveries', '--limit', '0'], 'mjsim: --limit: expected a whole number from 1 to 1000, got "0"'],
    [['deliveries', '--message-id', '12x'], 'mjsim: --message-id: expected a MessageID (a whole number), got "12x"'],
    [['delivery', 'abc'], 'mjsim: delivery <id>: expected a whole number of at least 1, got "abc"'],
    [['clock', 'advance', 'soon'], 'mjsim: clock advance <target>: "soon" is not a duration'],
    [['emit', 'nonsense'], 'mjsim: emit <type>: expected one of sent, open, click, bounce, spam, blocked, unsub, got "nonsense"'],
    [['emit', 'open', '--field', 'novalue'], 'mjsim: --field: expected name=value, got "novalue"'],
    [['emit', 'open', '--field', 'MessageID=abc'], 'mjsim: --field MessageID=abc: "MessageID" must be a whole number'],
    [['emit', 'open', '--field', 'email=5'], 'mjsim: --field email=5: "email" must be a string'],
    [['urls', '--status', 'zombie'], 'mjsim: --status: expected one of alive, dead, got "zombie"'],
    [['health', '--wait', 'x'], 'mjsim: --wait: "x" is not a duration'],
    [['prune', '--before', 'x'], 'mjsim: --before: "x" is neither a time nor a duration'],
    [['generate', '--rate', 'x'], 'mjsim: --rate: expected a rate such as 200/s, 600/m or 50, got "x"'],
    [['demo', '--port', 'abc'], 'mjsim: --port: expected a port number (0-65535), got "abc"'],
  ])('exits 2 on bad usage, naming what was typed: mjsim %j', async (args, message) => {
    const result = await mjsim(...args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).not.toMatch(/Event 0|Invalid input|received NaN/);
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    const none = await run(process.execPath, [BIN]).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(none).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Usage: mjsim') });
  });

  it('exits 3 when the server cannot be reached', async () => {
    const unreachable = await run(process.execPath, [BIN, 'clock', '--server', 'http://127.0.0.1:1']).catch((error: { code: number; stderr: string }) => error);
    expect(unreachable).toMatchObject({ code: 3 });
    expect((unreachable as { stderr: string }).stderr).toMatch(/cannot reach mjsim/);
    const badKey = await run(process.execPath, [BIN, 'clock', '--server', child.url, '--api-key', 'no:such']).catch((error: { code: number; stderr: string }) => error);
    expect(badKey).toMatchObject({ code: 1 });
  });

  it('has help for the program and for each command', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    for (const command of ['serve', 'health', 'clock', 'emit', 'deliveries', 'delivery', 'replay', 'reset', 'urls', 'generate', 'demo']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const advance = await run(process.execPath, [BIN, 'clock', 'advance', '--help']);
    expect(advance.stdout.replace(/\s+/g, ' ')).toMatch(/advance the server-wide clock by a duration \(30s, 5h5m\), to "next", or to an ISO time/);
    const serve = await run(process.execPath, [BIN, 'serve', '--help']);
    expect(serve.stdout).toMatch(/--clock <mode>\s+real, manual, or a speed-up such as 100x \[env\s+MJSIM_CLOCK, default real\]/);
  });

  it('serve rejects bad flags with exit 2 and a message naming the flag', async () => {
    const bad = await run(process.execPath, [BIN, 'serve', '--clock', 'fast', '--db', ':memory:']).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/invalid clock "fast"/);
  });

  it.each([
    [['--port', 'abc'], {}, 'mjsim: --port: expected a port number (0-65535), got "abc"'],
    [['--port', '70000'], {}, 'mjsim: --port: expected a port number (0-65535), got "70000"'],
    [['--attempt-timeout', 'soon'], {}, 'mjsim: --attempt-timeout: "soon" is not a duration'],
    [['--api-key', 'nocolon'], {}, 'mjsim: --api-key: invalid API key pair "nocolon": write PUBLIC:SECRET'],
    [['--max-batch', '0'], {}, 'mjsim: --max-batch: expected a whole number of at least 1, got "0"'],
    [['--clock', 'fast'], {}, 'mjsim: --clock: invalid clock "fast"'],
    [['--tls', 'on'], {}, 'mjsim: --tls: expected off or self-signed, got "on"'],
    [[], { MJSIM_PORT: 'abc' }, 'mjsim: MJSIM_PORT: expected a port number (0-65535), got "abc"'],
    [[], { MJSIM_API_KEYS: 'bad' }, 'mjsim: MJSIM_API_KEYS: invalid API key pair "bad"'],
    [[], { MJSIM_CONCURRENCY: '-1' }, 'mjsim: MJSIM_CONCURRENCY: expected a whole number of at least 1, got "-1"'],
    [['--port', 'abc'], { MJSIM_PORT: '7355' }, 'mjsim: --port: expected'],
  ])('serve %j %j names the flag or variable: %s', async (args, vars, message) => {
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_'))), ...vars };
    const bad = await run(process.execPath, [BIN, 'serve', '--db', ':memory:', ...args], { env }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2 });
    const stderr = (bad as { stderr: string }).stderr;
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr).not.toMatch(/Invalid input|received NaN|attemptTimeout|apiKeys\.0/);
  });
});
