/**
 * The clock's persisted time and start (`clock_now`, `clock_start` in `sim_state`): checked when mjsim
 * starts, and set offline by `mjsim clock set` — the way out for a database whose clock is out of range.
 */
import { existsSync } from 'node:fs';
import { createClock, ClockRangeError, type Clock, type ClockMode } from './clock.js';
import { clockLimit, EARLIEST_TIME_MS, isoTime, LATEST_TIME_MS, timeOutOfRange } from '../core/clock-range.js';
import { lockDatabase } from '../db/db-lock.js';
import { openDb, type Db } from '../db/open-db.js';
import { readState, writeState } from '../db/sim-state.js';

/** A database whose stored clock mjsim cannot continue; the message says how to fix it. */
export class StoredClockError extends Error {}

/**
 * Builds the clock from what the database holds (a fresh database starts at `clockStart`, default now) and
 * records the clock's start the first time. Throws `StoredClockError` for a stored time out of range, and
 * `ClockRangeError` for a `clockStart` out of range.
 *
 * @example
 * const clock = restoreClock(db, { mode: 'manual', factor: 0 }, '.mjsim/mjsim.db');
 */
export function restoreClock(db: Db, spec: { mode: ClockMode; factor: number }, dbPath: string, clockStart?: number): Clock {
  const stored = readStoredTime(db, 'clock_now', dbPath);
  const storedStart = readStoredTime(db, 'clock_start', dbPath);
  if (stored === undefined && clockStart !== undefined) {
    const problem = timeOutOfRange(clockStart);
    if (problem) throw new ClockRangeError(`The clock cannot start there: ${problem}`);
  }
  const start = storedStart ?? stored ?? clockStart ?? Date.now();
  if (stored !== undefined && stored > clockLimit(start)) {
    throw storedClockError(dbPath, `its clock (${isoTime(stored)}) is past the limit ${isoTime(clockLimit(start))}, 100 years after its start ${isoTime(start)}`);
  }
  const clock = createClock(spec, stored ?? clockStart, Date.now, start);
  if (storedStart === undefined) writeState(db, 'clock_start', String(clock.start));
  return clock;
}

/**
 * Sets a database's clock (and its start, so the 100-year range begins there). Run it with mjsim stopped:
 * while a server holds the database it throws `DatabaseInUseError` (the server would overwrite the change).
 *
 * @example
 * setStoredClock('.mjsim/mjsim.db', Date.parse('2026-01-01T00:00:00Z'));
 */
export function setStoredClock(dbPath: string, time: number): void {
  const problem = timeOutOfRange(time);
  if (problem) throw new ClockRangeError(`Cannot set the clock: ${problem}`);
  if (dbPath === ':memory:' || !existsSync(dbPath)) throw new StoredClockError(`no database at ${dbPath}`);
  const lock = lockDatabase(dbPath, 'clock set');
  try {
    const db = openDb(dbPath);
    try {
      writeState(db, 'clock_now', String(time));
      writeState(db, 'clock_start', String(time));
    } finally {
      db.$client.close();
    }
  } finally {
    lock.release();
  }
}

function readStoredTime(db: Db, key: 'clock_now' | 'clock_start', dbPath: string): number | undefined {
  const text = readState(db, key);
  if (text === undefined) return undefined;
  const time = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (timeOutOfRange(time)) {
    throw storedClockError(dbPath, `its stored ${key} "${text.slice(0, 40)}" is not a time from ${isoTime(EARLIEST_TIME_MS)} to ${isoTime(LATEST_TIME_MS)}`);
  }
  return time;
}

function storedClockError(dbPath: string, why: string): StoredClockError {
  return new StoredClockError(
    `the database ${dbPath} cannot be used: ${why}. ` +
      `Set its clock back with mjsim stopped, e.g.: mjsim clock set --db ${dbPath} ${new Date().toISOString().slice(0, 10)}T00:00:00Z`,
  );
}
