/**
 * One duration grammar in every door (issue 18): the same good and bad inputs go to every CLI flag, every
 * MJSIM_* variable, every /sim field, every library option and the file formats that take a duration or a
 * time, and every door must give the same verdict. A bare number is refused everywhere, with the units to
 * add (`7: add a unit, e.g. 7s, 7m, 7d`): read as milliseconds, `mjsim prune --before 7` once deleted a
 * user's whole history while `{"before":7}` on the API deleted nothing.
 *
 * Doors are real: the CLI is `node bin/mjsim.js` as a child process (exit 2 is a refusal), /sim and the
 * dashboard are HTTP on 127.0.0.1 to a real `mjsim serve`, the library is `createSimulator`/`checkConsumer`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/config/config.js';
import { resolvePolicy } from '../src/core/retry-policy.js';
import { parseScenarioFile } from '../src/core/scenario-config.js';
import { checkConsumer, createSimulator, type Simulator } from '../src/index.js';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';

const run = promisify(execFile);
const PAIR = 'grammarpublic:grammarsecret';

/** Accepted by every door (within every door's range: at most 1m, as --stop-timeout allows). */
const GOOD_DURATIONS = ['250ms', '2s', '1m', '1s500ms'];
/** Refused by every door: bare numbers (with the units to add), and text that is no duration. */
const BARE_NUMBERS = ['7', '1500', '0.5'];
const NOT_DURATIONS = ['soon', '-1s', '5h 5m', '1s2'];
/** A time in the past: an ISO time or a duration ago, never a bare number. */
const GOOD_TIMES = ['7d', '1h', '2026-01-01T00:00:00Z'];
const BAD_TIMES = ['7', '1767225600000', 'last week'];

type Verdict = 'accepted' | string;
/** A door: gives `input` to one entry point and says whether it was accepted, or the message it refused with. */
type Door = (input: string | number) => Promise<Verdict>;

