/**
 * The one source of time. `real` follows the wall clock, `manual` moves only when told, `Nx` runs N times
 * faster than the wall clock. Times are integer epoch milliseconds, never past the clock's limit (see
 * core/clock-range.ts).
 */
import { clockLimit, targetBeyondLimit } from '../core/clock-range.js';

export type ClockMode = 'real' | 'manual' | 'scaled';

/** A clock the engine reads; only `manual` and `scaled` clocks can be moved forward. */
export interface Clock {
  readonly mode: ClockMode;
  /** Clock milliseconds per real millisecond: 1 for real, N for `Nx`, 0 for manual. */
  readonly factor: number;
  now(): number;
  /** The clock's start: its 100-year range begins here. */
  readonly start: number;
  /** The latest time the clock may reach; a scaled clock stops there. */
  readonly limit: number;
  /** Moves the clock forward to `time` (never backward). Throws on a real clock, and past `limit`. */
  advanceTo(time: number): void;
  /** Real milliseconds until the clock reaches `time`; `Infinity` when only an explicit advance gets there. */
  realDelayUntil(time: number): number;
}

export class ClockNotMovableError extends Error {
  constructor() {
    super('the real clock cannot be moved: start mjsim with --clock manual or --clock 100x');
  }
}

/** A clock target beyond the clock's limit; the message names the limit. */
export class ClockRangeError extends Error {}

/** The fastest scaled clock: 100 years then take under an hour of real time. */
export const MAX_CLOCK_FACTOR = 1_000_000;

/**
 * Parses `--clock`: `real`, `manual`, or a factor such as `100x`. Returns an error string when invalid.
 *
 * @example
 * parseClockSpec('100x') // { mode: 'scaled', factor: 100 }
 */
export function parseClockSpec(spec: string): { mode: ClockMode; factor: number } | string {
  if (spec === 'real') return { mode: 'real', factor: 1 };
  if (spec === 'manual') return { mode: 'manual', factor: 0 };
  const match = /^(\d+(?:\.\d+)?)x$/.exec(spec);
  if (match && Number(match[1]) > MAX_CLOCK_FACTOR) return `invalid clock "${spec}": the speed-up is at most ${MAX_CLOCK_FACTOR}x`;
  if (match && Number(match[1]) > 0) return { mode: 'scaled', factor: Number(match[1]) };
  return `invalid clock "${spec}": use real, manual, or a speed-up factor such as 100x`;
}

/**
 * Builds a clock. `startAt` continues a persisted time (manual and scaled clocks); `wallNow` is injectable
 * for tests of the clock itself; `start` is where the clock's range begins (default: its first time).
 *
 * @example
 * const clock = createClock({ mode: 'manual', factor: 0 }, Date.parse('2026-01-01T00:00:00Z'));
 * clock.advanceTo(clock.now() + 30_000);
 */
export function createClock(spec: { mode: ClockMode; factor: number }, startAt?: number, wallNow: () => number = Date.now, start?: number): Clock {
  const rangeStart = Math.floor(start ?? startAt ?? wallNow());
  const limit = clockLimit(rangeStart);
  const checked = (time: number) => {
    const beyond = targetBeyondLimit(rangeStart, time);
    if (beyond) throw new ClockRangeError(beyond);
    return Math.floor(time);
  };
  switch (spec.mode) {
    case 'real':
      return {
        mode: 'real',
        factor: 1,
        start: rangeStart,
        limit,
        now: () => wallNow(),
        advanceTo: () => {
          throw new ClockNotMovableError();
        },
        realDelayUntil: (time) => Math.max(0, time - wallNow()),
      };
    case 'manual': {
      let current = Math.floor(startAt ?? wallNow());
      return {
        mode: 'manual',
        factor: 0,
        start: rangeStart,
        limit,
        now: () => current,
        advanceTo: (time) => {
          current = Math.max(current, checked(time));
        },
        realDelayUntil: (time) => (time <= current ? 0 : Number.POSITIVE_INFINITY),
      };
    }
    case 'scaled': {
      const factor = spec.factor;
      let anchorClock = Math.floor(startAt ?? wallNow());
      let anchorWall = wallNow();
      // A long run stops at the limit rather than pass it: stored times and event times stay sane.
      const now = () => Math.min(anchorClock + Math.floor((wallNow() - anchorWall) * factor), limit);
      return {
        mode: 'scaled',
        factor,
        start: rangeStart,
        limit,
        now,
        advanceTo: (time) => {
          const target = checked(time);
          if (target <= now()) return;
          anchorClock = target;
          anchorWall = wallNow();
        },
        realDelayUntil: (time) => (time > limit ? Number.POSITIVE_INFINITY : Math.max(0, Math.ceil((time - now()) / factor))),
      };
    }
  }
}
