/**
 * `mjsim health [--wait <duration>]`: whether mjsim answers; `--wait` keeps trying, for CI scripts that start
 * mjsim and wait until it is up.
 */
import type { Command } from 'commander';
import { parseDuration } from '../core/duration.js';
import { stringifyJson } from '../core/json.js';
import { durationArg } from './arguments.js';
import { call, CliError, EXIT, run, withClientOptions, type ClientOptions } from './client.js';

/**
 * Adds `health`.
 *
 * @example
 * registerHealthCommand(program); // $ mjsim health --wait 30s
 */
export function registerHealthCommand(program: Command): void {
  withClientOptions(program.command('health').description('check that mjsim answers'))
    .option('--wait <duration>', 'keep trying for this long, e.g. 30s (for CI)', durationArg('--wait'), '0')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { wait: string }) => {
        const seconds = (parseDuration(options.wait) ?? 0) / 1000;
        const deadline = Date.now() + seconds * 1000;
        const { default: pRetry, AbortError } = await import('p-retry');
        const health = await pRetry(
          async () => {
            try {
              return await call(options, 'GET', '/sim/health');
            } catch (error) {
              if (error instanceof CliError && error.exitCode === EXIT.unreachable && Date.now() < deadline) throw error;
              throw new AbortError(error as Error);
            }
          },
          { retries: Math.ceil(seconds * 4), minTimeout: 250, maxTimeout: 250, factor: 1 },
        );
        console.log(options.json ? stringifyJson(health) : `mjsim is up: ${stringifyJson(health)}`);
      }),
    );
}
