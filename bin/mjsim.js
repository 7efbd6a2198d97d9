#!/usr/bin/env node
// The `mjsim` command. It runs the compiled dist/. An installed package ships dist/; a clone of the
// repository gets it built on the first run (ensure-dist.js), so `npm install && npx mjsim serve` works.
// After editing src/, `npm run build` (or `npm test`, which builds) refreshes it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) await import('./ensure-dist.js');
const { runCli } = await import(cli.href);
await runCli(process.argv);
