/**
 * Where better-sqlite3's compiled addon is, so that a connection can name it (`nativeBinding`): without it
 * the driver finds the addon through the `bindings` package, which guesses about a dozen paths, each a
 * failed require, about 10 ms of a start. Named, it also works from the serve bundle, which carries the
 * driver's JavaScript (scripts/bundle-serve.mjs) while the addon stays in node_modules: `bindings` searches
 * from its caller's folder, and the bundle's is not the driver's.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

let found: string | undefined;

/**
 * The addon for `new Database(path, { nativeBinding })`: its path where the driver's build puts it
 * (build/Release, for both prebuilt and compiled installs), else the addon as `bindings` finds it from the
 * driver's own folder.
 *
 * @example
 * const client = new Database('mjsim.db', { nativeBinding: nativeBinding() });
 */
export function nativeBinding(): string {
  found ??= locateNativeBinding(import.meta.url);
  return found;
}

/**
 * The addon as seen from the module at `from`: its path under the driver's build/Release, else the addon
 * that `bindings` loads from wherever the driver's build put it (build/Debug, compiled/…). Exported so the
 * fallback can be tried against a driver laid out differently.
 *
 * @example
 * new Database(':memory:', { nativeBinding: locateNativeBinding(import.meta.url) });
 */
export function locateNativeBinding(from: string | URL): string {
  const require = createRequire(from);
  try {
    return require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    const driver = require.resolve('better-sqlite3/package.json');
    const bindings = createRequire(driver)('bindings') as (options: { bindings: string; module_root: string }) => unknown;
    // The driver takes the addon itself as well as its path; its typings name only the path.
    return bindings({ bindings: 'better_sqlite3.node', module_root: dirname(driver) }) as string;
  }
}
