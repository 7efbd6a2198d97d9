/**
 * Durations as people write them: `30s`, `29m59s`, `5h5m`, `1d`, `250ms`, or a number of milliseconds.
 * Pure: no clock, no I/O.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Parses a duration into milliseconds, or returns `null` when the text is not one.
 *
 * @example
 * parseDuration('5h5m') // 18_300_000
 * parseDuration(1500)   // 1500
 */
export function parseDuration(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : null;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number.isFinite(Number(text)) ? Number(text) : null;
  if (text === '') return null;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed = PART.lastIndex;
  }
  return consumed === text.length && Number.isFinite(total) ? Math.round(total) : null;
}

/**
 * Writes milliseconds the way the schedule table in docs/delivery.md does.
 *
 * @example
 * formatDuration(18_300_000) // '5h 05min'
 * formatDuration(30_000)     // '30s'
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  const parts: string[] = [];
  if (h) parts.push(`${h}h`);
  if (m || (h && s)) parts.push(h ? `${String(m).padStart(2, '0')}min` : `${m}min`);
  if (s) parts.push(`${s}s`);
  if (rest) parts.push(`${rest}ms`);
  return parts.join(' ');
}
