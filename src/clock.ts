/**
 * The one source of time. `real` follows the wall clock, `manual` moves only when told, `Nx` runs N times
 * faster than the wall clock. Times are integer epoch milliseconds.
 */

export type ClockMode = 'real' | 'manual' | 'scaled';

/** A clock the engine reads; only `manual` and `scaled` clocks can be moved forward. */
export interface Clock {
  readonly mode: ClockMode;
  /** Clock milliseconds per real millisecond: 1 for real, N for `Nx`, 0 for manual. */
  readonly factor: number;
  now(): number;
  /** Moves the clock forward to `time` (never backward). Throws on a real clock. */
  advanceTo(time: number): void;
  /** Real milliseconds until the clock reaches `time`; `Infinity` when only an explicit advance gets there. */
  realDelayUntil(time: number): number;
}

export class ClockNotMovableError extends Error {
  constructor() {
    super('the real clock cannot be moved: start mjsim with --clock manual or --clock 100x');
  }
}

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
  if (match && Number(match[1]) > 0) return { mode: 'scaled', factor: Number(match[1]) };
  return `invalid clock "${spec}": use real, manual, or a speed-up factor such as 100x`;
}

/**
 * Builds a clock. `startAt` continues a persisted time (manual and scaled clocks); `wallNow` is injectable
 * for tests of the clock itself.
 *
 * @example
 * const clock = createClock({ mode: 'manual', factor: 0 }, Date.parse('2026-01-01T00:00:00Z'));
 * clock.advanceTo(clock.now() + 30_000);
 */
export function createClock(spec: { mode: ClockMode; factor: number }, startAt?: number, wallNow: () => number = Date.now): Clock {
  switch (spec.mode) {
    case 'real':
      return {
        mode: 'real',
        factor: 1,
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
        now: () => current,
        advanceTo: (time) => {
          current = Math.max(current, Math.floor(time));
        },
        realDelayUntil: (time) => (time <= current ? 0 : Number.POSITIVE_INFINITY),
      };
    }
    case 'scaled': {
      const factor = spec.factor;
      let anchorClock = Math.floor(startAt ?? wallNow());
      let anchorWall = wallNow();
      const now = () => anchorClock + Math.floor((wallNow() - anchorWall) * factor);
      return {
        mode: 'scaled',
        factor,
        now,
        advanceTo: (time) => {
          const current = now();
          if (time <= current) return;
          anchorClock = Math.floor(time);
          anchorWall = wallNow();
        },
        realDelayUntil: (time) => Math.max(0, Math.ceil((time - now()) / factor)),
      };
    }
  }
}
