/**
 * The `mjsim` program before its commands are added (its name, version, exit codes and error output), and
 * how it runs. The whole tree (main.ts) and `mjsim serve` alone (`runServeCli`) start from here, so both
 * parse and fail alike.
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { UsageError } from './arguments.js';
import { EXIT } from './client.js';
import { registerServeCommand } from './serve.js';

/**
 * The program with no command yet.
 *
 * @example
 * const program = newProgram();
 * registerServeCommand(program);
 */
export function newProgram(): Command {
  return (
    new Command('mjsim')
      .description('Mailjet-compatible webhook provider simulator')
      .version(VERSION)
      .showHelpAfterError('(run with --help for usage)')
      // `check --version 2` must reach the command: the program's own --version is then read only before the
      // command name.
      .enablePositionalOptions()
      // Bad usage exits 2, the documented code (commander's own is 1); help and --version exit 0. Set before
      // the commands are added: each inherits both settings.
      .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage))
      .configureOutput({ outputError: (message, write) => write(message.replace(/^error: /, 'mjsim: ')) })
  );
}

/**
 * Parses `argv` with `program` and runs the command it names; a flag's or argument's check that fails
 * (arguments.ts) exits 2 with its message.
 *
 * @example
 * await runProgram(buildCli(), process.argv);
 */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`mjsim: ${error.message}`);
    console.error('(run with --help for usage)');
    process.exit(error.exitCode);
  }
}

/**
 * Runs `mjsim serve …` (argv[2] is `serve`) with only the serve command built: the other commands' modules
 * are not loaded, and the server listens sooner (`npm run bench:start`).
 *
 * @example
 * await runServeCli(['node', 'mjsim', 'serve', '--port', '0']);
 */
export async function runServeCli(argv: string[]): Promise<void> {
  const program = newProgram();
  registerServeCommand(program);
  await runProgram(program, argv);
}
