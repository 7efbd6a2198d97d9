// Runs the serve bundle (dist/cli/serve-bundle.cjs, scripts/bundle-serve.mjs) with V8's code cache: compiling
// its 1.4 MB and the functions a start runs is about a third of `mjsim serve`'s start-up, and Node 20 keeps
// no compiled code between runs (Node 22's module.enableCompileCache does, but not for Node 20). The cache
// sits beside the bundle, serve-bundle.cjs.cache; `npm run build` writes it with one short start. It is used
// only when it was made from this very bundle (its size, and the content hash on the bundle's first line or
// else the file's time, in the cache's first line) and V8 accepts it (same V8, same flags); otherwise the
// bundle compiles as it would without one, and the cache is written anew when the process exits. A folder that cannot be written (a root-owned install, a read-only
// image) just keeps what it has: the start is then as slow as without a cache, never wrong.
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const HEADER = 'mjsim-code-cache';

/**
 * The exports of the CommonJS bundle at `url`, compiled with its code cache.
 *
 * @example
 * const { runServeCli } = loadBundle(new URL('../dist/cli/serve-bundle.cjs', import.meta.url));
 */
export function loadBundle(url) {
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  const stat = statSync(file);
  // V8 itself checks only the source's length: another bundle of the same length would run this one's code.
  const named = /^\/\/ mjsim-bundle (\w+)\n/.exec(source.slice(0, 100))?.[1];
  const key = `${HEADER} ${stat.size} ${named ?? stat.mtimeMs}\n`;
  const cacheFile = `${file}.cache`;
  const cachedData = readCache(cacheFile, key);
  // The same wrapper as Node's own for a CommonJS file: the bundle runs as `require` would run it.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache holds every function this run compiled (the start, the requests, the stop).
    process.once('exit', () => writeCache(cacheFile, key, script));
  }
  // import() inside a script compiled from a cache fails on Node 20 (its callback is lost): the bundle imports
  // the packages it loads on demand through this one, which resolves them from the same node_modules.
  const module = { exports: {}, mjsimImport: (specifier) => import(specifier) };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

function readCache(cacheFile, key) {
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const head = Buffer.from(key);
  return data.length > head.length && data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
}

function writeCache(cacheFile, key, script) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    // Whole or not at all: another start reading it meanwhile sees the old cache or the new one.
    writeFileSync(temporary, Buffer.concat([Buffer.from(key), script.createCachedData()]));
    renameSync(temporary, cacheFile);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was written (a read-only folder): nothing to clean.
    }
  }
}
