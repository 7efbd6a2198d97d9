/**
 * The package as users install it: `npm pack`, then `npm install <tarball>` into a fresh project outside
 * the repository, then `npx mjsim --help`, `npx mjsim serve`, `import { createSimulator }`, a type-check
 * under `moduleResolution` NodeNext and Bundler, and `require()`.
 *
 * Kept fast (about 15 s) by three shortcuts, none of which skips what a user's install does:
 * - `npm pack --ignore-scripts` of a copy of the package: the `prepack` build has already run (`npm test`
 *   builds first; the global setup rebuilds a stale dist/), so the copy runs only the rest of `prepack`
 *   (which strips `prepare` from the manifest) and packs. A check below pins that `prepack` builds first.
 *   The copy keeps the checkout's package.json untouched while other test files read it.
 * - `npm install --ignore-scripts --prefer-offline`: dependencies come from npm's cache when `npm ci` has
 *   filled it (CI), else from the registry. With scripts ignored, better-sqlite3 neither downloads nor
 *   compiles its addon; instead the repository's compiled `better_sqlite3.node` is copied in. It matches
 *   because the temporary project pins better-sqlite3 to the repository's installed version (and
 *   @types/node, for the type-check) and the same Node runs both.
 * - The repository's own TypeScript (`node_modules/typescript`) type-checks the temporary project.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const installedVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

let dir: string;
let project: string;
let packedFiles: string[];
let tarball: string;
let packedManifest: { scripts?: Record<string, string> };

/** What `prepack` runs after the build, and `postpack`: the manifest's strip and restore. */
const [BUILD, STRIP] = pkg.scripts.prepack!.split(' && ');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-package-'));
  const copy = join(dir, 'package');
  for (const entry of ['package.json', 'README.md', 'LICENSE', 'bin', 'cjs', 'dist', 'drizzle', 'docs', 'fixtures', 'scripts/pack-manifest.mjs']) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  await run('sh', ['-c', STRIP!], { cwd: copy });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir, ...NPM_QUIET], { cwd: copy });
  await run('sh', ['-c', pkg.scripts.postpack!], { cwd: copy });
  expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed!.files.map((f) => f.path);
  tarball = join(dir, packed!.filename);
  await run('tar', ['-xzf', tarball, '-C', dir, 'package/package.json', '--transform', 's,^package/,packed-,']);
  packedManifest = JSON.parse(readFileSync(join(dir, 'packed-package.json'), 'utf8')) as typeof packedManifest;

  project = join(dir, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run(
    'npm',
    ['install', '--ignore-scripts', '--prefer-offline', ...NPM_QUIET, tarball,
      `better-sqlite3@${installedVersion('better-sqlite3')}`, `@types/node@${installedVersion('@types/node')}`],
    { cwd: project },
  );
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(dirname(join(project, addon)), { recursive: true });
  copyFileSync(join(ROOT, addon), join(project, addon));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built code, the command, the CommonJS entry, the migrations, the README and docs/; no sources or tests', () => {
    for (const file of ['bin/mjsim.js', 'bin/ensure-dist.js', 'cjs/index.cjs', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'drizzle/meta/_journal.json', 'README.md', 'docs/mailjet-api.md', 'docs/ci.md', 'fixtures/samples/bounce.json', 'fixtures/version2-grouped.json', 'package.json']) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
    expect(packedFiles.filter((f) => /^(src|test)\/|\.test\.|\.map$/.test(f))).toEqual([]);
  });

  it('is built before packing, and its manifest carries no script of ours that an install would list', () => {
    expect(BUILD).toBe('npm run build');
    expect(STRIP).toBe('node scripts/pack-manifest.mjs strip');
    expect(pkg.scripts.postpack).toBe('node scripts/pack-manifest.mjs restore');
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts[hook]).toBeUndefined();
    // npm runs `prepare` only in a checkout (a clone, a git URL install), never for a tarball or the
    // registry; there it builds dist/ when missing, since npm packs a git dependency without `prepack`.
    // The checkout keeps it; the packed manifest drops it (npm 11 would list it among install scripts).
    expect(pkg.scripts.prepare).toBe('node bin/ensure-dist.js');
    expect(packedManifest.scripts?.prepare).toBeUndefined();
    expect(packedManifest.scripts?.build).toBe(pkg.scripts.build);
  });

  it('installed with scripts enabled, npm names no script of ours (npm 11 lists unreviewed install scripts)', async () => {
    // Reinstalled over the first install: better-sqlite3 is already there, so its script does not run
    // again (it would download or compile), but npm still lists it, which shows the warning is live.
    rmSync(join(project, 'node_modules', pkg.name), { recursive: true, force: true });
    const { stdout, stderr } = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project });
    const output = stdout + stderr;
    expect(output).not.toContain(`${pkg.name}@`);
    expect(output).not.toMatch(/ensure-dist|prepare/);
    if (output.includes('install-scripts')) expect(output).toContain('better-sqlite3@');
    expect(existsSync(join(project, 'node_modules', pkg.name, 'dist/index.js'))).toBe(true);
  });

  it('declares types whose packages it depends on: every bare import in dist/*.d.ts is node:* or a dependency', () => {
    const specifiers = new Set<string>();
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.d.ts')) {
          // Strip comments first: the JSDoc @example blocks import the package by its own name.
          const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
          for (const match of code.matchAll(/(?:from\s+|import\()\s*['"]([^'"./][^'"]*)['"]/g)) specifiers.add(match[1]!);
        }
      }
    };
    walk(join(project, 'node_modules', pkg.name, 'dist'));
    expect(specifiers.size).toBeGreaterThan(0);
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      expect(pkg.dependencies, `dist/*.d.ts imports ${specifier}`).toHaveProperty([name]);
    }
  });
});

