// Bundles what `mjsim serve` loads before it listens into one file, dist/cli/serve-bundle.mjs, after tsc has
// built dist/. Node compiles and links each ES module on its own: the ~350 modules of the serve path
// (ours, hono, drizzle, zod, commander, undici) cost about a third of a start; one file costs a fraction of
// that (`npm run bench:start`). bin/mjsim.js runs `serve` from the bundle when it is there and no older than
// dist/, and from dist/ otherwise, with the same behaviour. Left outside: the native SQLite driver, and the
// packages that load on demand (the relay's SMTP server, mail parsing, certificate generation), so they
// still load only when first needed. The bundle stays at dist/cli/, the depth of the modules it replaces,
// so paths they resolve from their own URL (migrations, the checkpoint worker) resolve the same.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/program.js'],
  outfile: 'dist/cli/serve-bundle.mjs',
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'smtp-server', 'mailparser', '@zone-eu/mailsplit', 'libmime', '@peculiar/x509', 'reflect-metadata'],
  // CommonJS packages inside an ES module bundle still call require.
  banner: { js: "import { createRequire as __mjsimRequire } from 'node:module'; const require = __mjsimRequire(import.meta.url);" },
  logLevel: 'warning',
});
