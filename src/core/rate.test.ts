import { describe, expect, it } from 'vitest';
import { dueCount, parseRate } from './rate.js';

describe('rates', () => {
  it('parses what people write', () => {
    expect(parseRate('200/s')).toBe(200);
    expect(parseRate('600/m')).toBe(10);
    expect(parseRate('3600/h')).toBe(1);
    expect(parseRate('50')).toBe(50);
    for (const bad of ['', 'fast', '0/s', '-5/s', '10/d']) expect(parseRate(bad)).toBeNull();
  });

  it('paces a run', () => {
    expect(dueCount(200, 0, 12_000)).toBe(1);
    expect(dueCount(200, 1500, 12_000)).toBe(301);
    expect(dueCount(200, 120_000, 12_000)).toBe(12_000);
  });
});
