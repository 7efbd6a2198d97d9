/**
 * How the dashboard writes times and attempt results.
 */
import { isoTime } from '../../core/clock-range.js';
import { formatDuration } from '../../core/duration.js';

/** A clock time as `2026-01-01 05:05:00Z`. @example clockText(0) // '1970-01-01 00:00:00Z' */
export function clockText(ms: number | null): string {
  if (ms === null) return '—';
  if (Number.isNaN(new Date(ms).getTime())) return isoTime(ms);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms % 1000 ? iso.slice(19, 23) : ''}Z`;
}

/** An offset as `+5h 05min`. @example offsetText(30_000) // '+30s' */
export function offsetText(ms: number): string {
  return `+${formatDuration(ms)}`;
}

/**
 * An attempt's result in a few characters: the HTTP status, or the kind of failure.
 *
 * @example
 * resultText({ outcome: 'http-status', httpStatus: 500 }) // '500'
 * resultText({ outcome: 'timeout', httpStatus: null })     // 'timeout'
 */
export function resultText(attempt: { outcome: string | null; httpStatus: number | null }): string {
  if (attempt.outcome === null) return 'in flight';
  return attempt.httpStatus !== null ? String(attempt.httpStatus) : attempt.outcome;
}
