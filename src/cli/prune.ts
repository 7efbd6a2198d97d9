/**
 * `mjsim prune --before <time|duration>`: prunes finished history once, through the running server's
 * control API (`POST /sim/prune`), so the server's clock decides what "1h ago" means and its pruning runs
 * in small steps beside the delivery engine. Pending work is never pruned.
 */
import type { Command } from 'commander';
import { expected } from './arguments.js';
import { call, run, withClientOptions, type ClientOptions } from './client.js';
import { parseDuration } from '../core/duration.js';
import { stringifyJson } from '../core/json.js';

/**
 * The request body for `--before`: an ISO time as is, a duration as `olderThan`.
 *
 * @example
 * pruneRequest('7d')                   // { olderThan: '7d' }
 * pruneRequest('2026-01-01T00:00:00Z') // { before: '2026-01-01T00:00:00Z' }
 */
export function pruneRequest(before: string): { before: string } | { olderThan: string } {
  if (/^\d{4}-\d\d-\d\d/.test(before)) return { before };
  if (parseDuration(before) !== null) return { olderThan: before };
  throw expected('--before', "an ISO time (2026-01-01T00:00:00Z) or a duration before the clock's now (1h, 7d)", before);
}

/**
 * Adds `mjsim prune --before <time|duration> [--json]`.
 *
 * @example
 * registerPruneCommand(program);
 * // $ mjsim prune --before 7d
 */
export function registerPruneCommand(program: Command): void {
  withClientOptions(program.command('prune').description('delete finished deliveries, their attempts and events older than a time (pending work is kept)'))
    .requiredOption('--before <time|duration>', 'an ISO time, or a duration before the simulator clock\'s now (1h, 7d)')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { before: string }) => {
        const data = (await call(options, 'POST', '/sim/prune', pruneRequest(options.before))) as Record<string, unknown>;
        console.log(
          options.json
            ? stringifyJson(data)
            : `pruned before ${data.before}: ${data.deliveries} deliveries, ${data.attempts} attempts, ${data.events} events, ${data.messages} messages; ${data.pagesReleased} free pages released`,
        );
      }),
    );
}
