/**
 * `mjsim demo`: mjsim on a fast clock with a flaky receiver, callback URLs and traffic, to watch retries and
 * a suspension (the run itself: demo-run.ts).
 */
import type { Command } from 'commander';
import { wholeNumber } from './arguments.js';
import { whenLauncherGone } from './launcher.js';

/**
 * Adds `demo`.
 *
 * @example
 * registerDemoCommand(program); // $ mjsim demo --speed 600x
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('watch retries and a suspension: mjsim on a fast clock with a flaky receiver, URLs and traffic')
    .option('--speed <factor>', 'clock speed-up (600x: the always-down URL is suspended after ~30 s)', '600x')
    .option('--port <n>', 'port to listen on [default 7355, or a free one when taken]', wholeNumber('--port', 0, 65535, 'a port number (0-65535)'))
    .option('--policy <name>', 'retry policy (see serve --help)')
    .option('--traffic <ms>', 'real milliseconds between generated batches of events (0: none)', wholeNumber('--traffic', 0), '1500')
    .action(async (flags: { speed: string; port?: string; policy?: string; traffic: string }) => {
      const [{ runDemo }, { ConfigError }] = await Promise.all([import('./demo-run.js'), import('../config/config.js')]);
      let demo;
      try {
        demo = await runDemo({ clock: flags.speed, port: flags.port === undefined ? undefined : Number(flags.port), policy: flags.policy, trafficEveryMs: Number(flags.traffic) });
      } catch (error) {
        console.error(`mjsim: ${(error as Error).message}`);
        process.exit(error instanceof ConfigError ? 2 : 1);
      }
      const stop = () => demo.stop().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      whenLauncherGone(stop); // `npx mjsim demo &` then `kill $!` (launcher.ts)
    });
}
