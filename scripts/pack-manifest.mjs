#!/usr/bin/env node
// `npm pack` (and `npm publish`) around the packed manifest, as pinst does: `strip` (at prepack) removes the
// `prepare` script from package.json, so the tarball carries no script of ours and installing it shows none
// (npm 11 lists a package's `prepare` among the install scripts to review, though it never runs it for a
// tarball); `restore` (at postpack) puts package.json back byte for byte. `prepare` stays for checkouts:
// npm runs it when it installs mjsim from a git URL, and packs that clone without prepack.
//
//   node scripts/pack-manifest.mjs strip | restore
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../package.json.prepack', import.meta.url);

/** Writes whole or not at all: a reader (npm, a test) never sees half a package.json. */
function replace(url, text) {
  const temporary = new URL(`../package.json.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temporary, text);
  renameSync(temporary, url);
}

function restore() {
  if (existsSync(kept)) renameSync(kept, manifest);
}

const command = process.argv[2];
if (command === 'strip') {
  restore(); // a pack that failed before its postpack left the stripped file: start from the original
  const original = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(original);
  if (pkg.scripts?.prepare !== undefined) {
    writeFileSync(kept, original);
    delete pkg.scripts.prepare;
    replace(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  }
} else if (command === 'restore') {
  restore();
} else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs strip|restore\n');
  process.exit(2);
}