let dir: string;
let child: CliSim;
let sim: Simulator;
let busyPort: number;
let closedUrl: string;
const holder = createServer();

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-grammar-'));
  child = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--clock', 'manual', '--api-key', PAIR]);
  sim = await createSimulator();
  // A port held open: `serve` with accepted flags then stops at listen (exit 1), after its config was read.
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  busyPort = (holder.address() as { port: number }).port;
  closedUrl = `http://127.0.0.1:${await closedPort()}/hook`;
});
afterAll(async () => {
  await sim.close();
  await killAllCli();
  await new Promise((resolve) => holder.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI as a user runs it: exit 2 (bad usage) is a refusal, with its message; anything else accepted it. */
async function cli(...args: string[]): Promise<Verdict> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  const env = { ...clean, MJSIM_URL: child.url, MJSIM_API_KEY: PAIR };
  return run(process.execPath, [BIN, ...args], { cwd: dir, env, timeout: 30_000 }).then(
    () => 'accepted',
    (error: { code: number; stderr: string }) => (error.code === 2 ? error.stderr.split('\n')[0]! : 'accepted'),
  );
}

/**
 * `serve` with the input in all three of its duration flags at once (one process per input: a serve costs a
 * second to start): it names every bad flag on its own line, so each flag's verdict is its line, or none.
 */
const serveRuns = new Map<string, Promise<{ code: number; stderr: string }>>();
async function serveFlag(flag: string, input: string | number): Promise<Verdict> {
  const text = String(input);
  if (!serveRuns.has(text)) {
    const flags = ['--attempt-timeout', '--stop-timeout', '--retain'].map((name) => `${name}=${text}`);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
    const started = run(process.execPath, [BIN, 'serve', '--db', ':memory:', '--port', String(busyPort), ...flags], { cwd: dir, env: clean, timeout: 30_000 });
    serveRuns.set(text, started.then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error));
  }
  const { code, stderr } = await (serveRuns.get(text) as Promise<{ code: number; stderr: string }>);
  const line = stderr.split('\n').find((candidate) => candidate.replace(/^mjsim: /, '').startsWith(`${flag}:`));
  return code === 2 && line ? line : 'accepted';
}

/** An HTTP door: a 400 `invalid-input` is a refusal with its message. */
async function http(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Verdict> {
  const response = await fetch(`${child.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(PAIR).toString('base64')}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { error?: { code: string; message: string } };
  if (response.status === 400 && answer.error?.code === 'invalid-input') return answer.error.message;
  expect(response.status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(answer)}`).toBe(200);
  return 'accepted';
}

/** A library or parser door: a throw (or a problem string) is a refusal with its message. */
async function library(call: () => unknown): Promise<Verdict> {
  try {
    const result = await call();
    if (typeof result === 'string') return result;
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

const asNumberWhenBare = (input: string | number) => (typeof input === 'string' && /^[\d.]+$/.test(input) ? Number(input) : input);

const DURATION_DOORS: Record<string, Door> = {
  // `--` and `--flag=value`: what a shell user types for a value that starts with a dash (-1s).
  'mjsim clock advance': (x) => cli('clock', 'advance', '--', String(x)),
  'mjsim health --wait': (x) => cli('health', `--wait=${x}`),
  'mjsim generate --duration': (x) => cli('generate', `--duration=${x}`, '--server', closedUrl.replace('/hook', '')),
  'mjsim check --timeout': (x) => cli('check', closedUrl, `--timeout=${x}`, '--burst', '0', '--types', 'open', '--version', '1'),
  'mjsim serve --attempt-timeout': (x) => serveFlag('--attempt-timeout', x),
  'mjsim serve --stop-timeout': (x) => serveFlag('--stop-timeout', x),
  'mjsim serve --retain': (x) => serveFlag('--retain', x),
  'MJSIM_ATTEMPT_TIMEOUT': (x) => library(() => parseServeConfig({}, { MJSIM_ATTEMPT_TIMEOUT: String(x) })),
  'MJSIM_STOP_TIMEOUT': (x) => library(() => parseServeConfig({}, { MJSIM_STOP_TIMEOUT: String(x) })),
  'MJSIM_RETAIN': (x) => library(() => parseServeConfig({}, { MJSIM_RETAIN: String(x) })),
  'POST /sim/clock/advance {"by": text}': (x) => http('/sim/clock/advance', { by: String(x) }),
  'POST /sim/clock/advance {"by": number}': (x) => http('/sim/clock/advance', { by: asNumberWhenBare(x) }),
  'POST /dashboard/clock/advance {"by"}': (x) => http('/dashboard/clock/advance', { by: asNumberWhenBare(x) }, { 'x-mjsim-dashboard': '1' }),
  'POST /sim/prune {"olderThan"}': (x) => http('/sim/prune', { olderThan: asNumberWhenBare(x), dryRun: true }),
  'sim.advance()': (x) => library(() => sim.advance(asNumberWhenBare(x) as string)),
  'createSimulator({ attemptTimeout })': (x) => library(async () => (await createSimulator({ attemptTimeout: asNumberWhenBare(x) as string })).close()),
  'createSimulator({ stopTimeout })': (x) => library(async () => (await createSimulator({ stopTimeout: asNumberWhenBare(x) as string })).close()),
  'createSimulator({ retain })': (x) => library(async () => (await createSimulator({ retain: asNumberWhenBare(x) as string })).close()),
  'checkConsumer({ timeout })': (x) => library(() => checkConsumer(closedUrl, { timeout: asNumberWhenBare(x) as string, burst: 0, types: 'open', version: 1 })),
  'scenario file delay': (x) => library(() => parseScenarioFile({ sent: { delay: asNumberWhenBare(x) } })),
  '--policy custom:DELAY*COUNT': (x) => library(() => resolvePolicy(`custom:${x}*2`)),
};

const TIME_DOORS: Record<string, Door> = {
  'mjsim prune --before': (x) => cli('prune', `--before=${x}`, '--dry-run'),
  'POST /sim/prune {"before": text}': (x) => http('/sim/prune', { before: String(x), dryRun: true }),
  'POST /sim/prune {"before": number}': (x) => http('/sim/prune', { before: asNumberWhenBare(x), dryRun: true }),
  'sim.prune()': (x) => library(() => sim.prune(asNumberWhenBare(x) as string)),
};

/** Runs every door on every input, a few at a time (child processes share two cores with other work). */
async function verdicts(doors: Record<string, Door>, inputs: readonly string[]): Promise<Record<string, Record<string, Verdict>>> {
  const jobs = Object.entries(doors).flatMap(([door, give]) => inputs.map((input) => ({ door, input, give })));
  const table: Record<string, Record<string, Verdict>> = {};
  for (let i = 0; i < jobs.length; i += 6) {
    await Promise.all(
      jobs.slice(i, i + 6).map(async ({ door, input, give }) => {
        (table[door] ??= {})[input] = await give(input);
      }),
    );
  }
  return table;
}

/** What each door must say: "accepted", or a message matching the refusal. */
function expectVerdicts(table: Record<string, Record<string, Verdict>>, expected: Record<string, 'accepted' | RegExp>): void {
  for (const [door, byInput] of Object.entries(table)) {
    for (const [input, want] of Object.entries(expected)) {
      const got = byInput[input];
      if (want === 'accepted') expect(got, `${door} ${JSON.stringify(input)}`).toBe('accepted');
      else expect(got, `${door} ${JSON.stringify(input)}`).toMatch(want);
    }
  }
}

const addUnit = (n: string) => new RegExp(`${n.replace('.', '\\.')}: add a unit, e\\.g\\. ${n.replace('.', '\\.')}s, ${n.replace('.', '\\.')}m, ${n.replace('.', '\\.')}d`);

describe('one duration grammar in every door', () => {
  it('accepts the same durations and refuses the same ones, a bare number with the units to add', { timeout: 300_000 }, async () => {
    const inputs = [...GOOD_DURATIONS, ...BARE_NUMBERS, ...NOT_DURATIONS];
    const table = await verdicts(DURATION_DOORS, inputs);
    expectVerdicts(table, {
      ...Object.fromEntries(GOOD_DURATIONS.map((input) => [input, 'accepted' as const])),
      ...Object.fromEntries(BARE_NUMBERS.map((input) => [input, addUnit(input)])),
      ...Object.fromEntries(NOT_DURATIONS.map((input) => [input, /is not a duration/])),
    });
  });

  it('reads a time in the past as an ISO time or a duration ago, never a bare number', { timeout: 120_000 }, async () => {
    const table = await verdicts(TIME_DOORS, [...GOOD_TIMES, ...BAD_TIMES]);
    expectVerdicts(table, {
      ...Object.fromEntries(GOOD_TIMES.map((input) => [input, 'accepted' as const])),
      '7': addUnit('7'),
      '1767225600000': addUnit('1767225600000'),
      'last week': /"last week" is neither a time nor a duration/,
    });
  });
});
