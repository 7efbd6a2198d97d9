/**
 * One advance of the manual clock through spread-out traffic, against the engine's own speed on the real
 * clock. Both runs use mjsim in its own process (bench/server-process.ts: a real SQLite file in WAL mode)
 * with the same limits (`--concurrency 64 --url-concurrency 64`) and the same receiver process on
 * 127.0.0.1 answering 200; `sent`, `open` and `click` are registered (Version 1) on one URL.
 *   1. manual clock: MESSAGES messages through `POST /v3.1/send` (50 per request) with open and click
 *      lifecycles (`X-MJSim-Scenario: open, click`, a seeded scenario file), so 3 × MESSAGES events spread over
 *      about 70 minutes of clock time; then one `POST /sim/clock/advance {"by":"2h"}`, timed;
 *   2. real clock: the same number of events, a third of each type, stored through `POST /sim/events`
 *      (1,000 per request) and due at once; timed from the first request until every attempt is made.
 * Target: (1) at least 80 % of (2)'s rate. ROUNDS rounds alternate (2) and (1); the median ratio is the figure.
 *
 *   npm run bench:advance [-- MESSAGES [ROUNDS]]      (default 1000 messages, 1 round; the issue's size is 2000)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { conditions, startReceiverProcess } from './bench-lib.js';

const messages = Number(process.argv[2] ?? 1_000);
const rounds = Number(process.argv[3] ?? 1);
const LIMITS = ['concurrency=64', 'urlConcurrency=64'];
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-advance-'));
const scenarioFile = join(dir, 'scenario.json');
writeFileSync(scenarioFile, JSON.stringify({ seed: 42 }));
const auth = `Basic ${Buffer.from('bench:secret').toString('base64')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One JSON request to the server; fails the run on an unexpected status. */
function call(port: number, method: string, path: string, body?: unknown, expect = [200, 201]): Promise<Record<string, unknown>> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: { authorization: auth, ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString();
          if (!expect.includes(res.statusCode ?? 0)) reject(new Error(`${method} ${path} answered ${res.statusCode}: ${answer.slice(0, 300)}`));
          else resolve(answer ? (JSON.parse(answer) as Record<string, unknown>) : {});
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Starts mjsim in its own process on a fresh database; resolves with its port and a stop function. */
async function startServer(name: string, flags: string[]): Promise<{ port: number; cpu(): Promise<number>; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./server-process.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, join(dir, `${name}.db`), ...LIMITS, ...flags], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const port = Number(String((await lines.next()).value).replace('port ', ''));
  return {
    port,
    // The server process's CPU time so far (µs).
    cpu: async () => {
      child.stdin!.write('cpu\n');
      return Number(String((await lines.next()).value).replace('cpu ', ''));
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.write('exit\n');
      }),
  };
}

async function registerUrls(port: number, url: string): Promise<void> {
  for (const type of ['sent', 'open', 'click']) await call(port, 'POST', '/v3/REST/eventcallbackurl', { EventType: type, Url: url });
}

/** Attempts made so far, as the server counts them. */
async function attemptsMade(port: number): Promise<number> {
  return (await call(port, 'GET', '/sim/clock')).attemptsMade as number;
}

/** (1): sends, then one timed advance by 2 h. Returns the attempts and the rate. */
async function manualRun(round: number, hook: string): Promise<{ attempts: number; rate: number; seconds: number; cpuUs: number }> {
  const server = await startServer(`manual-${round}`, ['clock=manual', `scenarioFile=${scenarioFile}`]);
  try {
    await registerUrls(server.port, hook);
    const html = '<p>Hello</p><a href="https://example.com/offer">offer</a>';
    for (let first = 0; first < messages; first += 50) {
      const batch = Array.from({ length: Math.min(50, messages - first) }, (_, i) => ({
        From: { Email: 'bench@example.com' },
        To: [{ Email: `u${first + i}@example.com` }],
        Subject: 'Hello',
        HTMLPart: html,
        Headers: { 'X-MJSim-Scenario': 'open, click' },
      }));
      await call(server.port, 'POST', '/v3.1/send', { Messages: batch });
    }
    const cpuBefore = await server.cpu();
    const started = performance.now();
    const summary = await call(server.port, 'POST', '/sim/clock/advance', { by: '2h' });
    const seconds = (performance.now() - started) / 1000;
    const attempts = summary.attempts as number;
    if (attempts !== 3 * messages || summary.successes !== attempts) throw new Error(`the advance made ${attempts} attempts (${summary.successes} successes), expected ${3 * messages}`);
    return { attempts, rate: attempts / seconds, seconds, cpuUs: ((await server.cpu()) - cpuBefore) / attempts };
  } finally {
    await server.stop();
  }
}

/** (2): the same number of events due at once on the real clock. Returns the rate. */
async function realRun(round: number, hook: string, events: number): Promise<{ rate: number; seconds: number; cpuUs: number }> {
  const server = await startServer(`real-${round}`, ['clock=real']);
  try {
    await registerUrls(server.port, hook);
    const types = ['sent', 'open', 'click'];
    const cpuBefore = await server.cpu();
    const started = performance.now();
    for (let first = 0; first < events; first += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, events - first) }, (_, i) => ({ event: types[(first + i) % 3], email: `u${first + i}@example.com` }));
      await call(server.port, 'POST', '/sim/events?echo=false', batch);
    }
    while ((await attemptsMade(server.port)) < events) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    return { rate: events / seconds, seconds, cpuUs: ((await server.cpu()) - cpuBefore) / events };
  } finally {
    await server.stop();
  }
}

const receiver = await startReceiverProcess(200);
const hook = `http://127.0.0.1:${receiver.port}/hook`;
const results: { real: number; manual: number; manualSeconds: number; realSeconds: number; attempts: number; realCpu: number; manualCpu: number }[] = [];
try {
  // A short warm-up of both paths (JIT, SQLite pages) before the measured rounds.
  await realRun(-1, hook, 300);
  for (let round = 0; round < rounds; round++) {
    const real = await realRun(round, hook, 3 * messages);
    const manual = await manualRun(round, hook);
    results.push({ real: real.rate, manual: manual.rate, manualSeconds: manual.seconds, realSeconds: real.seconds, attempts: manual.attempts, realCpu: real.cpuUs, manualCpu: manual.cpuUs });
  }
} finally {
  receiver.stop();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}

const ratios = results.map((result) => result.manual / result.real).sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)] as number;
console.log(`advance: ${conditions()}`);
console.log(`  mjsim in its own process (SQLite file, WAL), --concurrency 64 --url-concurrency 64, one receiver process on 127.0.0.1 answering 200`);
for (const [i, result] of results.entries()) {
  console.log(
    `  round ${i + 1}: real clock ${Math.round(result.real)} events/s (${result.attempts} events due at once, ${result.realSeconds.toFixed(2)} s); ` +
      `one advance by 2h ${Math.round(result.manual)} events/s (${result.attempts} events over ~70 min of clock, ${result.manualSeconds.toFixed(2)} s) = ${Math.round((100 * result.manual) / result.real)} %; ` +
      `server CPU per attempt: real clock ${Math.round(result.realCpu)} µs (storing the events included), advance ${Math.round(result.manualCpu)} µs`,
  );
}
console.log(`  advance at ${Math.round(100 * median)} % of the real-clock dispatch rate (median of ${results.length}; target ≥ 80 %; ${messages} messages)`);
