/**
 * The dashboard at scale: DELIVERIES deliveries (with their events, recipients and attempts) over seven URLs,
 * one of them dead, mostly delivered, a few failed or pending. Seeds a SQLite file through the project's own
 * storage verbs, then:
 * - times the page (`GET /`, an account's view through the HTTP app) and its refreshed panels
 *   (`/dashboard/panels`) for each filter a person would use, and the same panels for the local viewer
 *   (every account), RUNS times after two warm-ups: median, worst, longest event-loop turn;
 * - prints every SQL statement those views run, with its `EXPLAIN QUERY PLAN` and its slowest single run.
 * The two clicks to a failed delivery (the "failed" chip) and to a dead URL's deliveries (its row's link,
 * then the chip) are among the timed views. Target: each view, and so each panel query, under 50 ms at
 * 1,000,000 deliveries.
 *
 *   npm run bench:dashboard [-- DELIVERIES]     (default 1000000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import type { DeliveryStatus } from '../src/core/delivery-state.js';
import type { EventType } from '../src/core/event-types.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { insertDelivery } from '../src/db/deliveries.js';
import { seedStatus } from '../test/helpers/seed-status.js';
import { insertEvents, markRouted } from '../src/db/events.js';
import { inTransaction, openDb } from '../src/db/open-db.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { createApp } from '../src/http/app.js';
import { loadDashboard } from '../src/http/dashboard/view-model.js';
import { conditions, timed } from './bench-lib.js';

const DELIVERIES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 7;
const TARGET_MS = 50;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const TYPES: EventType[] = ['sent', 'open', 'click', 'bounce', 'spam', 'blocked', 'unsub'];

const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-dashboard-'));
const db = openDb(join(dir, 'dashboard.db'));
const clock = createClock({ mode: 'manual', factor: 1 }, T0 + DELIVERIES + 86_400_000);
const settings = defaultSettings();
const engine = new Engine(db, clock, settings, createHttpTransport(settings.concurrency));
const [account] = ensureAccounts(db, [{ publicKey: 'benchkey', secretKey: 'benchsecret' }], T0);
const accountId = account!.id;
const deps = { db, clock, engine, settings, seed: 'bench' };
const app = createApp(deps);
const authorization = `Basic ${Buffer.from('benchkey:benchsecret').toString('base64')}`;

console.log(`dashboard: ${conditions()}`);
console.log(`  database: a SQLite file (WAL) in ${tmpdir()}; ${RUNS} runs of each view after two warm-ups`);

/** Seeds the deliveries as a long run leaves them; returns the dead URL's ID, a recipient and a MessageID to look for. */
function seed(): { deadUrl: number; email: string; messageId: string } {
  const start = performance.now();
  const urls = TYPES.map((eventType) =>
    insertCallbackUrl(db, accountId, { eventType, isBackup: false, status: eventType === 'bounce' ? 'dead' : 'alive', url: `http://127.0.0.1:9/${eventType}`, version: 1 }, T0),
  );
  const attempt = db.$client.prepare(
    'insert into attempts (delivery_id, number, url, scheduled_at, started_at, ended_at, outcome, http_status, latency_ms) values (?, ?, ?, ?, ?, ?, ?, ?, 3)',
  );
  const BATCH = 20_000;
  for (let from = 0; from < DELIVERIES; from += BATCH) {
    inTransaction(db, () => {
      for (let n = from; n < Math.min(DELIVERIES, from + BATCH); n++) {
        const t = n % 20 < 9 ? 0 : n % 20 < 15 ? 1 : n % 20 < 18 ? 2 : 3 + (n % 4);
        const eventType = TYPES[t] as EventType;
        // A tenth go to the default recipient (events sent without one), the rest to 250,000 addresses.
        const email = n % 10 === 0 ? 'recipient@example.com' : `user${n % 250_000}@example.com`;
        const messageId = String(900_000_000 + (n % 300_000));
        const [eventId] = insertEvents(db, [{ accountId, eventType, occurredAt: T0 + n, payload: '{}', messageId, email }], T0 + n);
        markRouted(db, [eventId as number]);
        const url = urls[t]!;
        const id = insertDelivery(
          db,
          { accountId, callbackUrlId: url.id, version: 1, status: 'pending', eventIds: [eventId as number], eventTypes: [eventType], nextAttemptAt: T0 + n, groupClosesAt: null, parentId: null, reason: null },
          T0 + n,
        );
        const status: DeliveryStatus = n % 1000 === 17 || (eventType === 'bounce' && n % 50 === 3) ? 'failed' : n % 500 === 3 ? 'pending' : 'delivered';
        const tries = status === 'failed' ? 3 : 1;
        for (let k = 1; k <= tries; k++) {
          const ok = status === 'delivered';
          attempt.run(id, k, url.url, T0 + n, T0 + n, T0 + n + 3, ok ? 'success' : 'http-status', ok ? 200 : 500);
        }
        seedStatus(db, { id, accountId }, status, { attemptCount: tries, nextAttemptAt: status === 'pending' ? T0 + n + 30_000 : null }, T0 + n);
      }
    });
  }
  console.log(`  seeded ${DELIVERIES.toLocaleString('en')} deliveries (events, recipients, attempts) in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return { deadUrl: urls[3]!.id, email: `user${Math.floor(DELIVERIES / 3) % 250_000 || 1}@example.com`, messageId: String(900_000_000 + 150_001) };
}

/** Every statement prepared on `client`: how often it ran, its slowest run, and its first arguments (for its plan). */
const stats = new Map<string, { runs: number; worstMs: number; args: unknown[] }>();
function instrument(client: Database.Database): void {
  const prepare = client.prepare.bind(client);
  client.prepare = ((sql: string) => {
    const statement = prepare(sql);
    const wrap =
      (method: 'get' | 'all' | 'run') =>
      (...args: unknown[]) => {
        const start = performance.now();
        const result = (statement[method] as (...a: unknown[]) => unknown)(...args);
        const ms = performance.now() - start;
        const entry = stats.get(sql) ?? { runs: 0, worstMs: 0, args };
        entry.runs += 1;
        entry.worstMs = Math.max(entry.worstMs, ms);
        stats.set(sql, entry);
        return result;
      };
    const wrapped = { get: wrap('get'), all: wrap('all'), run: wrap('run') };
    return new Proxy(statement, {
      get: (target, key) => {
        if (key === 'get' || key === 'all' || key === 'run') return wrapped[key];
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }) as typeof client.prepare;
}

const misses: string[] = [];
async function measure(label: string, view: () => unknown): Promise<void> {
  await view();
  await view();
  const runs: { ms: number; turnMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(view));
  const sorted = runs.map((run) => run.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const worst = sorted.at(-1) as number;
  const turn = Math.max(...runs.map((run) => run.turnMs));
  const ok = median < TARGET_MS;
  if (!ok) misses.push(label);
  console.log(
    `  ${label.padEnd(58)} median ${median.toFixed(1).padStart(6)} ms  worst ${worst.toFixed(1).padStart(6)} ms  longest turn ${turn.toFixed(1).padStart(6)} ms  ${ok ? 'ok' : `MISSED (< ${TARGET_MS} ms)`}`,
  );
}

const get = (path: string) => async () => {
  const res = await app.request(path, { headers: { authorization } });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return res.text();
};

try {
  const { deadUrl, email, messageId } = seed();
  // Statements are cached per connection: instrument before the first view prepares them.
  instrument(db.$client);
  const mid = Math.floor(DELIVERIES / 2);
  console.log(`\n  views over ${DELIVERIES.toLocaleString('en')} deliveries (an account's viewer, through the HTTP app)`);
  await measure('GET / (the whole page)', get('/'));
  for (const query of [
    '',
    'status=failed',
    `url=${deadUrl}`,
    `url=${deadUrl}&status=failed`,
    'status=pending',
    'status=delivered',
    'event=click',
    'event=unsub&status=failed',
    `message=${messageId}`,
    `email=${encodeURIComponent(email)}`,
    'email=recipient%40example.com',
    'email=recipient%40example.com&status=failed',
    `before=${mid}&from=2`,
    `status=failed&before=${mid}`,
    `event=open&after=${mid}`,
  ]) {
    await measure(`GET /dashboard/panels${query ? `?${query}` : ''}`, get(`/dashboard/panels${query ? `?${query}` : ''}`));
  }
  console.log('\n  the same panels for the local viewer (every account; loadDashboard in-process)');
  for (const query of [{}, { status: 'failed' }, { url: String(deadUrl) }, { email }, { event: 'click' }] as Record<string, string>[]) {
    await measure(`loadDashboard ${JSON.stringify(query)}`, () => loadDashboard(deps, { scope: 'all' }, query));
  }

  console.log('\n  every statement those views ran: slowest single run, runs, and its plan');
  const explain = db.$client.prepare.bind(db.$client);
  for (const [sql, entry] of [...stats].sort((a, b) => b[1].worstMs - a[1].worstMs)) {
    if (!/^\s*(select|with)/i.test(sql)) continue;
    let plan: string;
    try {
      plan = (explain(`explain query plan ${sql}`).all(...entry.args) as { detail: string }[]).map((row) => row.detail).join(' | ');
    } catch (error) {
      plan = `(no plan: ${(error as Error).message})`;
    }
    console.log(`  ${entry.worstMs.toFixed(1).padStart(6)} ms  x${String(entry.runs).padEnd(5)} ${sql.replace(/\s+/g, ' ').slice(0, 150)}\n           ${plan}`);
  }
  console.log(misses.length === 0 ? `\n  every view under ${TARGET_MS} ms` : `\n  MISSED (${TARGET_MS} ms): ${misses.join('; ')}`);
} finally {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
