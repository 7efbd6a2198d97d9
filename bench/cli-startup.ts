/**
 * How long the `mjsim` command takes to start: `node -e 0` (bare Node), `mjsim --help` and `mjsim clock show`
 * against a running mjsim (its own process, manual clock), each run N times in turn, one at a time. Prints
 * min/median/max of each and clock show's median as a multiple of bare Node's (target: under 2.5×). Then runs
 * each command once more with a module-load probe and lists the packages it loaded: none of the server's
 * (hono, drizzle, better-sqlite3, zod) may appear. Argument: N (default 20).
 *
 * Uses the built dist/ (run `npm run build` first): what users run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { conditions } from './bench-lib.js';
import { packagesLoaded } from '../test/helpers/module-probe.js';

const runs = Number(process.argv[2] ?? 20);
const TARGET = 2.5;
const SERVER_PACKAGES = ['hono', '@hono/node-server', 'drizzle-orm', 'better-sqlite3', 'zod'];
const bin = fileURLToPath(new URL('../bin/mjsim.js', import.meta.url));

/** Starts `mjsim serve` on a free port and waits for its URL. */
function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--clock', 'manual', '--db', ':memory:', '--api-key', 'bench:secret'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve({ url: match[1] as string, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`mjsim serve exited with ${code}: ${out}`)));
  });
}

const env = (url: string) => ({ ...process.env, MJSIM_URL: url, MJSIM_API_KEY: 'bench:secret' });

/** Wall time of one run of `node ...args`, in ms; a failing command stops the bench. */
function time(args: string[], environment: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return ms;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? (sorted[Math.floor(mid)] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
};

const server = await startServer();
try {
  const commands = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'mjsim --help', args: [bin, '--help'] },
    { name: 'mjsim clock show', args: [bin, 'clock', 'show'] },
  ];
  const environment = env(server.url);
  for (const command of commands) time(command.args, environment); // warm the file cache
  const samples = commands.map(() => [] as number[]);
  // Interleaved, so a burst of load elsewhere touches every command alike.
  for (let i = 0; i < runs; i++) commands.forEach((command, c) => samples[c]!.push(time(command.args, environment)));

  console.log(`CLI start-up, ${runs} runs each, interleaved; mjsim serve --clock manual at ${server.url}`);
  console.log(conditions());
  const results = commands.map((command, c) => ({ ...command, ...stats(samples[c]!) }));
  for (const r of results) console.log(`  ${r.name.padEnd(18)} min ${r.min.toFixed(1).padStart(6)} ms  median ${r.median.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(1).padStart(6)} ms`);
  const ratio = results[2]!.median / results[0]!.median;
  console.log(`  clock show / bare node (medians): ${ratio.toFixed(2)}x  (target < ${TARGET}x: ${ratio < TARGET ? 'met' : 'NOT met'})`);

  for (const command of commands.slice(1)) {
    const loaded = packagesLoaded(command.args, environment).packages;
    const heavy = loaded.filter((name) => SERVER_PACKAGES.includes(name));
    console.log(`  ${command.name} loads: ${loaded.join(', ') || '(no packages)'}${heavy.length ? `  <- server packages: ${heavy.join(', ')}` : ''}`);
  }
} finally {
  server.stop();
}
