/**
 * The slice walk under `GET /v3/REST/message`: an account's messages as pieces of at most `SLICE` rows, each
 * one index range as SQL on `m`, walked with a pause between pieces so a read of any size gives the event
 * loop a turn every few ms. Row-ID slices go by the account's ID span, cut where filing has reached;
 * arrival-order slices find their (time, ID) bounds in `messages_arrived` as the walk goes. Where the cuts
 * fall is pure (core/message-slices.ts); this file turns them into SQL. message-listing.ts reads the pieces.
 */
import { arrivalRanges, idRanges, splitAtFiled, type ArrivalKey, type ArrivalRange, type IdSpan } from '../core/message-slices.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

/**
 * How many message rows one slice of a read may visit. A slice is one index range, so even a part that no
 * index fits costs at most this many row reads (a few ms) before the event loop gets a turn.
 */
export const SLICE = 20_000;

/** A piece of a walk: one index range as SQL on `m`, with its parameters; `filed` when all its rows are. */
export interface Slice {
  sql: string;
  params: Record<string, number>;
  filed?: boolean;
}

/**
 * The account's lowest and highest message row IDs (one probe each), or undefined when it has none.
 *
 * @example
 * idSpan(db, accountId) // { low: 1, high: 41_000 }
 */
export function idSpan(db: Db, accountId: number): IdSpan | undefined {
  // Two subqueries: SQLite seeks the index for a lone min() or max(), but walks the range for both at once.
  const row = statement(
    db,
    'select (select min(id) from messages where account_id = @a) as low, (select max(id) from messages where account_id = @a) as high',
  ).get({ a: accountId }) as { low: number | null; high: number | null };
  return row.low === null || row.high === null ? undefined : { low: row.low, high: row.high };
}

/**
 * Row-ID slices of `size` over `span` in walk order, each cut where filing has reached (`through`, the
 * highest filed row ID; 0 cuts nothing): the part at or below it is `filed`.
 *
 * @example
 * for (const piece of idSlices(span, false, SLICE, filedThrough(db))) count(`… where ${piece.sql}`, piece.params)
 */
export function* idSlices(span: IdSpan, descending: boolean, size: number, through: number): Generator<Slice> {
  for (const { low, high, filed } of splitAtFiled(idRanges(span, descending, size), through, descending)) {
    const piece: Slice = { sql: 'm.id >= @sliceLow and m.id < @sliceHigh', params: { sliceLow: low, sliceHigh: high } };
    yield filed ? { ...piece, filed } : piece;
  }
}

/**
 * Slices of about `size` messages in (arrived_at, id) order, each up to three ranges of `messages_arrived`
 * (see `arrivalRanges`). Each slice's upper bound is found when the walk reaches it, one or two index seeks.
 *
 * @example
 * for (const piece of arrivedSlices(db, accountId, true, SLICE)) read(`… where ${piece.sql}`, piece.params)
 */
export function* arrivedSlices(db: Db, accountId: number, descending: boolean, size: number): Generator<Slice> {
  const [after, before, dir] = descending ? ['<', '>', 'desc'] : ['>', '<', 'asc'];
  const boundary = (sql: string) =>
    statement(db, `select arrived_at as at, id from messages m indexed by messages_arrived where m.account_id = @accountId and ${sql} order by m.arrived_at ${dir}, m.id ${dir} limit 1 offset @skip`);
  const countIn = (sql: string) => statement(db, `select count(*) as n from messages m indexed by messages_arrived where m.account_id = @accountId and ${sql}`);
  const sqlOf: Record<ArrivalRange, string> = {
    all: '1',
    atLoTimeAfterLo: `m.arrived_at = @loAt and m.id ${after} @loId`,
    afterLoTime: `m.arrived_at ${after} @loAt`,
    betweenTimes: `m.arrived_at ${after} @loAt and m.arrived_at ${before} @hiAt`,
    beforeHiTime: `m.arrived_at ${before} @hiAt`,
    atHiTimeUpToHi: `m.arrived_at = @hiAt and m.id ${before}= @hiId`,
    atOneTimeBetween: `m.arrived_at = @loAt and m.id ${after} @loId and m.id ${before}= @hiId`,
  };
  let lo: ArrivalKey | undefined;
  for (;;) {
    const base = { accountId, skip: size - 1, loAt: lo?.at ?? 0, loId: lo?.id ?? 0 };
    let hi: ArrivalKey | undefined;
    if (!lo) hi = boundary(sqlOf.all).get(base) as typeof hi;
    else {
      // The bound is `size` keys on: still at lo's time, or as many keys into later times as that time lacks.
      hi = boundary(sqlOf.atLoTimeAfterLo).get(base) as typeof hi;
      if (!hi) {
        const rest = (countIn(sqlOf.atLoTimeAfterLo).get(base) as { n: number }).n;
        hi = boundary(sqlOf.afterLoTime).get({ ...base, skip: size - 1 - rest }) as typeof hi;
      }
    }
    const params = { loAt: lo?.at ?? 0, loId: lo?.id ?? 0, hiAt: hi?.at ?? 0, hiId: hi?.id ?? 0 };
    for (const range of arrivalRanges(lo, hi)) yield { sql: sqlOf[range], params };
    if (!hi) return;
    lo = hi;
  }
}

/**
 * `pieces` one at a time, awaiting `pause` before each but the first so other work runs between them.
 *
 * @example
 * for await (const piece of paced(idSlices(span, false, SLICE, 0), nextTurn)) total += count(piece)
 */
export async function* paced<T>(pieces: Iterable<T>, pause: () => Promise<void>): AsyncGenerator<T> {
  let first = true;
  for (const piece of pieces) {
    if (!first) await pause();
    first = false;
    yield piece;
  }
}

/** The default pause: one turn of the event loop (`setImmediate`), so due timers and I/O run first. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
