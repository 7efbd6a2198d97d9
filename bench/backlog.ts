/**
 * A large backlog: EVENTS Version 1 events accepted before dispatch starts, then delivered to a receiver in
 * its own process. Prints the dispatch rate per window (it must not fall as the backlog is larger), the
 * same rate for a small backlog, the peak RSS (target: under 300 MB for 1,000,000 events) and the longest
 * event-loop turn while accepting and while dispatching (target: none over 100 ms). Deliveries are counted
 * from the engine's attempt events, never by querying the database the engine works on.
 *
 *   npm run bench:backlog [-- EVENTS]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { openDb } from '../src/db/open-db.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { conditions, peakRssMb, startReceiverProcess } from './bench-lib.js';

const total = Number(process.argv[2] ?? 1_000_000);
const receiver = await startReceiverProcess(200);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
console.log(`backlog: ${conditions()}`);

/** Starts measuring event-loop turns; the returned function gives the longest so far, in ms. */
function longestTurns(): () => number {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return () => {
    delay.disable();
    return Math.round(delay.max / 1e6);
  };
}

/** The process's CPU time so far (user and system), µs. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU µs per event since `start`. */
function perEvent(start: number, count: number): number {
  return Math.round((cpuMicros() - start) / count);
}

/** Accepts `count` events with the engine stopped, then starts it and measures until all are delivered. */
async function run(count: number, label: string): Promise<number> {
  const db = openDb(join(dir, `${label}.db`));
  const clock = createClock({ mode: 'real', factor: 1 });
  const settings = defaultSettings();
  const engine = new Engine(db, clock, settings, createHttpTransport(settings.concurrency));
  const [account] = ensureAccounts(db, [{ publicKey: 'bench', secretKey: 'secret' }], clock.now());
  insertCallbackUrl(db, account!.id, { eventType: 'sent', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/hook`, version: 1 }, clock.now());
  const acceptStart = performance.now();
  // This process runs only mjsim (the receiver has its own): its CPU time is mjsim's.
  let cpuStart = cpuMicros();
  // Accepted 1,000 at a time, as a client posting arrays of events to /sim/events would (a request each: the
  // event loop turns between them).
  let turns = longestTurns();
  for (let i = 0; i < count; i += 1_000) {
    engine.emitEvents(account!.id, Array.from({ length: Math.min(1_000, count - i) }, (_, j) => ({ type: 'sent' as const, fields: { email: `u${i + j}@example.com` } })));
    await new Promise(setImmediate);
  }
  console.log(
    `  [${label}] accepted ${count} events in ${((performance.now() - acceptStart) / 1000).toFixed(1)} s (${perEvent(cpuStart, count)} µs of CPU per event); longest turn ${turns()} ms; peak RSS so far ${peakRssMb()} MB`,
  );
  cpuStart = cpuMicros();
  // Counted from the engine's own attempt events: a probe that queries the database would load the engine
  // it measures (a count over 1M deliveries takes about 85 ms on its connection).
  let deliveredCount = 0;
  engine.on('attempt', (attempt) => {
    if (attempt.status === 'delivered') deliveredCount += 1;
  });
  const delivered = () => deliveredCount;
  const windowSize = Math.max(1, Math.floor(count / 10));
  const start = performance.now();
  let windowStart = start;
  let nextMark = windowSize;
  const rates: number[] = [];
  turns = longestTurns();
  engine.start();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const done = delivered();
    if (done >= nextMark || done >= count) {
      const now = performance.now();
      const rate = Math.round((Math.min(done, nextMark) - (nextMark - windowSize)) / ((now - windowStart) / 1000));
      rates.push(rate);
      console.log(`  [${label}] ${done} delivered, backlog ${count - done}: ${rate} deliveries/s in this window, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
      windowStart = now;
      nextMark += windowSize;
    }
    if (done >= count) break;
  }
  const overall = Math.round(count / ((performance.now() - start) / 1000));
  engine.stop();
  db.$client.close();
  console.log(
    `  [${label}] overall ${overall} deliveries/s (${perEvent(cpuStart, count)} µs of CPU per delivered event); first window ${rates[0]}/s, last window ${rates.at(-1)}/s; longest turn while dispatching ${turns()} ms; peak RSS so far ${peakRssMb()} MB`,
  );
  return overall;
}

const small = await run(Math.min(20_000, total), 'small');
const large = await run(total, 'large');
console.log(`  small backlog: ${small}/s; ${total} backlog: ${large}/s (${Math.round((100 * large) / small)} % of the small-backlog rate); peak RSS ${peakRssMb()} MB`);
receiver.stop();
rmSync(dir, { recursive: true, force: true });
