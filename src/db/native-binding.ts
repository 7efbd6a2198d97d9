/**
 * Where better-sqlite3's compiled addon is, so that a connection can name it (`nativeBinding`): without it
 * the driver finds the addon through the `bindings` package, which guesses about a dozen paths, each a
 * failed require, about 10 ms of a start.
 */
import { createRequire } from 'node:module';

let found: string | null | undefined;

/**
 * The addon's path where the driver's build puts it, or undefined (the driver's own search) when it is not
 * there.
 *
 * @example
 * const client = new Database('mjsim.db', { nativeBinding: nativeBinding() });
 */
export function nativeBinding(): string | undefined {
  if (found === undefined) {
    try {
      found = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    } catch {
      found = null;
    }
  }
  return found ?? undefined;
}
