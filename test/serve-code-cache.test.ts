/**
 * bin/load-bundle.js runs the serve bundle with V8's code cache kept beside it. The cache is only ever a
 * shortcut: a missing, damaged or stale one (another bundle's) leaves the bundle to compile as usual, and
 * the process's exit writes a good one. Each case runs in a real Node process, as `mjsim serve` does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const LOADER = pathToFileURL(fileURLToPath(new URL('../bin/load-bundle.js', import.meta.url))).href;
let dir: string;
let bundle: string;
let cache: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-code-cache-'));
  bundle = join(dir, 'serve-bundle.cjs');
  cache = `${bundle}.cache`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A bundle whose export says which it is, and which loads a package on demand the way the real one does;
 * `name` is the content hash the build writes on its first line.
 */
function writeBundle(value: number, name?: string): void {
  const code = `'use strict';exports.value = ${value};exports.later = () => module.mjsimImport('node:os').then((os) => typeof os.cpus);\n`;
  writeFileSync(bundle, name ? `// mjsim-bundle ${name}\n${code}` : code);
}

/** Loads the bundle in a new process: what it exports, and what its on-demand import found. */
function run(): string {
  const script = `import(${JSON.stringify(LOADER)}).then(async ({ loadBundle }) => { const b = loadBundle(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(b.value, await b.later()); })`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

it('the first run writes the cache at exit, the next runs from it without writing it again', () => {
  writeBundle(1);
  expect(run()).toBe('1 function');
  const written = statSync(cache);
  expect(readFileSync(cache).subarray(0, 16).toString()).toBe('mjsim-code-cache');
  expect(run()).toBe('1 function');
  expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
});

it('a damaged cache is set aside and written anew', () => {
  writeBundle(2);
  run();
  const good = readFileSync(cache);
  const header = good.subarray(0, good.indexOf(10) + 1);
  writeFileSync(cache, Buffer.concat([header, Buffer.alloc(good.length - header.length, 7)]));
  expect(run()).toBe('2 function');
  expect(readFileSync(cache).equals(Buffer.concat([header, Buffer.alloc(good.length - header.length, 7)]))).toBe(false);
  expect(run()).toBe('2 function');
});

it("another bundle's cache is never used for this one", () => {
  writeBundle(3);
  run();
  writeBundle(4); // the same length, another content
  expect(run()).toBe('4 function');
  expect(readFileSync(cache).subarray(0, 40).toString()).toContain(`mjsim-code-cache ${statSync(bundle).size} ${statSync(bundle).mtimeMs}`);
});

it('a bundle named by its content keeps its cache when only its time changes (npm packs every file with one time)', () => {
  writeBundle(5, 'a'.repeat(64));
  expect(run()).toBe('5 function');
  const written = statSync(cache);
  utimesSync(bundle, new Date('1985-10-26T08:15:00Z'), new Date('1985-10-26T08:15:00Z'));
  expect(run()).toBe('5 function');
  expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
  writeBundle(6, 'b'.repeat(64)); // the same length, another content and name
  expect(run()).toBe('6 function');
});
