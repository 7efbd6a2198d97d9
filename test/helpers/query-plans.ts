/**
 * Records the SQL statements a database's verbs prepare (with the arguments each first runs with), so a test
 * can check every one with EXPLAIN QUERY PLAN.
 */
import type { Db } from '../../src/db/open-db.js';

/**
 * Starts recording on a fresh `db` (before its statements are cached); `plans()` explains every recorded
 * select.
 *
 * @example
 * const recorder = recordStatements(db); listDeliveries(db, 1, {}, 10, 0); recorder.plans() // [{ sql, plan: 'SEARCH d USING …' }]
 */
export function recordStatements(db: Db): { plans(): { sql: string; plan: string }[] } {
  const seen = new Map<string, unknown[]>();
  const prepare = db.$client.prepare.bind(db.$client);
  db.$client.prepare = ((sql: string) => {
    const statement = prepare(sql);
    const record =
      (method: 'get' | 'all') =>
      (...args: unknown[]) => {
        if (!seen.has(sql)) seen.set(sql, args);
        return (statement[method] as (...a: unknown[]) => unknown)(...args);
      };
    const recorded = { get: record('get'), all: record('all') };
    // A proxy, not a prototype copy: better-sqlite3's native methods (drizzle calls raw() and values()) need
    // the real statement as `this`.
    return new Proxy(statement, {
      get: (target, key) => {
        if (key === 'get' || key === 'all') return recorded[key];
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }) as typeof db.$client.prepare;
  return {
    plans: () =>
      [...seen]
        .filter(([sql]) => /^\s*(select|with)/i.test(sql))
        .map(([sql, args]) => ({ sql, plan: (prepare(`explain query plan ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail).join(' | ') })),
  };
}
