/**
 * The README's "A first run" block, taken from the README as it stands and run as one bash script in a fresh
 * temporary directory (issue 18, defect 1): it must work pasted whole, and show attempt 1 failing and
 * attempt 2 succeeding 30 s of clock later.
 *
 * `npx mjsim` resolves to this checkout's `bin/mjsim.js` through an `npx` shim first on PATH (as it resolves
 * to the installed package in a project). The block uses the fixed ports 7355 and 8080, which another test or
 * process may hold; so when the machine allows it, the script runs in a network namespace of its own
 * (`unshare -rn`, loopback only), where both ports are free and the block runs literally. Where it does not
 * (no user namespaces), the ports are moved only if one is taken, by replacing `7355` and `8080` in the text
 * and pointing `serve` and the client commands at the new port through `MJSIM_PORT` and `MJSIM_URL`.
 *
 * The script runs in a process group of its own, and every process it left in the background is stopped
 * with that group.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ```sh block after the "A first run" heading, exactly as written. */
function firstRunBlock(): string {
  const section = README.slice(README.indexOf('## A first run'));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md: no ```sh block under "## A first run"');
  return match[1] as string;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** True when this machine lets an unprivileged process have a network namespace of its own. */
const canUnshare = () => spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `script` with bash -e in `cwd` and its own process group; stops the group when the script ends. */
function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv, isolated: boolean) {
  const command = isolated ? ['unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec bash -e ./first-run.sh'] : ['bash', '-e', './first-run.sh'];
  writeFileSync(join(cwd, 'first-run.sh'), script);
  const child = spawn(command[0] as string, command.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    let code: number | null = null;
    child.once('exit', (exitCode) => {
      code = exitCode;
      // The receiver and mjsim were started with `&` and outlive the script: stop the whole group.
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // the group is gone already
      }
    });
    // 'close' comes once the script has exited and every process of its group has let go of the pipes.
    child.once('close', () => resolve({ code, out }));
  });
}

describe('README: A first run', () => {
  it('works pasted whole in a fresh directory and shows attempt 1 failing and attempt 2 succeeding 30 s later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjsim-first-run-'));
    dirs.push(dir);
    const shims = join(dir, '.shims');
    mkdirSync(shims);
    writeFileSync(join(shims, 'npx'), `#!/bin/sh\n[ "$1" = mjsim ] || { echo "npx shim: only mjsim" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(shims, 'npx'), 0o755);
    const work = join(dir, 'work');
    mkdirSync(work);

    // Only what a new user's shell has: no MJSIM_* settings, no npm exec of ours around it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_') && !name.startsWith('npm_')));
    env.PATH = `${shims}:${process.env.PATH}`;

    let script = firstRunBlock();
    const isolated = canUnshare();
    if (!isolated && !((await portFree(7355)) && (await portFree(8080)))) {
      const [mjsim, receiver] = [await freePort(), await freePort()];
      script = script.replaceAll('7355', String(mjsim)).replaceAll('8080', String(receiver));
      env.MJSIM_PORT = String(mjsim);
      env.MJSIM_URL = `http://127.0.0.1:${mjsim}`;
    }

    const { code, out } = await runScript(script, work, env, isolated);
    expect(code, out).toBe(0);
    // The receiver failed the first POST and accepted the second.
    expect(out).toContain('receiver: POST #1 answered 500');
    expect(out).toContain('receiver: POST #2 answered 200');
    expect(out).not.toContain('receiver: POST #3');
    // The advance ran attempt 2, and counted attempt 1 too.
    const advance = /clock (\S+) -> (\S+): 2 attempts, 1 succeeded, 1 failed, 0 URLs suspended/.exec(out);
    expect(advance, out).not.toBeNull();
    expect(Date.parse(advance![2]!) - Date.parse(advance![1]!)).toBe(30_000);
    // `deliveries`: delivered after 2 attempts; `delivery 1`: 500, then success 30 s of clock later. (Read by
    // line and value, not by column position, so a table that gains a column still reads.)
    expect(out).toMatch(/^1\s+delivered\s.*\bbounce\b/m);
    const shown = out.slice(out.indexOf('delivery 1: delivered, 2 attempts'));
    expect(shown).not.toBe('');
    const row = (n: number) => {
      const line = new RegExp(`^${n}\\s.*$`, 'm').exec(shown)?.[0] ?? '';
      return { line, startedAt: Date.parse(/\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(line)?.[0] ?? '') };
    };
    expect(row(1).line).toMatch(/\bhttp-status\b.*\b500\b/);
    expect(row(2).line).toMatch(/\bsuccess\b.*\b200\b/);
    expect(row(2).startedAt - row(1).startedAt).toBe(30_000);
  }, 120_000);
});
