#!/usr/bin/env node
// The `mjsim` command. It runs the compiled dist/. An installed package ships dist/ (built by `prepack`,
// so installing runs no build script). A clone of the repository has no dist/ until it is built: the first
// run builds it here with the clone's own TypeScript, so `npm install && npx mjsim serve` works; after
// editing src/, `npm run build` (or `npm test`, which builds) refreshes it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const cli = new URL('dist/cli.js', root);

if (!existsSync(cli)) buildFromClone();
const { runCli } = await import(cli.href);
await runCli(process.argv);

function buildFromClone() {
  const fail = (why) => {
    process.stderr.write(`mjsim: ${why}\n`);
    process.exit(1);
  };
  if (!existsSync(new URL('src/cli.ts', root))) fail('dist/cli.js is missing from this installation; reinstall mailjet-webhook-simulator');
  let tsc;
  try {
    tsc = createRequire(new URL('package.json', root)).resolve('typescript/bin/tsc');
  } catch {
    fail('dist/ is not built and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`');
  }
  process.stderr.write('mjsim: first run from a clone: building dist/ (npm run build)…\n');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    fail('the build failed (see above); fix it, then run `npm run build`');
  }
}
