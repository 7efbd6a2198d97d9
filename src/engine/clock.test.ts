import { describe, expect, it } from 'vitest';
import { ClockNotMovableError, ClockRangeError, createClock, parseClockSpec } from './clock.js';

describe('clocks', () => {
  it('parses --clock', () => {
    expect(parseClockSpec('real')).toEqual({ mode: 'real', factor: 1 });
    expect(parseClockSpec('manual')).toEqual({ mode: 'manual', factor: 0 });
    expect(parseClockSpec('100x')).toEqual({ mode: 'scaled', factor: 100 });
    expect(parseClockSpec('0x')).toMatch(/invalid clock/);
    expect(parseClockSpec('fast')).toMatch(/invalid clock/);
  });

  it('manual: moves only when told, never backwards, and waits forever otherwise', () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, 1_000);
    expect(clock.now()).toBe(1_000);
    clock.advanceTo(31_000);
    clock.advanceTo(5_000);
    expect(clock.now()).toBe(31_000);
    expect(clock.realDelayUntil(40_000)).toBe(Number.POSITIVE_INFINITY);
    expect(clock.realDelayUntil(31_000)).toBe(0);
  });

  it('scaled: runs N times faster than the wall clock it is given, and continues a persisted time', () => {
    let wall = 500;
    const clock = createClock({ mode: 'scaled', factor: 100 }, 1_000_000, () => wall);
    wall += 10;
    expect(clock.now()).toBe(1_001_000);
    expect(clock.realDelayUntil(1_031_000)).toBe(300);
    clock.advanceTo(2_000_000);
    wall += 1;
    expect(clock.now()).toBe(2_000_100);
  });

  it('real: follows the wall clock and refuses to move', () => {
    const clock = createClock({ mode: 'real', factor: 1 }, undefined, () => 42);
    expect(clock.now()).toBe(42);
    expect(() => clock.advanceTo(100)).toThrow(ClockNotMovableError);
  });
});

describe('clock range', () => {
  it('refuses a factor above 1000000x', () => {
    expect(parseClockSpec('1000000x')).toEqual({ mode: 'scaled', factor: 1_000_000 });
    expect(parseClockSpec('1e300x')).toMatch(/invalid clock/);
    expect(parseClockSpec(`1${'0'.repeat(300)}x`)).toMatch(/at most 1000000x/);
  });

  it('manual: a move past the limit throws before the clock moves', () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, 1_000);
    expect(clock.limit).toBe(1_000 + 36_525 * 86_400_000);
    expect(() => clock.advanceTo(clock.limit + 1)).toThrow(ClockRangeError);
    expect(() => clock.advanceTo(1e300)).toThrow(/beyond the limit/);
    expect(clock.now()).toBe(1_000);
  });

  it('scaled: a long run stops at the limit instead of passing it', () => {
    let wall = 0;
    const clock = createClock({ mode: 'scaled', factor: 1_000_000 }, 1_000, () => wall);
    wall = 1e12; // about 32 years of real time at a million times speed
    expect(clock.now()).toBe(clock.limit);
    expect(clock.realDelayUntil(clock.limit + 1)).toBe(Number.POSITIVE_INFINITY);
  });
});
