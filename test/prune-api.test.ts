/**
 * `POST /sim/prune` (authentication, mjsim's error envelope, one account at a time) and `mjsim prune`
 * run as a real process against a real `mjsim serve`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, KEY, OTHER_KEY, OTHER_SECRET, SECRET } from './helpers/sim.js';

const run = promisify(execFile);
let dir: string;
let child: CliSim;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-prune-'));
  receiver = await startReceiver();
  child = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual', '--retain', '30d', '--api-key', `${KEY}:${SECRET}`, '--api-key', `${OTHER_KEY}:${OTHER_SECRET}`]);
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, json?: unknown, authorization: string | null = basic()) =>
  fetch(`${child.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });

async function mjsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--server', child.url, '--api-key', `${KEY}:${SECRET}`]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('POST /sim/prune', () => {
  it('serve takes --retain', () => {
    expect(child.stdout()).toMatch(/retain: 720h\n/);
  });

  it('needs the account key and answers bad input in the mjsim envelope', async () => {
    const anonymous = await api('/sim/prune', { olderThan: '1h' }, null);
    expect(anonymous.status).toBe(401);
    const wrong = await api('/sim/prune', { olderThan: '1h' }, basic(KEY, 'wrong'));
    expect(wrong.status).toBe(401);
    for (const body of [{}, { before: 'yesterday' }, { olderThan: 'soon' }, { before: '2026-01-01T00:00:00Z', olderThan: '1h' }, { before: '2999-01-01T00:00:00Z' }]) {
      const response = await api('/sim/prune', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: 'invalid-input', message: expect.any(String) } });
    }
    const malformed = await fetch(`${child.url}/sim/prune`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed-json');
  });

  it('prunes only the calling account; mjsim prune does it from the command line', async () => {
    for (const [key, secret] of [[KEY, SECRET], [OTHER_KEY, OTHER_SECRET]] as const) {
      const created = await api('/v3/REST/eventcallbackurl', { EventType: 'sent', Url: receiver.url }, basic(key, secret));
      expect(created.status).toBe(201);
      expect((await api('/sim/events', [{ event: 'sent', email: 'a@example.com' }, { event: 'sent', email: 'b@example.com' }], basic(key, secret))).status).toBe(201);
    }
    await receiver.waitFor(4);
    expect((await api('/sim/clock/advance', { by: '2h' })).status).toBe(200);

    const attemptsTotal = async () => /mjsim_attempts_total\{outcome="success",status_class="2xx"\} (\d+)/.exec(await (await fetch(`${child.url}/metrics`)).text())?.[1];
    expect(await attemptsTotal()).toBe('4');
    // A bare number is refused by every door, and nothing is deleted (it once meant "7 ms ago": everything).
    const bare = await mjsim('prune', '--before', '7', '--yes');
    expect(bare).toMatchObject({ code: 2, stderr: expect.stringMatching(/^mjsim: --before: 7: add a unit, e\.g\. 7s, 7m, 7d/) });
    for (const before of [7, '7']) {
      const response = await api('/sim/prune', { before });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^"before": 7: add a unit, e\.g\. 7s, 7m, 7d/);
    }
    // Without --yes: the counts, exit 2, nothing deleted; --dry-run: the counts, exit 0.
    const unconfirmed = await mjsim('prune', '--before', '1h');
    expect(unconfirmed).toMatchObject({ code: 2, stdout: expect.stringMatching(/^would prune before \S+: 2 deliveries, 2 attempts, 2 events, 0 messages\n$/) });
    expect(unconfirmed.stderr).toMatch(/nothing deleted: add --yes/);
    expect(await mjsim('prune', '--before', '1h', '--dry-run')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^would prune before/) });
    expect(((await (await api('/sim/deliveries')).json()) as { count: number }).count).toBe(2);

    const pruned = await api('/sim/prune', { olderThan: '1h' });
    expect(pruned.status).toBe(200);
    expect(await pruned.json()).toMatchObject({ deliveries: 2, attempts: 2, events: 2, messages: 0 });
    const mine = (await (await api('/sim/deliveries')).json()) as { count: number };
    expect(mine.count).toBe(0);
    const theirs = (await (await api('/sim/deliveries', undefined, basic(OTHER_KEY, OTHER_SECRET))).json()) as { count: number };
    expect(theirs.count).toBe(2);
    expect(await attemptsTotal()).toBe('4'); // a counter: pruning never makes it go down

    const bad = await mjsim('prune', '--before', 'last week');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--before: "last week" is neither a time nor a duration/);
    const future = await mjsim('prune', '--before', '2999-01-01T00:00:00Z');
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/after the simulator clock's now/);
    const other = await run(process.execPath, [BIN, 'prune', '--before', '1h', '--yes', '--json', '--server', child.url, '--api-key', `${OTHER_KEY}:${OTHER_SECRET}`]);
    expect(JSON.parse(other.stdout)).toMatchObject({ deliveries: 2, events: 2 });
    const again = await mjsim('prune', '--before', '1h', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^pruned before \S+: 0 deliveries, 0 attempts, 0 events, 0 messages/);
  });
});
