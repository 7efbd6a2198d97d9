/**
 * `mjsim prune --before <time|duration>`: prunes finished history once, through the running server's
 * control API (`POST /sim/prune`), so the server's clock decides what "7d ago" means and its pruning runs
 * in small steps beside the delivery engine. Pending work is never pruned. Deleting history cannot be undone,
 * so the command first counts what would go (a dry run) and deletes only with `--yes`.
 */
import type { Command } from 'commander';
import { pruneBeforeArg } from './arguments.js';
import { call, CliError, EXIT, run, withClientOptions, type ClientOptions } from './client.js';
import { plural } from '../core/plural.js';
import { stringifyJson } from '../core/json.js';

type PruneAnswer = Record<'deliveries' | 'attempts' | 'events' | 'messages', number> & { before: string; pagesReleased?: number };

/** "12 deliveries, 40 attempts, 12 events, 3 messages" */
const counts = (data: PruneAnswer) =>
  [plural(data.deliveries, 'delivery', 'deliveries'), plural(data.attempts, 'attempt'), plural(data.events, 'event'), plural(data.messages, 'message')].join(', ');

/**
 * Adds `mjsim prune --before <time|duration> [--dry-run | --yes] [--json]`.
 *
 * @example
 * registerPruneCommand(program);
 * // $ mjsim prune --before 7d --yes
 */
export function registerPruneCommand(program: Command): void {
  withClientOptions(program.command('prune').description('delete finished deliveries, their attempts and events older than a time (pending work is kept)'))
    .requiredOption('--before <time|duration>', "an ISO time, or a duration before the simulator clock's now (1h, 7d); never a bare number", pruneBeforeArg('--before'))
    .option('--dry-run', 'only count what would be deleted')
    .option('--yes', 'delete without asking (prune cannot be undone)')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { before: string; dryRun?: boolean; yes?: boolean }) => {
        if (options.dryRun || !options.yes) {
          const data = (await call(options, 'POST', '/sim/prune', { before: options.before, dryRun: true })) as PruneAnswer;
          console.log(options.json ? stringifyJson(data) : `would prune before ${data.before}: ${counts(data)}`);
          if (options.dryRun) return;
          throw new CliError('nothing deleted: add --yes to delete these (or --dry-run to only count)', EXIT.usage);
        }
        const data = (await call(options, 'POST', '/sim/prune', { before: options.before })) as PruneAnswer;
        console.log(options.json ? stringifyJson(data) : `pruned before ${data.before}: ${counts(data)}; ${plural(data.pagesReleased ?? 0, 'free page')} released`);
      }),
    );
}
