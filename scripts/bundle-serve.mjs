// Bundles what `mjsim serve` loads before it listens into one file, dist/cli/serve-bundle.cjs, after tsc has
// built dist/. Node compiles and links each ES module on its own: the ~350 modules of the serve path
// (ours, hono, drizzle, zod, commander, undici) cost about a third of a start; one file costs a fraction of
// that (`npm run bench:start`). bin/mjsim.js runs `serve` from the bundle when it is there and no older than
// dist/, and from dist/ otherwise, with the same behaviour. Left outside: the SQLite driver's compiled addon, and
// the packages that load on demand (the relay's SMTP server, mail parsing, certificate generation), so they
// still load only when first needed. The bundle stays at dist/cli/, the depth of the modules it replaces,
// so paths they resolve from their own URL (migrations, the checkpoint worker) resolve the same.
//
// CommonJS, not an ES module: Node 20 can hand V8 a code cache only for a script (bin/load-bundle.js), and a
// Node built-in is then required where its module first runs, not all at the top (http2, tls, https, dns
// only when used). Strict, as the ES modules it is made of. The build ends with one short start, which
// writes the code cache beside the bundle (serve-bundle.cjs.cache).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { build } from 'esbuild';

const OUT = 'dist/cli/serve-bundle.cjs';
/** The packages that load on demand, by import(). */
const ON_DEMAND = ['smtp-server', 'mailparser', '@zone-eu/mailsplit', 'libmime', '@peculiar/x509', 'reflect-metadata'];

await build({
  entryPoints: ['dist/cli/program.js'],
  outfile: OUT,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // better-sqlite3's JavaScript is inside; its addon is named by path (src/db/native-binding.ts), so `bindings`,
  // the driver's search for it, stays outside and unused.
  external: ['bindings', ...ON_DEMAND],
  define: { 'import.meta.url': '__mjsimModuleUrl' },
  banner: {
    js: "'use strict';const __mjsimModuleUrl = require('node:url').pathToFileURL(__filename).href;const __mjsimImport = module.mjsimImport ?? ((specifier) => import(specifier));",
  },
  logLevel: 'warning',
});

// A script compiled from a code cache loses its import() callback on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING):
// the packages loaded on demand are imported through the loader's function instead (bin/load-bundle.js), or
// through a plain import() when the bundle is required without a cache.
const bundled = readFileSync(OUT, 'utf8');
const rewritten = bundled.replace(/(?<![\w$.])import\("([^"]+)"\)/g, (call, specifier) => {
  if (!ON_DEMAND.includes(specifier)) throw new Error(`${OUT}: import("${specifier}") of a package not loaded on demand`);
  return `__mjsimImport("${specifier}")`;
});
// Only the banner's own import() is left.
const left = rewritten.match(/(?<![\w$.])import\(/g)?.length ?? 0;
if (left !== 1) throw new Error(`${OUT}: ${left - 1} import() the loader cannot serve`);
// The first line names the bundle by its content: its code cache is kept for this content only, however the
// file's time changes (npm packs every file with one fixed time).
writeFileSync(OUT, `// mjsim-bundle ${createHash('sha256').update(rewritten).digest('hex')}\n${rewritten}`);

/** Starts `mjsim serve` once (in memory, no relay), asks `/sim/health`, and stops it: its exit writes the cache. */
async function warmStart() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  const child = spawn(process.execPath, ['bin/mjsim.js', 'serve', '--port', '0', '--db', ':memory:', '--no-smtp', '--clock', 'manual'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`mjsim serve exited (${code}) before it listened:\n${out}`)));
  });
  await new Promise((resolve, reject) => get(`${url}/sim/health`, (res) => res.resume().on('end', resolve)).on('error', reject));
  child.kill('SIGTERM');
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`mjsim serve stopped with ${code}:\n${out}`);
}

await warmStart();
