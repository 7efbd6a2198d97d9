/**
 * Flat cost as history grows: EVENTS Version 1 events streamed into the engine (batches of 1,000, at most
 * LEAD ahead of what the receiver has counted), delivered to a receiver in its own process, once with
 * `--retain` on and once with everything kept, each run in its own process. Deliveries are counted AT THE
 * RECEIVER (polling the engine's database would slow the engine it measures).
 *
 * Windows compare like with like: every window does the same work (WINDOW events accepted, routed, POSTed
 * and recorded, with the same bounded lead; nothing is loaded ahead, so no window routes a backlog the others
 * do not), and the baseline is the first window that starts after a warm-up of RETAIN + 5 s of run time. By
 * then the JIT is warm and, with retention on, pruning has been running for 5 s, so the baseline pays the
 * pruning cost that every later window pays. The same rule applies with everything kept. Windows before it
 * are printed as warm-up and not compared.
 *
 * Prints, per window of WINDOW deliveries (100,000, or EVENTS/20 for a short run): the rate and its ratio to
 * the baseline (within 20 % or not), RSS, the database file and its -wal file, the load average; then
 * the peak RSS, how many windows were within 20 % of the baseline, and whether the database file stopped
 * growing (its size at the end against its size at the end of the first third of the compared windows).
 *
 *   npm run bench:retention [-- EVENTS [RETAIN [on|off]]]     e.g. npm run bench:retention -- 3000000 10s
 *
 * With `on` or `off` it runs that mode alone, in this process (no header line: note the load yourself).
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClock } from '../src/engine/clock.js';
import { defaultSettings } from '../src/config/config.js';
import { parseDuration } from '../src/core/duration.js';
import { ensureAccounts } from '../src/db/accounts.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { openDb } from '../src/db/open-db.js';
import { Engine } from '../src/engine/engine.js';
import { createHttpTransport } from '../src/engine/http-transport.js';
import { Retention } from '../src/jobs/retention.js';
import { conditions, peakRssMb, startReceiverProcess, type ReceiverProcess } from './bench-lib.js';

const total = Number(process.argv[2] ?? 3_000_000);
const retainText = process.argv[3] ?? '10s';
const mode = process.argv[4];
const BATCH = 1_000;
const LEAD = 20_000;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

if (mode === undefined) {
  // The parent: one child process per mode, so each gets its own peak RSS.
  console.log(`retention: ${total} events, retain ${retainText} (real clock); ${conditions()}`);
  for (const child of ['on', 'off']) {
    await new Promise<void>((resolve, reject) => {
      const run = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(total), retainText, child], { stdio: 'inherit' });
      run.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${child} run exited with ${code}`))));
    });
  }
} else {
  await runOne(mode === 'on');
}

/** The receiver's request count (it prints `count N` on SIGUSR2). */
function receiverCount(receiver: ReceiverProcess): Promise<number> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      const match = /count (\d+)/.exec(chunk.toString());
      if (!match) return;
      receiver.child.stdout!.off('data', onData);
      resolve(Number(match[1]));
    };
    receiver.child.stdout!.on('data', onData);
    receiver.child.kill('SIGUSR2');
  });
}

