/**
 * Delivery while events pour in. mjsim runs in its own process (bench/server-process.ts: a real SQLite file
 * in WAL mode, the real clock, --concurrency and --url-concurrency 128), delivering Version 1 `sent` events
 * to a receiver in another process that counts what it receives. Phases:
 *   1. load: a backlog of LOAD events, stored before mjsim starts (not measured);
 *   2. idle: the delivery rate while nothing else happens;
 *   3. pour: EVENTS more events through `POST /sim/events?echo=false` in requests of 1,000, 4 in flight,
 *      as fast as mjsim accepts them; the delivery rate meanwhile, and the intake rate;
 *   4. idle again, after the pour.
 * Delivery is counted at the receiver, so measuring costs mjsim nothing. Target: the delivery rate during
 * the pour is at least 50 % of the idle rate.
 *
 *   npm run bench:intake [-- EVENTS [LOAD]]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { openDb } from '../src/db/open-db.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { conditions, driveRequests, peakRssMb, receivedCount, startReceiverProcess } from './bench-lib.js';

const pour = Number(process.argv[2] ?? 1_000_000);
const load = Number(process.argv[3] ?? Math.max(200_000, Math.round(pour / 5)));
const PER_REQUEST = 1_000;
const IN_FLIGHT = 4;
const receiver = await startReceiverProcess(200);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
const dbPath = join(dir, 'bench.db');

// The backlog is stored before mjsim starts (as bench:backlog does), so that it is all there when dispatch
// begins, however fast dispatch is.
{
  const db = openDb(dbPath);
  const clock = createClock({ mode: 'real', factor: 1 });
  const engine = new Engine(db, clock, defaultSettings(), createHttpTransport(1));
  const [account] = ensureAccounts(db, [{ publicKey: 'bench', secretKey: 'secret' }], clock.now());
  insertCallbackUrl(db, account!.id, { eventType: 'sent', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/hook`, version: 1 }, clock.now());
  for (let i = 0; i < load; i += PER_REQUEST) {
    engine.emitEvents(account!.id, Array.from({ length: Math.min(PER_REQUEST, load - i) }, (_, j) => ({ type: 'sent' as const, fields: { email: `b${i + j}@example.com` } })));
  }
  db.$client.close();
}

const script = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, 'concurrency=128', 'urlConcurrency=128'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const port = Number(String((await lines.next()).value).replace('port ', ''));
const auth = `Basic ${Buffer.from('bench:secret').toString('base64')}`;
const headers = { authorization: auth, 'content-type': 'application/json' };

const events = { method: 'POST', path: '/sim/events?echo=false', headers, body: JSON.stringify(Array.from({ length: PER_REQUEST }, (_, i) => ({ event: 'sent', email: `u${i}@example.com` }))) };

/** Runs `work` while counting deliveries at the receiver; returns the delivery rate over its duration. */
async function deliveryRateDuring(work: Promise<unknown>): Promise<{ rate: number; seconds: number }> {
  const first = await receivedCount(receiver);
  const start = performance.now();
  await work;
  const seconds = (performance.now() - start) / 1000;
  return { rate: ((await receivedCount(receiver)) - first) / seconds, seconds };
}

/** The delivery rate over `seconds` with nothing else going on, ending early before the backlog runs dry. */
async function idleRate(seconds: number, total: number): Promise<{ rate: number; seconds: number }> {
  const first = await receivedCount(receiver);
  const start = performance.now();
  let count = first;
  while (performance.now() - start < seconds * 1000 && count < total - 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    count = await receivedCount(receiver);
  }
  const elapsed = (performance.now() - start) / 1000;
  return { rate: (count - first) / elapsed, seconds: elapsed };
}

// Dispatch routes the backlog in its first passes; measure once that is behind it.
while ((await receivedCount(receiver)) < Math.min(20_000, load / 5)) await new Promise((resolve) => setTimeout(resolve, 250));
const idleSeconds = 8;
const idleBefore = await idleRate(idleSeconds, load);
if (idleBefore.seconds < idleSeconds - 1) console.log('  warning: the backlog nearly ran out during the idle window; give a larger LOAD');
/** The server process's CPU time so far (µs). */
async function serverCpu(): Promise<number> {
  child.stdin!.write('cpu\n');
  return Number(String((await lines.next()).value).replace('cpu ', ''));
}

const cpuBefore = await serverCpu();
const deliveredBefore = await receivedCount(receiver);
const pourStart = performance.now();
const during = await deliveryRateDuring(driveRequests(port, events, Math.ceil(pour / PER_REQUEST), IN_FLIGHT, 201));
const intakeRate = pour / ((performance.now() - pourStart) / 1000);
const deliveredDuring = (await receivedCount(receiver)) - deliveredBefore;
// Per unit of work while pouring: each event accepted and each delivery made in that time.
const cpuPerUnit = ((await serverCpu()) - cpuBefore) / (pour + deliveredDuring);
const backlogLeft = load + pour - (await receivedCount(receiver));
const idleAfter = await idleRate(idleSeconds, load + pour);

console.log(`intake: ${conditions()}`);
console.log(`  mjsim in its own process (SQLite file, WAL, real clock, --concurrency 128 --url-concurrency 128), Version 1 sent events to a receiver in its own process answering 200; delivery counted at the receiver`);
console.log(`  backlog stored before start: ${load} events; then ${pour} events poured through POST /sim/events?echo=false, ${PER_REQUEST} per request, ${IN_FLIGHT} in flight`);
console.log(`  idle, before:        ${Math.round(idleBefore.rate)} deliveries/s (${idleBefore.seconds.toFixed(1)} s)`);
console.log(`  while pouring:       ${Math.round(during.rate)} deliveries/s over ${during.seconds.toFixed(1)} s; events accepted at ${Math.round(intakeRate)}/s; server CPU ${Math.round(cpuPerUnit)} µs per event accepted or delivered`);
console.log(`  idle, after:         ${Math.round(idleAfter.rate)} deliveries/s (${idleAfter.seconds.toFixed(1)} s; ${backlogLeft} events were left to deliver when the pour ended)`);
console.log(`  delivery while pouring = ${Math.round((100 * during.rate) / idleBefore.rate)} % of the idle rate before (target ≥ 50 %), ${Math.round((100 * during.rate) / idleAfter.rate)} % of the rate after; bench client peak RSS ${peakRssMb()} MB`);
child.stdin!.write('exit\n');
await new Promise((resolve) => child.once('exit', resolve));
receiver.stop();
rmSync(dir, { recursive: true, force: true });
