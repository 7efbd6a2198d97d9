/**
 * The prune cutoff, read once for every door that prunes: `POST /sim/prune` (`{"before"}` or
 * `{"olderThan"}`, with `"dryRun"`), the library's `sim.prune(before)` and `mjsim prune --before`. `before`
 * is a time or a duration ago (`7d`), `olderThan` a duration only; neither takes a bare number (read as
 * milliseconds, `7` once pruned a user's whole history). As with the clock target, a client checks the text
 * and the server places it against its clock's now: `readPruneInput`, then `pruneCutoffAt`. Pure.
 */
import { isoTime } from './clock-range.js';
import { looksLikeTime, readDuration, readTimeOrAgo } from './duration.js';

/** A cutoff as read: a time, or a duration before now. */
export type PruneCutoff = { at: number } | { ago: number };

export interface PruneInput {
  cutoff: PruneCutoff;
  /** Only count what would be pruned. */
  dryRun: boolean;
}

/** What is wrong, and with which field (`null`: the shape as a whole). */
export interface PruneProblem {
  field: 'before' | 'olderThan' | null;
  message: string;
}

type Read<T> = { ok: true; value: T } | { ok: false; problem: PruneProblem };

const SHAPE = 'Body must be {"before":"<ISO time>"} or {"before":"7d"} (a duration ago), with "dryRun":true to count only';

/**
 * Reads `{ before }` or `{ olderThan }`, with an optional boolean `dryRun`; nothing else may be in the object.
 *
 * @example
 * readPruneInput({ before: '7d' })                          // { ok: true, value: { cutoff: { ago: 604_800_000 }, dryRun: false } }
 * readPruneInput({ before: '2026-01-01T00:00:00Z', dryRun: true }) // { ok: true, value: { cutoff: { at: 1_767_225_600_000 }, dryRun: true } }
 * readPruneInput({ before: 7 })                             // { ok: false, problem: { field: 'before', message: '7: add a unit, …' } }
 */
export function readPruneInput(input: unknown): Read<PruneInput> {
  const shape = { ok: false as const, problem: { field: null, message: SHAPE } };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return shape;
  const { dryRun, ...rest } = input as Record<string, unknown>;
  const keys = Object.keys(rest);
  if (keys.length !== 1 || (keys[0] !== 'before' && keys[0] !== 'olderThan') || (dryRun !== undefined && typeof dryRun !== 'boolean')) return shape;
  const field = keys[0];
  const given = rest[field];
  // Numbers pass the shape so that the duration grammar refuses them with its own message.
  if (typeof given !== 'string' && typeof given !== 'number' && !(given instanceof Date && field === 'before')) return shape;
  const read = field === 'olderThan' ? readDuration(given) : readTimeOrAgo(given, 0);
  if (typeof read === 'string') return { ok: false, problem: { field, message: read } };
  const isTime = given instanceof Date || (typeof given === 'string' && looksLikeTime(given));
  const cutoff = isTime ? { at: read } : { ago: readDuration(given) as number };
  return { ok: true, value: { cutoff, dryRun: dryRun === true } };
}

/**
 * The cutoff as a time on the clock: before `now`, never after it.
 *
 * @example
 * pruneCutoffAt({ ago: 60_000 }, now) // { ok: true, value: now - 60_000 }
 */
export function pruneCutoffAt(cutoff: PruneCutoff, now: number): Read<number> {
  const at = 'at' in cutoff ? cutoff.at : now - cutoff.ago;
  if (at <= now) return { ok: true, value: at };
  return { ok: false, problem: { field: 'before', message: `${isoTime(at)} is after the simulator clock's now (${isoTime(now)}); give a time in its past` } };
}
