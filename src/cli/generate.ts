/**
 * `mjsim generate`: mail traffic through the real Send path (`POST /v3.1/send` of a running mjsim) at a
 * steady rate, with a progress line on stderr, for demos and load tests. Wall-clock pacing is right here:
 * this is a client sending requests, not the simulator's clock.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { readDuration } from '../core/duration.js';
import { stringifyJson } from '../core/json.js';
import { MAX_MESSAGES } from '../core/outgoing-message.js';
import { dueCount, parseRate } from '../core/rate.js';
import { headerTags, SCENARIO_HEADER } from '../core/scenario-tags.js';
import { expected, UsageError } from './arguments.js';
import { CliError, credentials, EXIT, run, withClientOptions, type ClientOptions } from './client.js';
import { plural } from '../core/plural.js';

interface GenerateOptions extends ClientOptions {
  rate: string;
  duration: string;
  scenario?: string;
  to: string;
  recipients: string;
  from: string;
  batch: string;
  concurrency: string;
}

interface Tally {
  requested: number;
  accepted: number;
  failed: number;
  firstError: string | undefined;
  latencies: number[];
}

const positive = (text: string, name: string, max = Number.MAX_SAFE_INTEGER) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw expected(`--${name}`, `a whole number from 1 to ${max}`, text);
  return n;
};

/**
 * Adds `generate`.
 *
 * @example
 * registerTrafficCommands(program); // mjsim generate --rate 200/s --duration 60s --scenario open,click
 */
export function registerTrafficCommands(program: Command): void {
  withClientOptions(program.command('generate').description('send mail through the Send API at a steady rate (demos, load tests)'))
    .option('--rate <rate>', 'messages per second: 200/s, 600/m, or a number', '10/s')
    .option('--duration <time>', 'how long to send, e.g. 60s or 5m', '10s')
    .option('--scenario <tags>', `${SCENARIO_HEADER} of every message, e.g. open,click or bounce-quota-exceeded (default: the server's scenario)`)
    .option('--to <pattern>', 'recipient address; {n} becomes the recipient number', 'user{n}@example.com')
    .option('--recipients <n>', 'distinct recipients to cycle through', '1000')
    .option('--from <address>', 'sender address', 'sender@example.com')
    .option('--batch <n>', `messages per request (1 to ${MAX_MESSAGES})`, '1')
    .option('--concurrency <n>', 'requests in flight at most', '32')
    .option('--json', 'print the summary as JSON')
    .action(run(async (options: GenerateOptions) => generate(options)));
}

async function generate(options: GenerateOptions): Promise<void> {
  const perSecond = parseRate(options.rate);
  if (perSecond === null) throw expected('--rate', 'a rate such as 200/s, 600/m or 50', options.rate);
  const durationMs = readDuration(options.duration);
  if (typeof durationMs === 'string') throw new UsageError(`--duration: ${durationMs}`);
  if (durationMs <= 0) throw expected('--duration', 'a duration above 0, such as 60s or 5m', options.duration);
  if (options.scenario !== undefined) {
    const parsed = headerTags(options.scenario);
    if (!parsed.ok) throw new UsageError(`--scenario: unknown tag(s) ${parsed.unknown.join(', ')}`);
  }
  const batch = positive(options.batch, 'batch', MAX_MESSAGES);
  const concurrency = positive(options.concurrency, 'concurrency', 1024);
  const recipients = positive(options.recipients, 'recipients');
  const total = Math.max(1, Math.round((perSecond * durationMs) / 1000));
  const base = options.server ?? process.env.MJSIM_URL ?? `http://127.0.0.1:${process.env.MJSIM_PORT ?? 7355}`;
  const pair = credentials(options);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (pair) headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  const runId = randomBytes(4).toString('hex');
  const message = (n: number) => ({
    From: { Email: options.from, Name: 'mjsim generate' },
    To: [{ Email: options.to.replaceAll('{n}', String(n % recipients)) }],
    Subject: `mjsim generate ${runId} #${n}`,
    TextPart: `Message #${n} of run ${runId}.`,
    HTMLPart: `<p>Message #${n} of run ${runId}.</p><p><a href="https://www.example.com/offer?n=${n}">See the offer</a></p>`,
    CustomID: `gen-${runId}-${n}`,
    ...(options.scenario ? { Headers: { [SCENARIO_HEADER]: options.scenario } } : {}),
  });

  const tally: Tally = { requested: 0, accepted: 0, failed: 0, firstError: undefined, latencies: [] };
  const started = performance.now();
  let inFlight = 0;
  let unreachable: CliError | undefined;
  const send = async (from: number, count: number) => {
    const body = stringifyJson({ Messages: Array.from({ length: count }, (_, i) => message(from + i)) });
    const t0 = performance.now();
    try {
      const response = await fetch(new URL('/v3.1/send', base), { method: 'POST', headers, body });
      const text = await response.text();
      tally.latencies.push(performance.now() - t0);
      if (response.ok) tally.accepted += count;
      else {
        tally.failed += count;
        tally.firstError ??= `HTTP ${response.status}: ${text.slice(0, 300)}`;
      }
    } catch (error) {
      tally.failed += count;
      unreachable ??= new CliError(`cannot reach mjsim at ${base}: ${(error as Error).cause ?? (error as Error).message}`, EXIT.unreachable);
    }
  };

  const progress = startProgress(() => line(tally, total, started, durationMs));
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = dueCount(perSecond, performance.now() - started, total);
      while (!unreachable && tally.requested < due && inFlight < concurrency) {
        const count = Math.min(batch, due - tally.requested);
        void send(tally.requested, count).finally(() => (inFlight -= 1));
        tally.requested += count;
        inFlight += 1;
      }
      if ((tally.requested >= total || unreachable) && inFlight === 0) return resolve();
      setTimeout(tick, 5);
    };
    tick();
  });
  progress.stop();
  if (unreachable) throw unreachable;
  const summary = summaryOf(tally, started);
  console.log(options.json ? stringifyJson(summary) : `sent ${plural(summary.accepted, 'message')} in ${summary.seconds}s (${summary.perSecond}/s), ${summary.failed} failed, latency p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`);
  if (tally.firstError) console.error(`mjsim: first failure: ${tally.firstError}`);
  if (tally.failed > 0) process.exitCode = EXIT.apiError;
}

function line(tally: Tally, total: number, started: number, durationMs: number): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(tally.accepted / seconds) : 0;
  return `generate: ${tally.accepted + tally.failed}/${total} messages answered, ${tally.failed} failed, ${rate}/s, ${seconds.toFixed(1)}s of ${(durationMs / 1000).toFixed(1)}s`;
}

/** Redraws one status line on a terminal; prints a line a second otherwise (CI logs). */
function startProgress(render: () => string): { stop(): void } {
  const tty = process.stderr.isTTY === true;
  const timer = setInterval(() => process.stderr.write(tty ? `\r${render()}\u001b[K` : `${render()}\n`), tty ? 200 : 1000);
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write(tty ? `\r${render()}\u001b[K\n` : `${render()}\n`);
    },
  };
}

function summaryOf(tally: Tally, started: number) {
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return {
    accepted: tally.accepted,
    failed: tally.failed,
    requests: tally.latencies.length,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(tally.accepted / Math.max(seconds, 0.001)),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
