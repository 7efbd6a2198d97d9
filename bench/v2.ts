/**
 * Version 2 end to end (issue #22). mjsim runs in its own process (bench/server-process.ts: a real SQLite
 * file in WAL mode, the real clock, default limits, --max-batch 500) with one Version 2 URL for `open`; EVENTS
 * `open` events go in through `POST /sim/events?echo=false`, 500 per request, 4 in flight, and are counted,
 * array element by array element, at a receiver in its own process. Printed per round: events per second
 * from the first request to the last event received, the same without the one-second group window the last
 * group must wait for (a floor no implementation may cut: docs/delivery.md#delivery), the intake rate, the
 * POSTs, and the server's CPU time per event (process.cpuUsage() of the mjsim process over the round). Then
 * one more round under the server's CPU profiler (not measured), with its top functions.
 *
 * The receiver is embedded here rather than in bench/receiver-process.ts (which counts requests), so this
 * script runs unchanged against an older checkout. Target: ≥ 50,000 events/s end to end (moonshot 100,000),
 * ≤ 15 µs of server CPU per event.
 *
 *   npm run bench:v2 [-- EVENTS [ROUNDS]]      (V2_PROFILE=file.cpuprofile keeps the profile)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { openDb } from '../src/db/open-db.js';
import { conditions, driveRequests, profileSummary } from './bench-lib.js';

const total = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 2);
const PER_REQUEST = 500;
const IN_FLIGHT = 4;
const GROUP_WINDOW_S = 1;

// Counts the events of every POST (an array's elements, or 1) and prints `done N` each time another
// `total` have arrived, and `posts N` when asked on stdin.
const RECEIVER = `
const http = require('node:http');
const target = Number(process.argv[1]);
let events = 0, posts = 0, next = target;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    events += Array.isArray(body) ? body.length : 1;
    posts += 1;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
    while (events >= next) { process.stdout.write('done ' + events + '\\n'); next += target; }
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
process.stdin.on('data', () => process.stdout.write('posts ' + posts + '\\n'));
`;

/** A child's stdout as lines to wait on, one at a time. */
function linesOf(child: ChildProcess): () => Promise<string> {
  const iterator = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return async () => String((await iterator.next()).value);
}

const receiver = spawn(process.execPath, ['-e', RECEIVER, String(total)], { stdio: ['pipe', 'pipe', 'inherit'] });
const receiverLine = linesOf(receiver);
const receiverPort = Number((await receiverLine()).replace('port ', ''));

const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-v2-'));
const dbPath = join(dir, 'bench.db');
{
  const db = openDb(dbPath);
  const [account] = ensureAccounts(db, [{ publicKey: 'bench', secretKey: 'secret' }], Date.now());
  insertCallbackUrl(db, account!.id, { eventType: 'open', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiverPort}/v2`, version: 2 }, Date.now());
  db.$client.close();
}

const script = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const server = spawn(process.execPath, ['--import', 'tsx', script, dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
const serverLine = linesOf(server);
const port = Number((await serverLine()).replace('port ', ''));
const ask = async (command: string): Promise<string> => {
  server.stdin!.write(`${command}\n`);
  return serverLine();
};
const cpuUs = async () => Number((await ask('cpu')).replace('cpu ', ''));
const posts = async () => {
  receiver.stdin!.write('\n');
  return Number((await receiverLine()).replace('posts ', ''));
};

const headers = { authorization: `Basic ${Buffer.from('bench:secret').toString('base64')}`, 'content-type': 'application/json' };
const body = JSON.stringify(Array.from({ length: PER_REQUEST }, (_, i) => ({ event: 'open', email: `u${i}@example.com` })));
const request = { method: 'POST', path: '/sim/events?echo=false', headers, body };

/** One round: every event in, then every event received. */
async function round(): Promise<{ seconds: number; intakeSeconds: number; cpuPerEvent: number; posts: number }> {
  const postsBefore = await posts();
  const cpuBefore = await cpuUs();
  const received = receiverLine();
  const start = performance.now();
  await driveRequests(port, request, Math.ceil(total / PER_REQUEST), IN_FLIGHT, 201);
  const intakeSeconds = (performance.now() - start) / 1000;
  await received;
  const seconds = (performance.now() - start) / 1000;
  const cpuPerEvent = ((await cpuUs()) - cpuBefore) / total;
  return { seconds, intakeSeconds, cpuPerEvent, posts: (await posts()) - postsBefore };
}

console.log(`v2: ${conditions()}`);
console.log(
  `  mjsim in its own process (SQLite file, WAL, real clock, default limits, --max-batch 500), one Version 2 URL for open; ${total} open events through POST /sim/events?echo=false, ${PER_REQUEST} per request, ${IN_FLIGHT} in flight; events counted at a receiver in its own process`,
);
for (let i = 1; i <= rounds; i += 1) {
  const r = await round();
  console.log(
    `  round ${i}: ${Math.round(total / r.seconds)} events/s end to end (${r.seconds.toFixed(2)} s), ${Math.round(total / Math.max(r.seconds - GROUP_WINDOW_S, 0.001))}/s without the last group's ${GROUP_WINDOW_S} s window; intake ${Math.round(total / r.intakeSeconds)} events/s; ${r.posts} POSTs; server CPU ${r.cpuPerEvent.toFixed(1)} µs per event`,
  );
}
server.stdin!.write('profile-start\n');
await round();
const profile = process.env.V2_PROFILE ?? join(dir, 'v2.cpuprofile');
await ask(`profile-stop ${profile}`);
console.log('  server CPU profile of one more round (self time):');
for (const line of profileSummary(JSON.parse(readFileSync(profile, 'utf8')), 15)) console.log(`    ${line}`);
console.log('  targets: ≥ 50,000 events/s end to end (moonshot 100,000); ≤ 15 µs of server CPU per event');

server.stdin!.write('exit\n');
await new Promise((resolve) => server.once('exit', resolve));
receiver.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
