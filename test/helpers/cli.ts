/**
 * `mjsim serve` as a real child process (`node bin/mjsim.js`, which runs the built `dist/`). Waits on its
 * output, never on the wall clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = resolve(ROOT, 'bin/mjsim.js');

export interface CliSim {
  readonly child: ChildProcess;
  /** Base URL parsed from "listening on http://127.0.0.1:PORT". */
  readonly url: string;
  readonly port: number;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Resolves once stdout matches `pattern`. */
  waitForOutput(pattern: RegExp): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code (`null` when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/**
 * Starts `mjsim serve` with `args` (add `--port 0`) and `extraEnv`, and resolves once it prints where it listens.
 *
 * @example
 * const sim = await startCli(['--port', '0', '--db', file, '--api-key', 'K1:S1']);
 */
export function startCli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliSim> {
  // Only the flags given here (and `extraEnv`) configure the child: drop any MJSIM_* variable of the caller's shell.
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_'))), ...extraEnv };
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolveExit(code);
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));

  function waitForOutput(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolveMatch, rejectMatch) => {
      const check = () => {
        const match = pattern.exec(stdout);
        if (!match) return;
        child.stdout!.off('data', check);
        resolveMatch(match);
      };
      child.stdout!.on('data', check);
      exited.then((code) => rejectMatch(new Error(`mjsim serve exited with ${code} before printing ${pattern}:\n${stdout}${stderr}`)));
      check();
    });
  }

  return waitForOutput(/listening on (https?:\/\/127\.0\.0\.1:(\d+))\n/).then((match) => ({
    child,
    url: match[1] as string,
    port: Number(match[2]),
    stdout: () => stdout,
    waitForOutput,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  }));
}

/** Kills every child still running (for afterAll). */
export async function killAllCli(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolveExit) => {
          child.once('exit', () => resolveExit());
          child.kill('SIGKILL');
        }),
    ),
  );
}
