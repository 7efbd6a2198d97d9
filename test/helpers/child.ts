/**
 * Runs the real `mjsim serve` as a child process (from dist/, built by `npm test`) and waits until it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/mjsim.js', import.meta.url));

export interface ChildServer {
  readonly url: string;
  readonly process: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `mjsim serve` with `args` and resolves once it prints its address.
 *
 * @example
 * const child = await startChild(['--port', '0', '--db', file, '--clock', 'manual']);
 */
export function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve({ url: match[1] as string, process: child, output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited.then((code) => reject(new Error(`mjsim exited (${code}) before listening:\n${output}`)));
  });
}
