import { describe, expect, it } from 'vitest';
import { emitOutcome } from './emit-outcome.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const v1 = { callbackUrlId: 1, version: 1, isBackup: false };
const v2 = { callbackUrlId: 4, version: 2, isBackup: false };

describe('emitOutcome', () => {
  it('says a Version 1 event is delivered when due, now or at its time', () => {
    expect(emitOutcome(v1, T, T, 'manual')).toEqual({ outcome: 'due', callbackUrlId: 1, note: 'delivered when due: now, to URL #1' });
    expect(emitOutcome(v1, T + 60_000, T, 'manual').note).toBe('delivered when due: at 2026-01-01T00:01:00.000Z: advance the clock to it, to URL #1');
    expect(emitOutcome(v1, T + 60_000, T, 'real').note).toBe('delivered when due: at 2026-01-01T00:01:00.000Z, to URL #1');
    expect(emitOutcome({ ...v1, isBackup: true }, T, T, 'real').note).toBe('delivered when due: now, to backup URL #1');
  });

  it('says a Version 2 event waits for its group, and on the manual clock that the clock must move', () => {
    expect(emitOutcome(v2, T, T, 'manual')).toEqual({ outcome: 'grouped', callbackUrlId: 4, note: 'Version 2: advance 1s to close the group (URL #4)' });
    expect(emitOutcome(v2, T, T, 'scaled').note).toBe('Version 2: sent when its one-second group closes (URL #4)');
    expect(emitOutcome(v2, T + 5_000, T, 'manual').note).toBe('Version 2: sent when its group closes, 1s after 2026-01-01T00:00:05.000Z: advance the clock past it (URL #4)');
  });

  it('says an event no URL takes is kept as suppressed', () => {
    expect(emitOutcome(null, T, T, 'real')).toEqual({ outcome: 'suppressed', callbackUrlId: null, note: 'no alive URL: kept as suppressed' });
  });
});
