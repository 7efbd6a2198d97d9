/**
 * The `mjsim` command: a thin layer over `startServer` and over the control API of a running server. This
 * module only wires the command groups, one file each. Building the command tree loads only commander and
 * light modules; each action imports what it needs (the server, zod, SQLite) when it runs, so
 * `mjsim clock show` or `--help` starts in about bare Node's time.
 */
import type { Command } from 'commander';
import { registerCheckCommand } from './check.js';
import { registerClockCommands } from './clock.js';
import { registerDeliveryCommands } from './deliveries.js';
import { registerDemoCommand } from './demo.js';
import { suggestCommands } from './did-you-mean.js';
import { newProgram, runProgram } from './program.js';
import { registerEventCommands } from './events.js';
import { registerTrafficCommands } from './generate.js';
import { registerHealthCommand } from './health.js';
import { registerInboundCommand } from './inbound.js';
import { registerPruneCommand } from './prune.js';
import { registerServeCommand } from './serve.js';
import { registerUrlCommands } from './urls.js';

/** Builds the command tree (exported for tests of the help text). */
export function buildCli(): Command {
  const program = newProgram();
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
  await runProgram(buildCli(), argv);
}
