/**
 * `mjsim replay <file>` and `mjsim generate` against a running `mjsim serve` (real child processes).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, type JsonValue } from '../src/core/json.js';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/mjsim.js');
const PAIR = 'GENKEY:GENSECRET';
const run = promisify(execFile);

let dir: string;
let sim: CliSim;
let receiver: Receiver;
const auth = { authorization: `Basic ${Buffer.from(PAIR).toString('base64')}` };

/** Runs an mjsim client command against the server; resolves with its exit code and output. */
async function mjsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--server', sim.url, '--api-key', PAIR], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-cli-traffic-'));
  sim = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual', '--api-key', PAIR]);
  receiver = await startReceiver();
  for (const type of ['sent', 'open', 'bounce', 'click']) {
    const res = await fetch(`${sim.url}/v3/REST/eventcallbackurl`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ EventType: type, Url: receiver.url }),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mjsim replay <file>', () => {
  it('posts a fixture\'s event through the control API, every given field kept', async () => {
    const { code, stdout } = await mjsim('replay', 'fixtures/samples/bounce.json');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^replayed 1 event from fixtures\/samples\/bounce\.json: bounce bounce@mailjet\.com/);
    await receiver.waitFor(1);
    expect(parseJson(receiver.requests[0]!.body)).toEqual(parseJson(readFileSync(join(ROOT, 'fixtures/samples/bounce.json'), 'utf8')));
  });

  it('replays an array, with --now stamping the clock\'s time', async () => {
    const before = receiver.requests.length;
    const { code, stdout } = await mjsim('replay', 'fixtures/version2-grouped.json', '--now', '--json');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { count: number; events: { time: number }[] };
    expect(answer.count).toBe(5);
    const clock = (await (await fetch(`${sim.url}/sim/clock`, { headers: auth })).json()) as { nowMs: number };
    expect(answer.events.every((event) => event.time === Math.floor(clock.nowMs / 1000))).toBe(true);
    await receiver.waitFor(before + 5);
  });

  it('explains a missing file, and still replays deliveries by ID', async () => {
    expect(await mjsim('replay', 'no/such/file.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read no/such/file.json') });
    expect(await mjsim('replay', '987654')).toMatchObject({ code: 1, stderr: expect.stringContaining('No delivery 987654') });
  });
});

describe('mjsim generate', () => {
  it('sends through POST /v3.1/send at the asked rate, with a progress line and a summary', async () => {
    const { code, stdout, stderr } = await mjsim('generate', '--rate', '40/s', '--duration', '1s', '--scenario', 'open', '--to', 'load{n}@example.com', '--recipients', '7');
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^sent 40 messages in [\d.]+s \(\d+\/s\), 0 failed/);
    expect(stderr).toMatch(/generate: 40\/40 messages answered, 0 failed/);
    const res = await fetch(`${sim.url}/v3/REST/message?countOnly=1`, { headers: auth });
    expect(await res.json()).toMatchObject({ Count: 40 });
    const listed = parseJson(await (await fetch(`${sim.url}/v3/REST/message?Limit=0&ShowContactAlt=true`, { headers: auth })).text()) as { Data: Record<string, JsonValue>[] };
    expect(new Set(listed.Data.map((row) => row.ContactAlt))).toEqual(new Set(Array.from({ length: 7 }, (_, i) => `load${i}@example.com`)));
  });

  it('refuses bad usage and an unreachable server with distinct exit codes', async () => {
    expect(await mjsim('generate', '--rate', 'fast')).toMatchObject({ code: 2, stderr: expect.stringContaining('--rate') });
    expect(await mjsim('generate', '--scenario', 'explode')).toMatchObject({ code: 2, stderr: expect.stringContaining('explode') });
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
    const closedPort = await new Promise<number>((resolvePort) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolvePort(port));
      });
    });
    const unreachable = await run(process.execPath, [BIN, 'generate', '--duration', '1s', '--server', `http://127.0.0.1:${closedPort}`, '--api-key', PAIR], { cwd: ROOT, env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unreachable).toMatchObject({ code: 3, stderr: expect.stringContaining('cannot reach mjsim') });
  });
});
