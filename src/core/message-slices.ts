/**
 * Where a read of an account's messages is cut (`GET /v3/REST/message`): row-ID ranges of a fixed size,
 * each split where filing has reached, and the index ranges of one slice in arrival order. A read walks
 * these one at a time with a pause between them, so however many messages there are, the event loop gets a
 * turn every few ms. Pure: bounds in, bounds out; the SQL and the walk are in db/message-slice-walk.ts.
 */

/** An account's lowest and highest message row IDs, both inclusive. */
export interface IdSpan {
  low: number;
  high: number;
}

/** A row-ID range from `low` (inclusive) to `high` (exclusive); `filed` when every row in it is filed. */
export interface IdRange {
  low: number;
  high: number;
  filed?: boolean;
}

/**
 * Ranges of `size` row IDs covering `span`, in walk order (highest first when `descending`). The first
 * starts at `span.low`, so the last may reach past `span.high`.
 *
 * @example
 * [...idRanges({ low: 1, high: 25 }, false, 10)]
 * // [{ low: 1, high: 11 }, { low: 11, high: 21 }, { low: 21, high: 31 }]
 */
export function* idRanges(span: IdSpan, descending: boolean, size: number): Generator<IdRange> {
  const count = Math.floor((span.high - span.low) / size) + 1;
  for (let i = 0; i < count; i++) {
    const low = span.low + (descending ? count - 1 - i : i) * size;
    yield { low, high: low + size };
  }
}

/**
 * `ranges` cut where filing has reached (row IDs up to `through` are filed): the part at or below it is
 * marked `filed`, the newest part is not. Filed parts can go by the filing indexes; the newest part, a few
 * thousand rows at most, is read row by row. In walk order: the newest part first when `descending`.
 *
 * @example
 * [...splitAtFiled([{ low: 1, high: 11 }], 4, false)]
 * // [{ low: 1, high: 5, filed: true }, { low: 5, high: 11 }]
 */
export function* splitAtFiled(ranges: Iterable<IdRange>, through: number, descending: boolean): Generator<IdRange> {
  for (const { low, high } of ranges) {
    const cut = Math.min(Math.max(through + 1, low), high);
    const filed = cut > low ? { low, high: cut, filed: true } : undefined;
    const newest = cut < high ? { low: cut, high } : undefined;
    for (const part of descending ? [newest, filed] : [filed, newest]) if (part) yield part;
  }
}

/** A key of the arrival index: many messages share one `at` (a manual clock that does not move), so the row ID breaks ties. */
export interface ArrivalKey {
  at: number;
  id: number;
}

/**
 * One index range of an arrival-order slice, "after" and "before" meaning in walk order (so reversed when
 * descending), `lo` the slice's exclusive start and `hi` its inclusive end:
 * - `all`: every message (the account has fewer than one slice);
 * - `atLoTimeAfterLo`: at `lo`'s time, after `lo`'s ID;
 * - `afterLoTime`: at any time after `lo`'s;
 * - `betweenTimes`: after `lo`'s time and before `hi`'s;
 * - `beforeHiTime`: at any time before `hi`'s;
 * - `atHiTimeUpToHi`: at `hi`'s time, up to and including `hi`'s ID;
 * - `atOneTimeBetween`: `lo` and `hi` share a time: at it, after `lo`'s ID and up to `hi`'s.
 */
export type ArrivalRange = 'all' | 'atLoTimeAfterLo' | 'afterLoTime' | 'betweenTimes' | 'beforeHiTime' | 'atHiTimeUpToHi' | 'atOneTimeBetween';

/**
 * The index ranges of the arrival-order slice after `lo` up to `hi`: up to three, since a slice's bounds are
 * (time, ID) keys. No `lo`: the walk's first slice; no `hi`: its last.
 *
 * @example
 * arrivalRanges({ at: 5, id: 9 }, { at: 8, id: 2 }) // ['atLoTimeAfterLo', 'betweenTimes', 'atHiTimeUpToHi']
 * arrivalRanges(undefined, undefined)              // ['all']
 */
export function arrivalRanges(lo: ArrivalKey | undefined, hi: ArrivalKey | undefined): ArrivalRange[] {
  if (!lo) return hi ? ['beforeHiTime', 'atHiTimeUpToHi'] : ['all'];
  if (!hi) return ['atLoTimeAfterLo', 'afterLoTime'];
  if (lo.at === hi.at) return ['atOneTimeBetween'];
  return ['atLoTimeAfterLo', 'betweenTimes', 'atHiTimeUpToHi'];
}
