/**
 * A pause is not a timeout: a real `mjsim serve` child delivering under load (a receiver answering in
 * 100 ms, dozens of attempts in flight, a 2 s attempt timeout) is stopped with SIGSTOP for longer than that
 * timeout while events keep arriving, then continued. The responses that arrived during the pause are read,
 * not blamed on the receiver: no attempt is recorded as a timeout, and no event is delivered twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { basic, KEY, SECRET } from './helpers/sim.js';

const PAUSE_MS = 4_000;
const RECEIVER_DELAY_MS = 100;

let dir: string;
let receiver: http.Server;
let receiverUrl: string;
/** Every delivered email, in arrival order, and when the receiver answered (real ms). */
const delivered: string[] = [];
const answeredAt: number[] = [];
let child: CliSim;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-pause-'));
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      delivered.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { email: string }).email);
      setTimeout(() => {
        answeredAt.push(performance.now());
        res.end('ok');
      }, RECEIVER_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await killAllCli();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function api(path: string, body?: unknown): Promise<Response> {
  return fetch(`${child.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('a paused process', () => {
  it('records no false timeout and delivers nothing twice', async () => {
    const db = join(dir, 'sim.db');
    child = await startCli(['--port', '0', '--db', db, '--clock', 'real', '--api-key', `${KEY}:${SECRET}`, '--attempt-timeout', '2s', '--stop-timeout', '5s']);
    expect((await api('/v3/REST/eventcallbackurl', { EventType: 'open', Url: receiverUrl })).status).toBe(201);

    // About 300 events/s in batches of 30, each batch posted once the previous one is answered.
    const accepted: string[] = [];
    let loading = true;
    let batch = 0;
    const load = (async () => {
      while (loading) {
        const emails = Array.from({ length: 30 }, (_, i) => `p${batch}-${i}@pause.test`);
        batch += 1;
        const response = await api('/sim/events?echo=false', emails.map((email) => ({ event: 'open', email })));
        if (response.status === 201) accepted.push(...emails);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const loadFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await loadFor(2_000);
    child.child.kill('SIGSTOP');
    const pausedAt = performance.now();
    await loadFor(PAUSE_MS);
    const continuedAt = performance.now();
    child.child.kill('SIGCONT');
    await loadFor(2_000);
    loading = false;
    await load;

    // The test means something only if responses arrived while mjsim was stopped.
    const answeredDuringPause = answeredAt.filter((at) => at > pausedAt && at < continuedAt).length;
    expect(answeredDuringPause).toBeGreaterThan(5);

    const deadline = Date.now() + 60_000;
    while (!accepted.every((email) => delivered.includes(email)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted.filter((email) => !delivered.includes(email))).toEqual([]);
    expect(await child.stop()).toBe(0);

    const file = new Database(db, { readonly: true });
    const outcomes = file.prepare('select outcome, count(*) as n from attempts group by outcome').all() as { outcome: string; n: number }[];
    file.close();
    console.log(`paused ${PAUSE_MS} ms with ${answeredDuringPause} responses waiting; ${accepted.length} events accepted; attempts by outcome: ${JSON.stringify(outcomes)}`);
    expect(outcomes.filter((row) => row.outcome !== 'success')).toEqual([]);
    const seen = new Set<string>();
    const twice = delivered.filter((email) => seen.size === seen.add(email).size);
    expect(twice).toEqual([]);
  }, 120_000);
});