describe('installed in a fresh project', () => {
  it('`npx mjsim --help` lists the commands', async () => {
    const { stdout } = await run('npx', ['mjsim', '--help'], { cwd: project });
    expect(stdout).toMatch(/^Usage: mjsim/);
    expect(stdout).toContain('serve');
  });

  it('`npx mjsim serve` serves /sim/health, takes `npx mjsim replay fixtures/samples/bounce.json` (the shipped fixture), and shuts down on SIGTERM', async () => {
    const child = spawn('npx', ['mjsim', 'serve', '--port', '0', '--clock', 'manual', '--db', join(dir, 'serve.db')], {
      cwd: project,
      detached: true, // its own process group: npx's node child gets the signal too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<string>((resolveExit) => child.once('exit', (code, signal) => resolveExit(String(code ?? signal))));
    let out = '';
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolveUrl(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.once('exit', (code) => reject(new Error(`mjsim serve exited with ${code}: ${out}`)));
      });
      const health = (await (await fetch(`${url}/sim/health`)).json()) as { status: string; clock: string };
      expect(health).toMatchObject({ status: 'ok', clock: 'manual' });
      // The docs' `npx mjsim replay fixtures/samples/bounce.json` reads the fixture the package ships.
      expect(existsSync(join(project, 'fixtures'))).toBe(false);
      const replayed = await run('npx', ['mjsim', 'replay', 'fixtures/samples/bounce.json', '--server', url, '--db', join(dir, 'serve.db')], { cwd: project });
      expect(replayed.stdout).toContain(`replayed 1 event from ${join(project, 'node_modules', pkg.name, 'fixtures/samples/bounce.json')}: bounce `);
    } finally {
      process.kill(-child.pid!, 'SIGTERM'); // npx and mjsim both get it; npx may die of it, mjsim exits cleanly
    }
    expect(['0', 'SIGTERM']).toContain(await exited);
    expect(out).toContain('mjsim: SIGTERM received, shutting down');
  });

  it('`npx mjsim serve &` then `kill $!` stops the server: its port is free again within 10 s', async () => {
    // The recipe as written, in bash: `$!` is npm's process. Where /bin/sh is dash, npm's `sh -c` stays
    // between npm and mjsim and does not pass the signal on; mjsim notices npm has gone (src/cli/launcher.ts).
    // bash kills `$!` when the test writes a line; its own process group lets `finally` clear any leftover.
    const shell = spawn('bash', ['-c', `npx mjsim serve --port 0 --clock manual --db '${join(dir, 'kill.db')}' & read line; kill $!; wait`], {
      cwd: project,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        shell.stdout.on('data', () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolveUrl(match[1]!);
        });
        shell.once('exit', (code) => reject(new Error(`the shell exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/sim/health`)).status).toBe(200);
      shell.stdin.end('kill\n');
      const deadline = Date.now() + 10_000;
      let listening = true;
      while (listening && Date.now() < deadline) {
        listening = await fetch(`${url}/sim/health`).then(
          () => true,
          () => false,
        );
        if (listening) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      }
      expect(listening, `still listening 10 s after kill $!:\n${out}`).toBe(false);
      expect(out).toContain('mjsim: npx (npm exec), which started mjsim, has stopped, shutting down');
    } finally {
      try {
        process.kill(-shell.pid!, 'SIGKILL');
      } catch {
        // the group has gone: nothing was left behind
      }
    }
  });

  it("`import { createSimulator } from 'mailjet-webhook-simulator'` runs (migrations included)", async () => {
    writeFileSync(
      join(project, 'run.mjs'),
      [
        "import { createSimulator } from 'mailjet-webhook-simulator';",
        'const sim = await createSimulator();',
        "const [payload] = sim.emit({ event: 'open', email: 'a@example.com' });",
        'const health = await (await fetch(`${sim.url}/sim/health`)).json();',
        'await sim.close();',
        'console.log(health.status, typeof payload.MessageID);',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: project });
    expect(stdout.trim()).toBe('ok bigint');
  });

  it.each([
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['Bundler', { module: 'ESNext', moduleResolution: 'Bundler' }],
  ])('type-checks under moduleResolution %s', async (name, resolution) => {
    writeFileSync(
      join(project, 'app.ts'),
      [
        "import { createSimulator, SimulatorError, type AdvanceSummary, type Simulator } from 'mailjet-webhook-simulator';",
        "const sim: Simulator = await createSimulator({ clock: 'manual', startAt: '2026-01-01T00:00:00Z' });",
        "const summary: AdvanceSummary = await sim.advance('30s');",
        'const failures: number = summary.failures;',
        '// better-sqlite3\'s types resolve (an `any` here would leave this directive unused, an error):',
        '// @ts-expect-error -- the database client is not a number',
        'const client: number = sim.server.db.$client;',
        'export { failures, client, SimulatorError };',
      ].join('\n'),
    );
    const tsconfig = `tsconfig.${name}.json`;
    writeFileSync(
      join(project, tsconfig),
      JSON.stringify({
        // skipLibCheck off: every declaration the package's types reach is checked, its dependencies' too
        // (none of them drizzle-orm's, which do not pass a full check).
        compilerOptions: { target: 'ES2022', ...resolution, strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
        files: ['app.ts'],
      }),
    );
    const result = await run(process.execPath, [TSC, '-p', tsconfig], { cwd: project }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe('');
  });

  it('require() works on Node.js 20.19+/22.12+ and explains itself where require(esm) is off', async () => {
    writeFileSync(join(project, 'run.cjs'), "const { createSimulator } = require('mailjet-webhook-simulator');\nconsole.log(typeof createSimulator);\n");
    const { stdout } = await run(process.execPath, ['run.cjs'], { cwd: project });
    expect(stdout.trim()).toBe('function');

    const off = await run(process.execPath, ['--no-experimental-require-module', 'run.cjs'], { cwd: project }).then(
      () => ({ stderr: 'it ran' }),
      (error: { stderr: string }) => error,
    );
    expect(off.stderr).toContain('mailjet-webhook-simulator is an ES module');
    expect(off.stderr).toContain("await import('mailjet-webhook-simulator')");
  });
});
