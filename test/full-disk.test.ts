/**
 * A full disk is a state, not a crash: a real `mjsim serve` child on a 40 MB tmpfs whose space is taken by a
 * filler file while events pour in. It stays up, answers 507 (test/storage-full.error.test.ts checks every
 * API's envelope), reports the state on
 * `/sim/health`, and once the filler is removed resumes by itself and delivers every event it accepted.
 * Starting on a full disk says so. Needs root (to mount the tmpfs); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { basic, KEY, SECRET } from './helpers/sim.js';

/** A 40 MB tmpfs of its own, mounted here: only root may (and only with the right to mount, in a container). */
function mountTmpfs(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const target = mkdtempSync(join(tmpdir(), 'mjsim-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', target], { stdio: 'ignore' });
    return target;
  } catch {
    rmSync(target, { recursive: true, force: true });
    return undefined;
  }
}

const mountedAt = mountTmpfs();
if (!mountedAt) console.log('full-disk.test.ts: skipped (mounting a tmpfs needs root and the right to mount)');

const dir = mountedAt as string;
let receiver: Receiver;
let child: CliSim | undefined;

const args = () => ['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'real', '--api-key', `${KEY}:${SECRET}`, '--attempt-timeout', '5s', '--retain', '1h'];
const filler = () => join(dir, 'filler');
const free = () => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

async function api(path: string, body?: unknown): Promise<Response> {
  return fetch(`${child!.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Polls `check` (every 100 ms, up to `timeoutMs`) until it returns true. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!mountedAt)('a full disk', () => {
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await killAllCli();
    await receiver?.close();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses writes, answers 507, and delivers every accepted event once space is back', async () => {
    child = await startCli(args());
    expect((await api('/v3/REST/eventcallbackurl', { EventType: 'open', Url: receiver.url })).status).toBe(201);
    // Leave about 3 MB: the load below fills it within a few batches.
    writeFileSync(filler(), Buffer.alloc(Math.max(0, free() - 3 * 2 ** 20)));

    const accepted: string[] = [];
    const refusals: { status: number; body: { error: { code: string } } }[] = [];
    for (let batch = 0; batch < 400 && refusals.length < 5; batch++) {
      const emails = Array.from({ length: 100 }, (_, i) => `e${batch}-${i}@full.test`);
      const response = await api('/sim/events?echo=false', emails.map((email) => ({ event: 'open', email })));
      if (response.status === 201) accepted.push(...emails);
      else refusals.push({ status: response.status, body: (await response.json()) as { error: { code: string } } });
    }
    expect(refusals.length).toBe(5);
    for (const refusal of refusals) expect(refusal).toMatchObject({ status: 507, body: { error: { code: 'storage-full' } } });

    // The engine's own writes fail too (this killed the process within seconds); it stays up and says why.
    await until(async () => (await api('/sim/health')).status === 503, 10_000, 'health to report the full disk');
    const health = (await (await api('/sim/health')).json()) as { status: string; storage: { status: string; message: string } };
    expect(health).toMatchObject({ status: 'storage-full', storage: { status: 'full' } });
    expect(health.storage.message).toMatch(/is full/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(child.child.exitCode).toBeNull();
    expect((await api('/sim/health')).status).toBe(503);

    rmSync(filler());
    await until(async () => (await api('/sim/health')).status === 200, 15_000, 'health to recover');
    const delivered = new Set<string>();
    await until(
      () => {
        for (const request of receiver.requests.splice(0)) delivered.add((JSON.parse(request.body) as { email: string }).email);
        return accepted.every((email) => delivered.has(email));
      },
      60_000,
      `all ${accepted.length} accepted events to be delivered`,
    );
    expect(accepted.length).toBeGreaterThan(0);
    expect(child.stderr()).toMatch(/is full/);
    expect(child.stderr()).not.toMatch(/unexpected error|Uncaught|SqliteError/);
    expect(await child.stop()).toBe(0);
  }, 120_000);

  it('says so when it starts on a full disk', async () => {
    rmSync(filler(), { force: true });
    try {
      writeFileSync(filler(), Buffer.alloc(free()));
    } catch {
      // ENOSPC once the disk is full: what this test wants.
    }
    await expect(startCli(args())).rejects.toThrow(/cannot start: the disk holding .* is full/);
    rmSync(filler());
  }, 30_000);
});
