#!/usr/bin/env node
// The `mjsim` command. It runs the compiled dist/. An installed package ships dist/; a clone of the
// repository gets it built on the first run (ensure-dist.js), so `npm install && npx mjsim serve` works.
// After editing src/, `npm run build` (or `npm test`, which builds) refreshes it.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/', import.meta.url);
if (!existsSync(new URL('main.js', dist))) await import('./ensure-dist.js');
// `mjsim serve` builds only its own command, without the other commands' modules: it listens sooner.
const serveOnly = new URL('program.js', dist);
if (process.argv[2] === 'serve' && existsSync(serveOnly)) {
  const { runServeCli } = await import(serveOnly.href);
  await runServeCli(process.argv);
} else {
  const { runCli } = await import(new URL('main.js', dist).href);
  await runCli(process.argv);
}
