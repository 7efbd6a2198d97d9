import { isoTime } from './clock-range.js';

/**
 * What will happen to an event just emitted, said before it happens: which URL takes it, and when the POST
 * goes out on this clock. `mjsim emit` prints it instead of a bare "emitted", so a Version 2 URL on the
 * manual clock (nothing arrives until the clock moves) or a missing URL (the event is kept as suppressed)
 * is no surprise. Pure: the route, the times and the clock mode are passed in.
 */

/** Where routing would send the event now: an alive URL (primary or backup), or none. */
export type EmitRoute = { readonly callbackUrlId: number; readonly version: number; readonly isBackup: boolean } | null;

/** The prediction, as data and as one line for people. */
export interface EmitOutcome {
  /** `due`: POSTed on its own when due; `grouped`: joins a Version 2 group sent when its second closes; `suppressed`: no alive URL. */
  readonly outcome: 'due' | 'grouped' | 'suppressed';
  readonly callbackUrlId: number | null;
  readonly note: string;
}

/**
 * Predicts an emitted event's fate.
 *
 * @example
 * emitOutcome({ callbackUrlId: 1, version: 2, isBackup: false }, 0, 0, 'manual').note
 * // 'Version 2: advance 1s to close the group (URL #1)'
 * emitOutcome(null, 0, 0, 'manual').note // 'no alive URL: kept as suppressed'
 */
export function emitOutcome(route: EmitRoute, dueAt: number, now: number, clockMode: 'real' | 'manual' | 'scaled'): EmitOutcome {
  if (route === null) return { outcome: 'suppressed', callbackUrlId: null, note: 'no alive URL: kept as suppressed' };
  const where = `${route.isBackup ? 'backup ' : ''}URL #${route.callbackUrlId}`;
  const later = dueAt > now;
  if (route.version === 2) {
    // A group closes one second of clock time after its first event: on the manual clock, only an advance gets there.
    const note =
      clockMode !== 'manual'
        ? `Version 2: sent when its one-second group closes (${where})`
        : later
          ? `Version 2: sent when its group closes, 1s after ${isoTime(dueAt)}: advance the clock past it (${where})`
          : `Version 2: advance 1s to close the group (${where})`;
    return { outcome: 'grouped', callbackUrlId: route.callbackUrlId, note };
  }
  const when = !later ? 'now' : `at ${isoTime(dueAt)}${clockMode === 'manual' ? ': advance the clock to it' : ''}`;
  return { outcome: 'due', callbackUrlId: route.callbackUrlId, note: `delivered when due: ${when}, to ${where}` };
}
