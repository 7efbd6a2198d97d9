/**
 * `mjsim serve` as a real child process (`node bin/mjsim.js`, which runs the built `dist/`). Waits on its
 * output, never on the wall clock.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = resolve(ROOT, 'bin/mjsim.js');

export interface CliSim {
  readonly child: ChildProcess;
  /** Base URL parsed from "listening on http://127.0.0.1:PORT". */
  readonly url: string;
  readonly port: number;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Everything printed to stderr so far. */
  stderr(): string;
  /** Resolves once stdout matches `pattern`. */
  waitForOutput(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves once stderr matches `pattern`. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
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

  function waitForOutput(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpExecArray> {
    return new Promise((resolveMatch, rejectMatch) => {
      const check = () => {
        const match = pattern.exec(stream === 'stdout' ? stdout : stderr);
        if (!match) return;
        child[stream]!.off('data', check);
        resolveMatch(match);
      };
      child[stream]!.on('data', check);
      exited.then((code) => rejectMatch(new Error(`mjsim serve exited with ${code} before printing ${pattern}:\n${stdout}${stderr}`)));
      check();
    });
  }

  return waitForOutput(/listening on (https?:\/\/127\.0\.0\.1:(\d+))\n/).then((match) => ({
    child,
    url: match[1] as string,
    port: Number(match[2]),
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (pattern: RegExp) => waitForOutput(pattern),
    waitForStderr: (pattern: RegExp) => waitForOutput(pattern, 'stderr'),
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

/**
 * Runs one `mjsim` command to its end, with no MJSIM_* variable of the caller's shell, and gives its exit
 * code and output (a failure is an answer, not a throw).
 *
 * @example
 * const { code, stderr } = await runMjsim('clock', 'set', '--db', file, '2026-01-01T00:00:00Z');
 */
export async function runMjsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
