#!/usr/bin/env node
// The `mjsim` command. It runs the compiled dist/. An installed package ships dist/; a clone of the
// repository gets it built on the first run (ensure-dist.js), so `npm install && npx mjsim serve` works.
// After editing src/, `npm run build` (or `npm test`, which builds) refreshes it.
import { existsSync, statSync } from 'node:fs';

const dist = new URL('../dist/cli/', import.meta.url);
if (!existsSync(new URL('main.js', dist))) await import('./ensure-dist.js');
if (process.argv[2] === 'serve') {
  // `mjsim serve` builds only its own command, without the other commands' modules, from one bundled file
  // when the build made one (scripts/bundle-serve.mjs) and it is not older than dist/: it listens sooner.
  // The bundle runs with V8's code cache (load-bundle.js).
  const program = new URL('program.js', dist);
  const bundle = new URL('serve-bundle.cjs', dist);
  const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(program).mtimeMs;
  const { runServeCli } = fresh ? (await import('./load-bundle.js')).loadBundle(bundle) : await import(program.href);
  await runServeCli(process.argv);
} else {
  const { runCli } = await import(new URL('main.js', dist).href);
  await runCli(process.argv);
}
