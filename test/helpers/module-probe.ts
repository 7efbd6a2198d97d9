/**
 * Which npm packages a Node command loads: runs it with a preload that records every module resolved from
 * node_modules (ESM through a resolve hook, CommonJS from the shared require cache) and prints the package
 * names at exit. The hook thread writes into shared memory before it answers, so no load can be missed
 * (a message port could deliver after exit, and a missing package would pass for a light command).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HOOKS = `let header, bytes;
export function initialize(data) { header = new Int32Array(data.shared, 0, 1); bytes = new Uint8Array(data.shared, 4); }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/node_modules/')) {
    const line = new TextEncoder().encode(result.url + '\\n');
    const at = Atomics.add(header, 0, line.length);
    if (at + line.length <= bytes.length) bytes.set(line, at);
  }
  return result;
}
`;

const preload = (hooks: string) => `import { register, createRequire } from 'node:module';
const shared = new SharedArrayBuffer(4 + (1 << 20));
register(${JSON.stringify(hooks)}, { data: { shared } });
const pkg = (path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(path)?.[1];
process.on('exit', () => {
  const length = Math.min(Atomics.load(new Int32Array(shared, 0, 1), 0), 1 << 20);
  const esm = new TextDecoder().decode(new Uint8Array(shared, 4, length).slice()).split('\\n');
  const cjs = Object.keys(createRequire(import.meta.url).cache);
  const names = new Set([...esm, ...cjs].map(pkg).filter(Boolean));
  process.stderr.write('PACKAGES ' + JSON.stringify([...names].sort()) + '\\n');
});
`;

let probe: string | undefined;

function probeFile(): string {
  if (probe) return probe;
  const dir = mkdtempSync(join(tmpdir(), 'mjsim-module-probe-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, HOOKS);
  probe = join(dir, 'preload.mjs');
  writeFileSync(probe, preload(pathToFileURL(hooks).href));
  return probe;
}

/**
 * The probe as an `--import` URL, for a command started another way (`NODE_OPTIONS`); it prints
 * `PACKAGES [...]` on stderr when the process exits.
 *
 * @example
 * await startCli(['--port', '0'], { NODE_OPTIONS: `--import ${moduleProbeImport()}` });
 */
export function moduleProbeImport(): string {
  return pathToFileURL(probeFile()).href;
}

/**
 * Runs `node ...args` and returns the npm packages it loaded, sorted, with its exit code.
 *
 * @example
 * packagesLoaded([BIN, '--help'], process.env) // { packages: ['commander'], status: 0, stdout: 'Usage: mjsim …' }
 */
export function packagesLoaded(args: readonly string[], env: NodeJS.ProcessEnv): { packages: string[]; status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(probeFile()).href, ...args], { env, encoding: 'utf8' });
  const line = /PACKAGES (.*)/.exec(result.stderr);
  if (!line) throw new Error(`no module list from node ${args.join(' ')}: ${result.stderr}`);
  return { packages: JSON.parse(line[1] as string) as string[], status: result.status, stdout: result.stdout };
}
