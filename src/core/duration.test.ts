import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses what people write', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('29m59s')).toBe(1_799_000);
    expect(parseDuration('5h5m')).toBe(18_300_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration(1500)).toBe(1500);
  });

  it('rejects the rest', () => {
    for (const bad of ['', 'soon', '5x', '5h 5m', '-1s', '1s2', 'm5']) expect(parseDuration(bad)).toBeNull();
    expect(parseDuration(-5)).toBeNull();
    expect(parseDuration(Number.NaN)).toBeNull();
  });

  it('formats schedule offsets', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(2_100_000)).toBe('35min');
    expect(formatDuration(18_300_000)).toBe('5h 05min');
  });
});

describe('durations too long to be numbers', () => {
  it('are not durations', () => {
    expect(parseDuration('9'.repeat(400))).toBeNull();
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeNull();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeNull();
  });
});
