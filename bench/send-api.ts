/**
 * The Send API's speed. mjsim runs in its own process (bench/server-process.ts: a real SQLite file in WAL
 * mode, the manual clock so that no delivery is due), and this process drives it over keep-alive with a
 * fixed number of requests in flight:
 *   1. `GET /sim/health` (the server's floor: routing, one JSON answer);
 *   2. `POST /v3.1/send` with one message to one recipient (a new one each time, with its own CustomID);
 *   3. `POST /v3.1/send` with 50 messages of one recipient each.
 * Targets: (2) at least 60 % of (1)'s rate at no more than 70 µs of server CPU per send; (3) at least 4,000
 * recipients/s. (1) and (2) alternate over
 * three rounds, so that a change in the machine's load hits both; the median ratio is the figure. The
 * sends' events lie in the future of the stopped clock: nothing is routed or POSTed during the run (their
 * events stay staged; moving them into the time index belongs to routing, which bench:throughput and
 * bench:advance measure), while the filer files the messages every second as it would in any run. Each
 * round also reports the server's CPU time per request, which other load on the machine disturbs less than
 * the rates. A CPU profile of the server during extra runs of (2) and (3) (not the measured ones) is
 * summarized by self time.
 *
 *   npm run bench:send [-- REQUESTS [IN_FLIGHT]]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { conditions, driveRequests, profileSummary, type BenchRequest } from './bench-lib.js';

const requests = Number(process.argv[2] ?? 10_000);
const inFlight = Number(process.argv[3] ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
const script = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', script, join(dir, 'bench.db'), 'clock=manual'], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const nextLine = async () => String((await lines.next()).value);
const port = Number((await nextLine()).replace('port ', ''));

const auth = `Basic ${Buffer.from('bench:secret').toString('base64')}`;
// Every request to new recipients (over five domains) with its own CustomIDs, as a load test sends: the
// polling indexes these fill (through filing, src/db/message-filing.ts) cost what they would for real.
let sequence = 0;
const message = (i: number) => ({
  From: { Email: 'bench@example.com', Name: 'Bench' },
  To: [{ Email: `u${sequence}-${i}@example${sequence % 5}.com` }],
  Subject: 'Hello',
  TextPart: 'Hi there',
  CustomID: `order-${sequence}-${i}`,
});
const send = (count: number): BenchRequest => ({
  method: 'POST',
  path: '/v3.1/send',
  headers: { authorization: auth, 'content-type': 'application/json' },
  body: () => ((sequence += 1), JSON.stringify({ Messages: Array.from({ length: count }, (_, i) => message(i)) })),
});
const health: BenchRequest = { method: 'GET', path: '/sim/health' };

/** The server process's CPU time so far (µs). */
async function serverCpu(): Promise<number> {
  child.stdin!.write('cpu\n');
  return Number((await nextLine()).replace('cpu ', ''));
}

/** Drives `total` requests; returns their rate and the server's CPU µs per request. */
async function drive(request: BenchRequest, total: number): Promise<{ rate: number; cpuUs: number }> {
  const before = await serverCpu();
  const rate = await driveRequests(port, request, total, inFlight);
  return { rate, cpuUs: ((await serverCpu()) - before) / total };
}

/** Runs one phase under the server's profiler; returns its rate and the profile summary. */
async function profiled(label: string, request: BenchRequest, total: number): Promise<{ rate: number; summary: string[] }> {
  child.stdin!.write('profile-start\n');
  const rate = await driveRequests(port, request, total, inFlight);
  const file = join(dir, `${label}.cpuprofile`);
  child.stdin!.write(`profile-stop ${file}\n`);
  await nextLine();
  return { rate, summary: profileSummary(JSON.parse(readFileSync(file, 'utf8')), 12) };
}

// Warm up each path (JIT, statement cache, SQLite pages) before measuring.
await driveRequests(port, health, 2_000, inFlight);
await driveRequests(port, send(1), 1_000, inFlight);
await driveRequests(port, send(50), 40, inFlight);

// The measured rounds run without the profiler (it slows the server); the profiles come from extra runs.
const rounds: { health: number; one: number; healthCpu: number; oneCpu: number }[] = [];
for (let round = 0; round < 3; round++) {
  const h = await drive(health, requests);
  const one = await drive(send(1), requests);
  rounds.push({ health: h.rate, one: one.rate, healthCpu: h.cpuUs, oneCpu: one.cpuUs });
}
const oneProfile = (await profiled('send-1', send(1), Math.round(requests / 2))).summary;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ratio = median(rounds.map((round) => round.one / round.health));
const batches = Math.max(20, Math.round(requests / 25));
const fiftyRun = await drive(send(50), batches);
const fiftyRate = fiftyRun.rate;
const fifty = await profiled('send-50', send(50), Math.round(batches / 2));

console.log(`send-api: ${conditions()}`);
console.log(`  mjsim in its own process (SQLite file, WAL, manual clock: no delivery due), ${inFlight} requests in flight over keep-alive`);
for (const [i, round] of rounds.entries()) {
  console.log(
    `  round ${i + 1}: GET /sim/health ${Math.round(round.health)} requests/s; POST /v3.1/send, 1 recipient: ${Math.round(round.one)} requests/s = ${Math.round((100 * round.one) / round.health)} %` +
      `  (server CPU per request: ${Math.round(round.healthCpu)} µs, ${Math.round(round.oneCpu)} µs)`,
  );
}
const oneCpu = median(rounds.map((round) => round.oneCpu));
console.log(
  `  one-recipient sends: median ${Math.round(100 * ratio)} % of GET /sim/health, median ${Math.round(oneCpu)} µs of server CPU per send (${requests} requests of each per round; target ≥ 60 % and ≤ 70 µs)`,
);
console.log(
  `  POST /v3.1/send, 50 messages: ${Math.round(fiftyRate)} requests/s = ${Math.round(fiftyRate * 50)} recipients/s (${batches} requests; target ≥ 4,000; server CPU ${Math.round(fiftyRun.cpuUs / 50)} µs per recipient)`,
);
console.log('  server CPU profile, 1 recipient per request, an extra run (self time):');
for (const line of oneProfile) console.log(`    ${line}`);
console.log('  server CPU profile, 50 messages per request, an extra run (self time):');
for (const line of fifty.summary) console.log(`    ${line}`);
child.stdin!.write('exit\n');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
