/**
 * Fairness: six misbehaving receivers (hang, 200 after 30 s, endless body, 1 GB Content-Length, reset,
 * 302), each on its own URL with a backlog, beside a healthy URL receiving a steady stream of events, on
 * the real clock with the default limits (128 in flight, 32 per URL, 10 s timeout). Prints the healthy
 * URL's first-attempt latency (event accepted → attempt started, and → attempt ended) and the attempts
 * each bad URL got. Stops by itself.
 *
 *   npm run bench:fairness [-- SECONDS [EVENTS_PER_SECOND [BACKLOG]]]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeConfig } from '../src/config/config.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { statement } from '../src/db/statements.js';
import { startServer } from '../src/serve.js';
import { conditions } from './bench-lib.js';
import type { EventType } from '../src/core/event-types.js';

const seconds = Number(process.argv[2] ?? 45);
const perSecond = Number(process.argv[3] ?? 20);
const backlog = Number(process.argv[4] ?? 200);
const BAD = ['hang', 'slow', 'endless', 'huge', 'reset', 'redirect'] as const;
const TYPES: Record<string, EventType> = { healthy: 'open', hang: 'sent', slow: 'click', endless: 'bounce', huge: 'spam', reset: 'blocked', redirect: 'unsub' };

const script = fileURLToPath(new URL('./misbehaving-receivers.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
const ports = await new Promise<Record<string, number>>((resolve, reject) => {
  child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as Record<string, number>));
  child.once('exit', (code) => reject(new Error(`receivers exited with ${code}`)));
});

const dir = mkdtempSync(join(tmpdir(), 'mjsim-fairness-'));
const server = await startServer(parseServeConfig({ port: '0', db: join(dir, 'bench.db'), apiKeys: ['bench:secret'] }, {}));
const settings = server.engine.settings;
const account = server.accounts[0]!;
const urlIds: Record<string, number> = {};
for (const name of ['healthy', ...BAD]) {
  const url = `http://127.0.0.1:${ports[name]}/${name}`;
  urlIds[name] = insertCallbackUrl(server.db, account.id, { eventType: TYPES[name]!, isBackup: false, status: 'alive', url, version: 1 }, server.clock.now()).id;
}

// The backlogs first (so they are the oldest work), then the healthy stream.
for (const name of BAD) {
  server.engine.emitEvents(account.id, Array.from({ length: backlog }, (_, i) => ({ type: TYPES[name]!, fields: { email: `${name}${i}@example.com` } })));
}
const started = performance.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(Math.floor(((performance.now() - started) / 1000) * perSecond), seconds * perSecond);
    if (due > sent) {
      server.engine.emitEvents(account.id, Array.from({ length: due - sent }, (_, i) => ({ type: 'open' as const, fields: { email: `h${sent + i}@example.com` } })));
      sent = due;
    }
    if (sent >= seconds * perSecond) {
      clearInterval(tick);
      resolve();
    }
  }, 20);
});
// Let the last healthy events finish (at most one attempt timeout).
await waitUntil(() => healthyFirstAttempts().filter((row) => row.ended !== null).length >= sent, settings.attemptTimeoutMs + 2_000);

const rows = healthyFirstAttempts();
const startLatency = rows.map((row) => row.started - row.accepted).sort((a, b) => a - b);
const endLatency = rows.filter((row) => row.ended !== null).map((row) => (row.ended as number) - row.accepted).sort((a, b) => a - b);
console.log(`fairness: ${conditions()}`);
console.log(
  `  ${seconds} s, healthy URL: ${perSecond} events/s (Version 1); six bad URLs with a backlog of ${backlog} events each; ` +
    `--concurrency ${settings.concurrency}, --url-concurrency ${settings.perUrlConcurrency}, --attempt-timeout ${settings.attemptTimeoutMs} ms, real clock`,
);
console.log(`  healthy: ${sent} events, ${rows.length} first attempts started, ${endLatency.length} ended`);
console.log(`  healthy accepted → attempt started: p50 ${pct(startLatency, 0.5)} ms, p90 ${pct(startLatency, 0.9)} ms, max ${startLatency.at(-1) ?? '-'} ms`);
console.log(`  healthy accepted → attempt ended:   p50 ${pct(endLatency, 0.5)} ms, p90 ${pct(endLatency, 0.9)} ms, max ${endLatency.at(-1) ?? '-'} ms`);
for (const name of BAD) {
  const outcomes = statement(
    server.db,
    `select coalesce(a.outcome, 'in flight') as outcome, count(*) as n from attempts a join deliveries d on d.id = a.delivery_id
      where d.callback_url_id = ? group by 1 order by 2 desc`,
  ).all(urlIds[name]) as { outcome: string; n: number }[];
  const total = outcomes.reduce((sum, row) => sum + row.n, 0);
  console.log(`  ${name.padEnd(9)} ${String(total).padStart(5)} attempts (${outcomes.map((row) => `${row.outcome} ${row.n}`).join(', ') || 'none'})`);
}
const p90 = pct(startLatency, 0.9);
const max = endLatency.at(-1) ?? Infinity;
const met = rows.length === sent && p90 < 2000 && max < settings.attemptTimeoutMs;
console.log(`  target: every healthy event attempted, p90 < 2000 ms and max < ${settings.attemptTimeoutMs} ms → ${met ? "met" : "NOT met"}`);

await server.close();
child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

function healthyFirstAttempts(): { accepted: number; started: number; ended: number | null }[] {
  return statement(
    server.db,
    `select e.created_at as accepted, a.started_at as started, a.ended_at as ended
       from deliveries d join delivery_events de on de.delivery_id = d.id join events e on e.id = de.event_id
       join attempts a on a.delivery_id = d.id and a.number = 1
      where d.callback_url_id = ?`,
  ).all(urlIds.healthy) as { accepted: number; started: number; ended: number | null }[];
}

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (done() || performance.now() > deadline) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
}
