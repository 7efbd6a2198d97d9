/**
 * What will happen to events just emitted, per event type: which URL routing picks now and when the POST
 * goes out on this clock (`core/emit-outcome.ts` words it). `POST /sim/events` answers it and `mjsim emit`
 * and the dashboard's emit button print it.
 */
import { emitOutcome, type EmitOutcome } from '../core/emit-outcome.js';
import type { Clock } from '../engine/clock.js';
import { resolveTarget } from '../engine/router.js';
import type { Db } from '../db/open-db.js';

/**
 * One prediction per event type of `inputs`, due at the earliest `time` given (in Unix seconds), else now.
 *
 * @example
 * emitOutcomes(db, clock, accountId, [{ type: 'bounce', fields: {} }])
 * // [{ eventType: 'bounce', outcome: 'suppressed', callbackUrlId: null, note: 'no alive URL: kept as suppressed' }]
 */
export function emitOutcomes(
  db: Db,
  clock: Clock,
  accountId: number,
  inputs: readonly { type: string; fields: Readonly<Record<string, unknown>> }[],
): (EmitOutcome & { eventType: string })[] {
  const now = clock.now();
  const dueAt = new Map<string, number>();
  for (const { type, fields } of inputs) {
    const time = typeof fields.time === 'number' || typeof fields.time === 'bigint' ? Number(fields.time) * 1000 : now;
    dueAt.set(type, Math.min(dueAt.get(type) ?? time, time));
  }
  return [...dueAt].map(([eventType, at]) => {
    const target = resolveTarget(db, accountId, eventType);
    const route = target ? { callbackUrlId: target.id, version: target.version, isBackup: target.isBackup } : null;
    return { eventType, ...emitOutcome(route, at, now, clock.mode) };
  });
}
