import { describe, expect, it } from 'vitest';
import { ClaimGate, slowLaneSize, UrlSpeeds, type UrlSpeed } from './fair-share.js';

const gateOf = (speeds: Record<number, UrlSpeed>, inFlight: [number, number][] = [], concurrency = 8, perUrlLimit = 8) =>
  new ClaimGate({ concurrency, perUrlLimit, inFlightByUrl: new Map(inFlight), speedOf: (id) => speeds[id] ?? 'unknown' });

/** Takes slots for `id` until the gate says no; returns how many. */
function fill(gate: ClaimGate, id: number): number {
  let n = 0;
  while (gate.admits(id)) {
    gate.take(id);
    n += 1;
  }
  return n;
}

describe('UrlSpeeds', () => {
  it('fast when the last attempt ended, other than by timeout, within half the timeout', () => {
    const speeds = new UrlSpeeds(10_000);
    expect(speeds.speedOf(1)).toBe('unknown');
    speeds.record(1, { timedOut: false, latencyMs: 4_999 });
    expect(speeds.speedOf(1)).toBe('fast');
    speeds.record(1, { timedOut: false, latencyMs: 5_000 });
    expect(speeds.speedOf(1)).toBe('slow');
    speeds.record(1, { timedOut: true, latencyMs: 3 });
    expect(speeds.speedOf(1)).toBe('slow');
    speeds.record(1, { timedOut: false, latencyMs: 3 });
    expect(speeds.speedOf(1)).toBe('fast');
  });
});

describe('ClaimGate', () => {
  it('slow URLs share half the pool; a fast URL still gets the rest', () => {
    expect(slowLaneSize(128)).toBe(64);
    expect(slowLaneSize(1)).toBe(1);
    const gate = gateOf({ 1: 'slow', 2: 'slow', 3: 'fast' });
    expect(fill(gate, 1) + fill(gate, 2)).toBe(4);
    expect(fill(gate, 3)).toBe(8);
  });

  it('while several URLs hold lane slots, each gets at most an equal part of the lane', () => {
    const gate = gateOf({ 1: 'slow', 2: 'slow', 3: 'slow' }, [[1, 2], [2, 1]], 16, 16);
    expect(fill(gate, 1)).toBe(2); // a lane of 8, two holders: up to 4 each
    expect(fill(gate, 3)).toBe(3); // a third joins: up to ceil(8 / 3) = 3 each
    expect(fill(gate, 2)).toBe(0); // the lane is full (4 + 1 + 3)
    const alone = gateOf({ 1: 'slow' }, [], 16, 16);
    expect(fill(alone, 1)).toBe(8); // alone, a URL may use the whole lane
  });

  it('counts what is already in flight', () => {
    const gate = gateOf({ 1: 'slow', 2: 'slow' }, [[1, 4]]);
    expect(gate.admits(2)).toBe(false);
  });

  it('an unknown URL gets a first slot outside the lane, then shares the lane', () => {
    const gate = gateOf({ 1: 'slow' }, [[1, 4]]);
    expect(fill(gate, 2)).toBe(1);
    const fresh = gateOf({});
    expect(fill(fresh, 5)).toBe(5); // 1 probe + 4 lane slots
    expect(fill(fresh, 6)).toBe(1); // its probe
  });

  it('keeps the per-URL limit for fast URLs', () => {
    expect(fill(gateOf({ 1: 'fast' }, [], 128, 32), 1)).toBe(32);
  });
});
