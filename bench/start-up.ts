/**
 * How long `mjsim serve` takes to start: `node bin/mjsim.js serve --port 0 --db <file>` spawned N times per
 * database, timed from the spawn to the first 200 from `GET /sim/health` (at the URL the banner prints, so
 * the SMTP relay, on by default, has started too). Three databases, interleaved so that load elsewhere
 * touches each alike: a new file (created and migrated by the start), an existing empty one, and one of
 * about SIZE_MB (default 100) filled beforehand by emitting events through `POST /sim/events`. Prints
 * min/median/max per database (target: median within 250 ms), the server's CPU time to answer (its own
 * process.cpuUsage(), read through a preload when the first 200 arrives), then one more start per database
 * under `--cpu-prof`, summarized by self time.
 *
 * Uses the built dist/ (run `npm run build` first): what users run.
 *
 *   npm run bench:start [-- RUNS [SIZE_MB]]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conditions, driveRequests, profileSummary } from './bench-lib.js';

const runs = Number(process.argv[2] ?? 10);
const sizeMb = Number(process.argv[3] ?? 100);
const TARGET_MS = 250;
const bin = fileURLToPath(new URL('../bin/mjsim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-start-'));
// A preload that reports the process's own CPU time on SIGUSR2 (to stderr): no change to mjsim itself.
const preload = `data:text/javascript,${encodeURIComponent(
  "process.on('SIGUSR2', () => { const u = process.cpuUsage(); process.stderr.write('cpu-usage ' + (u.user + u.system) + '\\n'); });",
)}`;

/** GET /sim/health once: its status (0 when refused). */
function health(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/sim/health`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

interface Started {
  ms: number;
  cpuMs: number;
}

/** Spawns `mjsim serve` on `db`, waits for its banner's URL to answer 200, reads its CPU time, stops it. */
async function startOnce(db: string, extraNodeArgs: string[] = []): Promise<Started> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', preload, ...extraNodeArgs, bin, 'serve', '--port', '0', '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MJSIM_CLOCK: undefined, MJSIM_PORT: undefined, MJSIM_DB: undefined },
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (?:\S+ \(every interface; from this machine: )?(https?:\/\/[^\s)]+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    void exited.then((code) => reject(new Error(`mjsim serve exited with ${code}: ${out}${err}`)));
  });
  for (let status = await health(url); status !== 200; status = await health(url)) {
    if (performance.now() - start > 30_000) throw new Error(`GET ${url}/sim/health still answers ${status} after 30 s`);
  }
  const ms = performance.now() - start;
  const cpu = new Promise<number>((resolve) => {
    const look = () => {
      const match = /cpu-usage (\d+)/.exec(err);
      if (match) resolve(Number(match[1]) / 1000);
      else setTimeout(look, 5);
    };
    look();
  });
  child.kill('SIGUSR2');
  const cpuMs = await cpu;
  child.kill('SIGTERM');
  await exited;
  return { ms, cpuMs };
}

/** Fills `db` to about `mb` MB by emitting `sent` events, then stops the server cleanly. */
async function fill(db: string, mb: number): Promise<void> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--no-smtp', '--clock', 'manual', '--db', db, '--api-key', 'bench:secret'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
  });
  // The file itself (its log holds many versions of a page): it grows as the server's checkpoints copy pages in.
  const size = () => (existsSync(db) ? statSync(db).size : 0);
  let batch = 0;
  const body = () =>
    JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ event: i % 3 === 0 ? 'open' : 'sent', email: `user${batch}-${i}@example${i % 7}.com` })));
  const headers = { authorization: `Basic ${Buffer.from('bench:secret').toString('base64')}`, 'content-type': 'application/json' };
  while (size() < mb * 2 ** 20) {
    await driveRequests(port, { method: 'POST', path: '/sim/events?echo=false', headers, body: () => ((batch += 1), body()) }, 20, 4, 201);
  }
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Self time by package (node_modules), mjsim's own modules, Node's module loader, and the rest of Node. */
function byPlace(profile: Parameters<typeof profileSummary>[0]): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const place = (url: string, name: string): string => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) return `package ${pkg}`;
    if (url.includes('/dist/')) return 'mjsim (dist/)';
    if (url.startsWith('node:internal/modules') || name === 'compileSourceTextModule') return 'Node: loading modules';
    if (url.startsWith('node:')) return 'Node: the rest';
    return name.startsWith('(') ? name : 'native (fs, SQLite, compile…)';
  };
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id);
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (!frame) return;
    const key = place(frame.url, frame.functionName);
    totals.set(key, (totals.get(key) ?? 0) + delta);
    all += delta;
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([key, us]) => `${((100 * us) / all).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(4)} ms  ${key}`);
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? (sorted[Math.floor(mid)] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
};

try {
  const empty = join(dir, 'empty.db');
  const big = join(dir, 'big.db');
  await startOnce(empty); // creates and migrates it (and warms the file cache)
  const filling = performance.now();
  await fill(big, sizeMb);
  const bigMb = statSync(big).size / 2 ** 20;
  const fillSeconds = (performance.now() - filling) / 1000;
  await startOnce(big);

  const cases = [
    { name: 'new database file', db: (i: number) => join(dir, `new-${i}.db`) },
    { name: 'empty database', db: () => empty },
    { name: `${Math.round(bigMb)} MB database`, db: () => big },
  ];
  const samples = cases.map(() => [] as Started[]);
  for (let i = 0; i < runs; i++) {
    for (const [c, entry] of cases.entries()) samples[c]!.push(await startOnce(entry.db(i)));
  }

  console.log(`start-up: ${conditions()}`);
  console.log(`  node bin/mjsim.js serve --port 0 --db <file> (dist/), spawn to the first 200 from GET /sim/health; ${runs} runs each, interleaved`);
  console.log(`  the big database: ${Math.round(bigMb)} MB of emitted events (filled in ${fillSeconds.toFixed(0)} s)`);
  for (const [c, entry] of cases.entries()) {
    const wall = stats(samples[c]!.map((s) => s.ms));
    const cpu = stats(samples[c]!.map((s) => s.cpuMs));
    console.log(
      `  ${entry.name.padEnd(20)} min ${wall.min.toFixed(0).padStart(5)} ms  median ${wall.median.toFixed(0).padStart(5)} ms  max ${wall.max.toFixed(0).padStart(5)} ms` +
        `  (server CPU to answer: median ${cpu.median.toFixed(0)} ms)  target ≤ ${TARGET_MS} ms: ${wall.median <= TARGET_MS ? 'met' : 'NOT met'}`,
    );
  }
  for (const [c, entry] of cases.entries()) {
    const profileDir = join(dir, `profile-${c}`);
    await startOnce(entry.db(runs), ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) continue;
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Parameters<typeof profileSummary>[0];
    console.log(`  server CPU profile, one start on the ${entry.name} (the whole run until SIGTERM), self time by where it ran:`);
    for (const line of byPlace(profile)) console.log(`    ${line}`);
    console.log('    and by function:');
    for (const line of profileSummary(profile, 8)) console.log(`    ${line}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
