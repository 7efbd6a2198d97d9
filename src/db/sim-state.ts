/**
 * Small persisted values: the clock's time, counters.
 */
import { eq } from 'drizzle-orm';
import type { Db } from './open-db.js';
import { simState } from './schema.js';

/** Reads a stored value. */
export function readState(db: Db, key: string): string | undefined {
  return db.select().from(simState).where(eq(simState.key, key)).get()?.value;
}

/** Stores a value, replacing the previous one. */
export function writeState(db: Db, key: string, value: string): void {
  db.insert(simState).values({ key, value }).onConflictDoUpdate({ target: simState.key, set: { value } }).run();
}
