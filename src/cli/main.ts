/**
 * The `mjsim` command: a thin layer over `startServer` and over the control API of a running server. This
 * module only wires the command groups, one file each. Building the command tree loads only commander and
 * light modules; each action imports what it needs (the server, zod, SQLite) when it runs, so
 * `mjsim clock show` or `--help` starts in about bare Node's time.
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { UsageError } from './arguments.js';
import { EXIT } from './client.js';
import { registerCheckCommand } from './check.js';
import { registerClockCommands } from './clock.js';
import { registerDeliveryCommands } from './deliveries.js';
import { registerDemoCommand } from './demo.js';
import { suggestCommands } from './did-you-mean.js';
import { registerEventCommands } from './events.js';
import { registerTrafficCommands } from './generate.js';
import { registerHealthCommand } from './health.js';
import { registerInboundCommand } from './inbound.js';
import { registerPruneCommand } from './prune.js';
import { registerServeCommand } from './serve.js';
import { registerUrlCommands } from './urls.js';

/** Builds the command tree (exported for tests of the help text). */
export function buildCli(): Command {
  const program = new Command('mjsim')
    .description('Mailjet-compatible webhook provider simulator')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // `check --version 2` must reach the command: the program's own --version is then read only before the
    // command name.
    .enablePositionalOptions()
    // Bad usage exits 2, the documented code (commander's own is 1); help and --version exit 0. Set before
    // the commands are added: each inherits both settings.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage))
    .configureOutput({ outputError: (message, write) => write(message.replace(/^error: /, 'mjsim: ')) });

  registerServeCommand(program);
  registerDemoCommand(program);
  registerHealthCommand(program);
  registerClockCommands(program);
  registerEventCommands(program);
  registerInboundCommand(program);
  registerDeliveryCommands(program);
  registerUrlCommands(program);
  registerTrafficCommands(program);
  registerPruneCommand(program);
  registerCheckCommand(program);
  suggestCommands(program);
  return program;
}

/** Runs the CLI with `argv`. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    // A flag's or argument's check (arguments.ts) failed while commander parsed.
    if (!(error instanceof UsageError)) throw error;
    console.error(`mjsim: ${error.message}`);
    console.error('(run with --help for usage)');
    process.exit(error.exitCode);
  }
}
