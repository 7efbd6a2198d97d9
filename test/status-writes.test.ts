/**
 * A delivery's status is written in one module only (src/db/delivery-status.ts), which asks the state
 * machine first. This test reads the source: a raw `update deliveries set … status = …` or a drizzle
 * `.set({ status … })` on the deliveries table anywhere else fails it, as does a second home for the counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const THE_MODULE = 'src/db/delivery-status.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The status writes in `text`: SQL updates of `deliveries` that set `status`, and drizzle `.set({ status`. */
function statusWrites(text: string): string[] {
  const sql = [...text.matchAll(/update\s+deliveries\s+set\s+([^`'"]*?)(?:\bwhere\b|[`'"])/gis)].filter((m) => /(^|[\s,])status\s*=/i.test(m[1] ?? ''));
  const drizzle = [...text.matchAll(/\.update\(\s*deliveries\s*\)\s*\.set\(\s*\{[^}]*\bstatus\b/g)];
  return [...sql, ...drizzle].map((m) => m[0].replace(/\s+/g, ' '));
}

describe('status writes', () => {
  const files = sourceFiles('src').map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

  it('happen only in src/db/delivery-status.ts', () => {
    const elsewhere = files.filter(({ path }) => path !== THE_MODULE).flatMap(({ path, text }) => statusWrites(text).map((write) => `${path}: ${write}`));
    expect(elsewhere).toEqual([]);
    // The scan finds what it looks for: the module's own writes (one move, the claim, the requeue).
    expect(statusWrites(files.find(({ path }) => path === THE_MODULE)!.text)).toHaveLength(3);
  });

  it('would catch a raw write in SQL or drizzle', () => {
    expect(statusWrites("statement(db, `update deliveries set status = 'in_flight', updated_at = ? where id = ?`)")).toHaveLength(1);
    expect(statusWrites("prepare('update deliveries set updated_at = ?, status = ? where id = ?')")).toHaveLength(1);
    expect(statusWrites('db.update(deliveries).set({ status: "failed" }).where(eq(deliveries.id, 1))')).toHaveLength(1);
    expect(statusWrites("statement(db, 'update deliveries set event_count = event_count + 1 where id = ?')")).toEqual([]);
  });

  it('keep their counts in one place too', () => {
    const counters = files.filter(({ text }) => /insert\s+into\s+delivery_counts/i.test(text)).map(({ path }) => path);
    expect(counters).toEqual([THE_MODULE]);
  });
});
