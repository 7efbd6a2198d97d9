/**
 * How far the simulator clock may go. A clock time is stored, scheduled against and rendered as an ISO
 * date, so it must stay well inside JavaScript's date range (±8.64e15 ms), and no test needs more than a
 * century. Pure: no clock, no I/O.
 *
 * - The **start** is the clock's time when the database was first opened (`clock_start` in `sim_state`),
 *   or the time `mjsim clock set` wrote.
 * - The **limit** is 100 years (of 365.25 days) past the start, and never later than 9999-12-31T23:59:59.999Z.
 * - Every time is at or after 1970-01-01T00:00:00Z: Mailjet's `time` field is Unix seconds.
 */

/** 100 years of 365.25 days, in milliseconds. */
export const CLOCK_SPAN_MS = 36_525 * 86_400_000;

/** The earliest clock time: the Unix epoch. */
export const EARLIEST_TIME_MS = 0;

/** The latest clock time: the last millisecond of year 9999, so ISO dates keep four-digit years. */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The latest time a clock that started at `start` may reach.
 *
 * @example
 * new Date(clockLimit(Date.parse('2026-01-01T00:00:00Z'))).toISOString() // '2126-01-02T00:00:00.000Z'
 */
export function clockLimit(start: number): number {
  return Math.min(start + CLOCK_SPAN_MS, LATEST_TIME_MS);
}

/**
 * Why `time` cannot be a clock's start (or a stored clock time), or `null` when it can.
 *
 * @example
 * timeOutOfRange(-1) // 'the time 1969-12-31T23:59:59.999Z is outside 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z'
 */
export function timeOutOfRange(time: number): string | null {
  if (Number.isInteger(time) && time >= EARLIEST_TIME_MS && time <= LATEST_TIME_MS) return null;
  return `the time ${describeTime(time)} is outside ${isoTime(EARLIEST_TIME_MS)} to ${isoTime(LATEST_TIME_MS)}`;
}

/**
 * Why the clock that started at `start` cannot move to `target`, or `null` when it can. The message names
 * the limit.
 *
 * @example
 * targetBeyondLimit(Date.parse('2026-01-01T00:00:00Z'), 1e300)
 * // 'Clock target 1e+300 ms is beyond the limit 2126-01-02T00:00:00.000Z (100 years past the clock\'s start, 2026-01-01T00:00:00.000Z)'
 */
export function targetBeyondLimit(start: number, target: number): string | null {
  const limit = clockLimit(start);
  if (Number.isFinite(target) && target <= limit) return null;
  return `Clock target ${describeTime(target)} is beyond the limit ${isoTime(limit)} (100 years past the clock's start, ${isoTime(start)})`;
}

/**
 * `toISOString` that never throws: a time outside JavaScript's date range is written as milliseconds.
 *
 * @example
 * isoTime(0)     // '1970-01-01T00:00:00.000Z'
 * isoTime(1e300) // 'invalid time (1e+300 ms)'
 */
export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `invalid time (${ms} ms)` : date.toISOString();
}

/** An ISO date when representable, else the raw milliseconds. */
function describeTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
