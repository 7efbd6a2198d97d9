#!/usr/bin/env node
// Builds dist/ from src/ when it is missing, with the checkout's own TypeScript. Installed packages ship
// dist/ (built by `prepack`), so this does nothing there. It serves checkouts: `bin/mjsim.js` runs it on
// the first run in a clone, and the `prepare` script runs it when npm installs mjsim from a git URL (npm
// runs `prepare`, not `prepack`, before packing a git dependency).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);

if (!existsSync(new URL('dist/cli/main.js', root))) {
  const fail = (why) => {
    process.stderr.write(`mjsim: ${why}\n`);
    process.exit(1);
  };
  if (!existsSync(new URL('src/cli/main.ts', root))) fail('dist/cli/main.js is missing from this installation; reinstall mailjet-webhook-simulator');
  let tsc;
  try {
    tsc = createRequire(new URL('package.json', root)).resolve('typescript/bin/tsc');
  } catch {
    fail('dist/ is not built and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`');
  }
  process.stderr.write('mjsim: building dist/ from src/ (npm run build)…\n');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    fail('the build failed (see above); fix it, then run `npm run build`');
  }
}