async function runOne(retain: boolean): Promise<void> {
  const label = retain ? `retain ${retainText}` : 'keep all';
  const receiver = await startReceiverProcess(200);
  const dir = mkdtempSync(join(tmpdir(), 'mjsim-retention-'));
  const file = join(dir, 'bench.db');
  const db = openDb(file, { incrementalVacuum: retain });
  const clock = createClock({ mode: 'real', factor: 1 });
  const settings = defaultSettings();
  const engine = new Engine(db, clock, settings, createHttpTransport(settings.concurrency));
  const [account] = ensureAccounts(db, [{ publicKey: 'bench', secretKey: 'secret' }], clock.now());
  insertCallbackUrl(db, account!.id, { eventType: 'sent', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/hook`, version: 1 }, clock.now());
  const retention = retain ? new Retention(db, clock, engine, parseDuration(retainText) as number) : undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  engine.start();
  retention?.start();

  let emitted = 0;
  let received = 0;
  const feeder = setInterval(() => {
    // Keep at most LEAD events ahead of the receiver: a steady stream, not one huge backlog.
    for (let batches = 0; batches < 2 && emitted < total && emitted - received < LEAD; batches += 1) {
      const count = Math.min(BATCH, total - emitted);
      engine.emitEvents(account!.id, Array.from({ length: count }, (_, j) => ({ type: 'sent' as const, fields: { email: `u${emitted + j}@example.com` } })));
      emitted += count;
    }
  }, 5);

  const window = Math.min(100_000, Math.max(1_000, Math.floor(total / 20)));
  const warmUpMs = parseDuration(retainText)! + 5_000;
  /** Compared windows: rate, and the database file's size when the window ended. */
  const windows: { rate: number; dbBytes: number }[] = [];
  const start = performance.now();
  let windowStart = start;
  let nextMark = window;
  let peakDb = 0;
  console.log(`[${label}] window = ${window} deliveries; baseline = the first window starting after ${warmUpMs / 1000} s (warm-up)`);
  while (received < total) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    received = await receiverCount(receiver);
    const dbBytes = sizeOf(file) + sizeOf(`${file}-wal`);
    peakDb = Math.max(peakDb, dbBytes);
    while (received >= nextMark) {
      const now = performance.now();
      const rate = Math.round(window / ((now - windowStart) / 1000));
      const warmUp = windowStart - start < warmUpMs;
      if (!warmUp) windows.push({ rate, dbBytes: sizeOf(file) });
      const base = windows[0]?.rate;
      const verdict = base === undefined ? '' : Math.abs(rate - base) <= 0.2 * base ? 'within 20 %' : rate > base ? 'faster by over 20 %' : 'SLOWER by over 20 %';
      const ratio = base === undefined ? '' : `${String(Math.round((100 * rate) / base)).padStart(4)} % of baseline, ${verdict}`;
      console.log(
        `[${label}] ${String(nextMark).padStart(8)} delivered: ${String(rate).padStart(6)}/s ${warmUp ? '(warm-up)'.padEnd(42) : ratio.padEnd(42)}  ` +
          `RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB  db ${mb(sizeOf(file))} MB + wal ${mb(sizeOf(`${file}-wal`))} MB  ` +
          `at ${Math.round((now - start) / 1000)} s, load ${loadavg()[0]!.toFixed(1)}`,
      );
      windowStart = now;
      nextMark += window;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(feeder);
  retention?.stop();
  await retention?.settled();
  engine.stop();
  const rows = (db.$client.prepare('select count(*) as n from deliveries').get() as { n: number }).n;
  db.$client.close();
  const rates = windows.map((w) => w.rate);
  const first = rates[0] ?? NaN;
  const rest = rates.slice(1);
  const worst = Math.min(...rest);
  const lastThree = rest.slice(-3);
  const last = Math.round(lastThree.reduce((a, b) => a + b, 0) / lastThree.length);
  const within = rates.filter((rate) => Math.abs(rate - first) <= 0.2 * first).length;
  const slower = rates.filter((rate) => rate < 0.8 * first).length;
  // With retention the file holds about rate × RETAIN of history, so its size follows the rate (which follows
  // the machine's load): compare its size per delivery/s of rate, last third against first third.
  const perRate = (w: { rate: number; dbBytes: number }) => w.dbBytes / w.rate;
  const thirdLength = Math.max(1, Math.floor(windows.length / 3));
  const early = Math.max(...windows.slice(0, thirdLength).map(perRate));
  const late = Math.max(...windows.slice(-thirdLength).map(perRate));
  const sizes = windows.map((w) => w.dbBytes);
  console.log(
    `[${label}] ${within} of ${rates.length} compared windows within 20 % of the baseline ${first}/s, ${slower} slower by over 20 %; ` +
      `database file ${mb(Math.min(...sizes))}–${mb(Math.max(...sizes))} MB over the compared windows, ${mb(sizes.at(-1) ?? 0)} MB at the end; ` +
      `per delivery/s of rate ${(early / 1024).toFixed(1)} KB in the first third, ${(late / 1024).toFixed(1)} KB in the last: ` +
      (late <= early * 1.25 ? 'stopped growing (it holds the retained history)' : `grew ${Math.round((100 * (late - early)) / early)} %`),
  );
  console.log(
    `[${label}] overall ${Math.round(total / seconds)}/s; baseline window ${first}/s, slowest later window ${worst}/s (${Math.round((100 * worst) / first)} %), ` +
      `last three ${last}/s (${Math.round((100 * last) / first)} %); peak RSS ${peakRssMb()} MB; peak db+wal ${mb(peakDb)} MB; ` +
      `deliveries left in the table ${rows}` +
      `; event-loop delay p99 ${Math.round(loopDelay.percentile(99) / 1e6)} ms, max ${Math.round(loopDelay.max / 1e6)} ms` +
      (retention
        ? `; pruned ${retention.removed.deliveries} deliveries, ${retention.removed.events} events; ${retention.pagesReleased} pages released; longest prune step ${retention.longestStepMs} ms, ${retention.slowSteps} of ${retention.steps} steps over 50 ms`
        : ''),
  );
  receiver.stop();
  rmSync(dir, { recursive: true, force: true });
}
