/**
 * Durations and times as people write them, read the same way by every door (CLI flags, MJSIM_* variables,
 * `/sim` fields, library options, scenario files, custom policies). A duration is numbers with units: `30s`,
 * `29m59s`, `5h5m`, `1.5h`, `1d`, `250ms`. A bare number (`7`, `"7"`) is refused, because `7` read as
 * milliseconds once pruned a user's whole history; only `0`, the same in every unit, needs none. A time is
 * an ISO 8601 time; where a time in the past is wanted it may also be a duration ago (`7d`). The door maps
 * the problem text into its own envelope (exit 2, a 400, a thrown error). Pure: no clock, no I/O.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
/** A number without a unit (signed ones are not durations at all). */
const BARE_NUMBER = /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
/** The start of an ISO 8601 date: what tells a time from a duration. */
const ISO_DATE = /^[+-]?\d{4,6}-\d\d-\d\d/;

/** Why a bare number is refused, with its units: the one message every door shows. */
const addUnit = (text: string) => `${text}: add a unit, e.g. ${text}s, ${text}m, ${text}d`;
const notDuration = (text: string) => `${JSON.stringify(text)} is not a duration: write a number with a unit (ms, s, m, h, d), e.g. 30s, 5m, 1h30m, 7d`;

/** The text of an input as the user wrote it (a JSON number keeps its digits). */
const asText = (input: unknown): string => (typeof input === 'string' ? input.trim() : typeof input === 'number' ? String(input) : JSON.stringify(input) ?? String(input));

/**
 * Reads a duration: its milliseconds, or the problem as text (`"7: add a unit, e.g. 7s, 7m, 7d"`).
 *
 * @example
 * readDuration('5h5m') // 18_300_000
 * readDuration('0')    // 0
 * readDuration(7)      // '7: add a unit, e.g. 7s, 7m, 7d'
 */
export function readDuration(input: unknown): number | string {
  const text = asText(input);
  if (typeof input !== 'string' && typeof input !== 'number') return notDuration(text);
  if (BARE_NUMBER.test(text)) return Number(text) === 0 ? 0 : addUnit(text);
  if (text === '') return notDuration(text);
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed = PART.lastIndex;
  }
  return consumed === text.length && Number.isFinite(total) ? Math.round(total) : notDuration(text);
}

/**
 * Parses a duration into milliseconds, or returns `null` when the text is not one (a bare number is not:
 * see `readDuration` for why, and for the message to show).
 *
 * @example
 * parseDuration('5h5m') // 18_300_000
 * parseDuration('1500') // null: 1500 what?
 */
export function parseDuration(input: string): number | null {
  const ms = readDuration(input);
  return typeof ms === 'number' ? ms : null;
}

/**
 * True when `text` starts as an ISO 8601 date does: what tells a time from a duration where either may come.
 *
 * @example
 * looksLikeTime('2026-01-01T06:00:00Z') // true
 * looksLikeTime('5h5m')                 // false
 */
export function looksLikeTime(text: string): boolean {
  return ISO_DATE.test(text.trim());
}

/**
 * Reads a point in time: an ISO 8601 time (or a `Date`, from the library) as epoch milliseconds, or the
 * problem as text. Epoch milliseconds are refused: a bare number's unit and origin are a guess.
 *
 * @example
 * readTime('2026-01-01T00:00:00Z') // 1_767_225_600_000
 * readTime(1767225600000)          // '1767225600000: a time is an ISO 8601 time such as 2026-01-01T00:00:00Z, not a number'
 */
export function readTime(input: unknown): number | string {
  if (input instanceof Date) return Number.isFinite(input.getTime()) ? input.getTime() : 'an invalid Date is not a time';
  const text = asText(input);
  if ((typeof input === 'number' || typeof input === 'string') && BARE_NUMBER.test(text)) {
    return `${text}: a time is an ISO 8601 time such as 2026-01-01T00:00:00Z, not a number`;
  }
  const ms = typeof input === 'string' && ISO_DATE.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : `${JSON.stringify(typeof input === 'string' ? text : input) ?? text} is not a time: write an ISO 8601 time such as 2026-01-01T00:00:00Z`;
}

/**
 * Reads a time in the past: an ISO 8601 time (or a `Date`), or a duration meaning that long before `now`.
 * A bare number is refused as in `readDuration`.
 *
 * @example
 * readTimeOrAgo('7d', now)                   // now - 604_800_000
 * readTimeOrAgo('2026-01-01T00:00:00Z', now) // 1_767_225_600_000
 * readTimeOrAgo('7', now)                    // '7: add a unit, e.g. 7s, 7m, 7d (that long ago), or give an ISO time'
 */
export function readTimeOrAgo(input: unknown, now: number): number | string {
  if (input instanceof Date || (typeof input === 'string' && looksLikeTime(input))) return readTime(input);
  const text = asText(input);
  if ((typeof input === 'number' || typeof input === 'string') && BARE_NUMBER.test(text) && Number(text) !== 0) {
    return `${addUnit(text)} (that long ago), or give an ISO time such as 2026-01-01T00:00:00Z`;
  }
  const age = readDuration(input);
  if (typeof age === 'number') return now - age;
  return `${JSON.stringify(typeof input === 'string' ? text : input) ?? text} is neither a time nor a duration: write an ISO 8601 time such as 2026-01-01T00:00:00Z or a duration ago such as 7d`;
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

/**
 * Writes milliseconds in the grammar `readDuration` reads back, largest units first.
 *
 * @example
 * compactDuration(5_400_000) // '1h30m'
 * compactDuration(250)       // '250ms'
 */
export function compactDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
