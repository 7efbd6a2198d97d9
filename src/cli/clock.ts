/**
 * `mjsim clock [show]`, `clock advance <target>` (through the control API) and `clock set <time>` (offline,
 * on the database of a stopped mjsim).
 */
import type { Command } from 'commander';
import { DEFAULT_DB } from '../config/config-options.js';
import { clockLimit, isoTime } from '../core/clock-range.js';
import { parseDuration } from '../core/duration.js';
import { stringifyJson } from '../core/json.js';
import { expected } from './arguments.js';
import { call, CliError, EXIT, run, withClientOptions, type ClientOptions } from './client.js';

/** `clock advance`'s target: a duration, plain milliseconds, `next`, or an ISO time (the server checks its range). */
const advanceTarget = (target: string) => {
  if (target === 'next' || /^\d{4}-\d\d-\d\d/.test(target) || /^\d+$/.test(target) || parseDuration(target) !== null) return target;
  throw expected('clock advance <target>', 'a duration (30s, 5h5m), next, or an ISO time', target);
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
  const show = (clock: ClockView, end: string) => process.stderr.write(`\r  clock ${clock.now}, ${clock.attemptsMade - first.attemptsMade} attempts made${end}`);
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
  const clock = program.command('clock').description('show or move the simulator clock');
  withClientOptions(clock.command('show', { isDefault: true }).description('show the clock'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions) => {
        const data = (await call(options, 'GET', '/sim/clock')) as Record<string, unknown>;
        console.log(options.json ? stringifyJson(data) : `${data.now} (${data.mode}${data.mode === 'scaled' ? ` ${data.factor}x` : ''}), next due: ${data.nextDueAt ?? 'nothing'}`);
      }),
    );
  withClientOptions(
    clock
      .command('advance')
      .argument('<target>', 'a duration, next, or an ISO time', advanceTarget)
      .description('advance by a duration (30s, 5h5m), to "next", or to an ISO time'),
  )
    .option('--json', 'print JSON')
    .option('--progress', 'show the clock and the attempts made while it moves (default when stderr is a terminal)')
    .action(
      run(async (target: string, options: ClientOptions & { progress?: boolean }) => {
        const body = target === 'next' ? { to: 'next' } : /^\d{4}-\d\d-\d\d/.test(target) ? { to: target } : { by: target };
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
            : `clock ${data.from} -> ${data.to}: ${data.attempts} attempts, ${data.successes} succeeded, ${data.failures} failed, ${data.urlsSuspended} URL(s) suspended`,
        );
      }),
    );

  clock
    .command('set <time>')
    .description('offline, with mjsim stopped: set the clock stored in a database (ISO time or epoch ms); its 100-year range starts there')
    .option('--db <path>', `the database file [env MJSIM_DB, default ${DEFAULT_DB}]`)
    .action(
      run(async (time: string, options: { db?: string }) => {
        const path = options.db ?? process.env.MJSIM_DB ?? DEFAULT_DB;
        const ms = /^\d+$/.test(time) ? Number(time) : Date.parse(time);
        if (Number.isNaN(ms)) throw expected('clock set <time>', 'an ISO 8601 time such as 2026-01-01T00:00:00Z or epoch milliseconds', time);
        const [{ ClockRangeError }, { setStoredClock, StoredClockError }, { DatabaseInUseError }] = await Promise.all([
          import('../engine/clock.js'),
          import('../use-cases/stored-clock.js'),
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
