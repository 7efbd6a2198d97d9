/**
 * Where to move the clock, read once for every door that moves it: `POST /sim/clock/advance` (`{"by"}` or
 * `{"to"}`), the library's `sim.advance(by)` / `sim.advanceTo(time)`, and `mjsim clock advance <target>`. Reading happens in two steps because a client (the CLI) can check the text but
 * only the server knows its clock's now: `readClockTarget` checks the shape and the grammar
 * (core/duration.ts), `clockTargetAt` places the target against now (the clock only moves forward). Pure.
 */
import { isoTime } from './clock-range.js';
import { looksLikeTime, readDuration, readTime } from './duration.js';

/** A target as read: a duration to move by, or a time (or the next due attempt) to move to. */
export type ClockTarget = { by: number } | { to: number | 'next' };

/** What is wrong, and with which field (`by`, `to`, or the shape as a whole: `null`). */
export interface ClockTargetProblem {
  field: 'by' | 'to' | null;
  message: string;
}

type Read<T> = { ok: true; value: T } | { ok: false; problem: ClockTargetProblem };

const SHAPE = 'Body must be {"by":"30s"}, {"to":"next"} or {"to":"<ISO time>"}';

/**
 * Reads `{ by }` (a duration) or `{ to }` (a time, or `'next'`); nothing else may be in the object.
 *
 * @example
 * readClockTarget({ by: '5h5m' }) // { ok: true, value: { by: 18_300_000 } }
 * readClockTarget({ to: 'next' }) // { ok: true, value: { to: 'next' } }
 * readClockTarget({ by: '7' })    // { ok: false, problem: { field: 'by', message: '7: add a unit, e.g. 7s, 7m, 7d' } }
 */
export function readClockTarget(input: unknown): Read<ClockTarget> {
  const keys = typeof input === 'object' && input !== null && !Array.isArray(input) ? Object.keys(input) : [];
  if (keys.length !== 1 || (keys[0] !== 'by' && keys[0] !== 'to')) return { ok: false, problem: { field: null, message: SHAPE } };
  const record = input as { by?: unknown; to?: unknown };
  // Numbers pass the shape so that the duration grammar refuses them with its own message.
  if ('by' in record) {
    const by = typeof record.by === 'string' || typeof record.by === 'number' ? readDuration(record.by) : SHAPE;
    return typeof by === 'number' ? { ok: true, value: { by } } : { ok: false, problem: { field: by === SHAPE ? null : 'by', message: by } };
  }
  if (record.to === 'next') return { ok: true, value: { to: 'next' } };
  if (typeof record.to !== 'string' && typeof record.to !== 'number' && !(record.to instanceof Date)) return { ok: false, problem: { field: null, message: SHAPE } };
  const to = readTime(record.to);
  return typeof to === 'number' ? { ok: true, value: { to } } : { ok: false, problem: { field: 'to', message: `${to}, or "next"` } };
}

/**
 * The target as one argument (`mjsim clock advance <target>`): `next` or an ISO time is a `to`, anything
 * else a `by`.
 *
 * @example
 * clockTargetOfText('30m')                  // { by: '30m' }
 * clockTargetOfText('2026-01-01T06:00:00Z') // { to: '2026-01-01T06:00:00Z' }
 */
export function clockTargetOfText(text: string): { by: string } | { to: string } {
  return text === 'next' || looksLikeTime(text) ? { to: text } : { by: text };
}

/**
 * Places a target against the clock's `now`: the time to move to, or `'next'`. A time before now is refused.
 *
 * @example
 * clockTargetAt({ by: 30_000 }, now) // now + 30_000
 * clockTargetAt({ to: now - 1 }, now) // { ok: false, problem: { field: 'to', message: 'The clock only moves forward: … is before …' } }
 */
export function clockTargetAt(target: ClockTarget, now: number): Read<number | 'next'> {
  if ('by' in target) return { ok: true, value: now + target.by };
  if (target.to === 'next' || target.to >= now) return { ok: true, value: target.to };
  return { ok: false, problem: { field: 'to', message: `The clock only moves forward: ${isoTime(target.to)} is before ${isoTime(now)}` } };
}
