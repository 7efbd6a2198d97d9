/**
 * `mjsim clock [show]`, `clock advance <target>` (through the control API) and `clock set <time>` (offline,
 * on the database of a stopped mjsim).
 */
import type { Command } from 'commander';
import { DEFAULT_DB } from '../config/config-options.js';
import { clockLimit, isoTime } from '../core/clock-range.js';
import { readDuration, readTime } from '../core/duration.js';
import { stringifyJson } from '../core/json.js';
import { timeArg, UsageError } from './arguments.js';
import { call, CliError, EXIT, run, withClientOptions, type ClientOptions } from './client.js';
import { plural } from '../core/plural.js';

/** An ISO time's start: what tells `clock advance`'s time from its duration. */
const ISO_START = /^[+-]?\d{4,6}-\d\d-\d\d/;

/** `clock advance`'s target: `next`, an ISO time, or a duration (never a bare number; the server checks the range). */
const advanceTarget = (target: string) => {
  const problem = target === 'next' ? 0 : ISO_START.test(target) ? readTime(target) : readDuration(target);
  if (typeof problem === 'string') throw new UsageError(`clock advance <target>: ${problem}; or next, or an ISO time`);
  return target;
};

/** What to do instead of writing a database a server holds: ask that server, or stop it first. */
function throughTheServer(url: string | undefined): string {
  const server = url ? ` --server ${url}` : '';
  return `Go through the server: \`mjsim clock advance <duration|time>${server}\` (its clock only moves forward), or stop it first and run clock set again`;
}

/**
 * A progress line on stderr while a long advance runs: the server's clock and the attempts made so far,
 * polled every 250 ms, ending with a final line.
 */
async function advanceProgress(options: ClientOptions): Promise<{ stop(): Promise<void> }> {
  type ClockView = { now: string; attemptsMade: number };
  const first = (await call(options, 'GET', '/sim/clock')) as ClockView;
  const show = (clock: ClockView, end: string) => process.stderr.write(`\r  clock ${clock.now}, ${plural(clock.attemptsMade - first.attemptsMade, 'attempt')} made${end}`);
  show(first, '');
  const timer = setInterval(() => {
    call(options, 'GET', '/sim/clock').then((clock) => show(clock as ClockView, ''), () => undefined);
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      show((await call(options, 'GET', '/sim/clock')) as ClockView, '\n');
    },
  };
}

/**
 * Adds `clock` with `show` (the default), `advance` and `set`.
 *
 * @example
 * registerClockCommands(program); // $ mjsim clock advance 5h5m
 */
export function registerClockCommands(program: Command): void {
  // One clock per server: every account's deliveries run on it (docs/delivery.md, "One clock per server").
  const clock = program
    .command('clock')
    .description('show or move the simulator clock; it is server-wide: moving it moves every account\'s deliveries')
    .addHelpText('after', '\nThe clock belongs to the server, not to an account: `clock advance` with any account\'s key moves every account\'s time.');
  withClientOptions(clock.command('show', { isDefault: true }).description('show the clock'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions) => {
        const data = (await call(options, 'GET', '/sim/clock')) as Record<string, unknown>;
        console.log(options.json ? stringifyJson(data) : `${data.now} (${data.mode}${data.mode === 'scaled' ? ` ${data.factor}x` : ''}, server-wide), next due: ${data.nextDueAt ?? 'nothing'}`);
      }),
    );
  withClientOptions(
    clock
      .command('advance')
      .argument('<target>', 'a duration, next, or an ISO time', advanceTarget)
      .description('advance the server-wide clock by a duration (30s, 5h5m), to "next", or to an ISO time: every account\'s deliveries move with it'),
  )
    .option('--json', 'print JSON')
    .option('--progress', 'show the clock and the attempts made while it moves (default when stderr is a terminal)')
    .action(
      run(async (target: string, options: ClientOptions & { progress?: boolean }) => {
        const body = target === 'next' || ISO_START.test(target) ? { to: target } : { by: target };
        const progress = !options.json && (options.progress || process.stderr.isTTY) ? await advanceProgress(options) : undefined;
        let data: Record<string, unknown>;
        try {
          data = (await call(options, 'POST', '/sim/clock/advance', body)) as Record<string, unknown>;
        } finally {
          await progress?.stop();
        }
        console.log(
          options.json
            ? stringifyJson(data)
            : `clock ${data.from} -> ${data.to}: ${plural(data.attempts as number, 'attempt')}, ${data.successes} succeeded, ${data.failures} failed, ${plural(data.urlsSuspended as number, 'URL')} suspended`,
        );
      }),
    );

  clock
    .command('set')
    .argument('<time>', 'an ISO 8601 time, e.g. 2026-01-01T00:00:00Z', timeArg('clock set <time>'))
    .description('offline, with mjsim stopped: set the server-wide clock stored in a database (an ISO time); its 100-year range starts there')
    .option('--db <path>', `the database file [env MJSIM_DB, default ${DEFAULT_DB}]`)
    .action(
      run(async (time: string, options: { db?: string }) => {
        const path = options.db ?? process.env.MJSIM_DB ?? DEFAULT_DB;
        const ms = readTime(time) as number;
        const [{ ClockRangeError }, { setStoredClock, StoredClockError }, { DatabaseInUseError }] = await Promise.all([
          import('../engine/clock.js'),
          import('../engine/stored-clock.js'),
          import('../db/db-lock.js'),
        ]);
        try {
          setStoredClock(path, ms);
        } catch (error) {
          if (error instanceof ClockRangeError || error instanceof StoredClockError) throw new CliError(error.message, EXIT.usage);
          if (error instanceof DatabaseInUseError) throw new CliError(`clock set: ${error.message}. ${throughTheServer(error.holder?.url)}`, EXIT.apiError);
          throw error;
        }
        console.log(`clock of ${path} set to ${isoTime(ms)}; it may now reach ${isoTime(clockLimit(ms))}`);
      }),
    );
}
