import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, readDuration, readTime, readTimeOrAgo } from './duration.js';

describe('durations', () => {
  it('parses what people write', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('29m59s')).toBe(1_799_000);
    expect(parseDuration('5h5m')).toBe(18_300_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(readDuration(0)).toBe(0);
  });

  it('rejects the rest', () => {
    for (const bad of ['', 'soon', '5x', '5h 5m', '-1s', '1s2', 'm5', '1500', '-5']) expect(parseDuration(bad)).toBeNull();
    for (const bad of [-5, Number.NaN, 1500, null, undefined, true, {}]) expect(typeof readDuration(bad)).toBe('string');
  });

  it('refuses a bare number with the units to add', () => {
    expect(readDuration('7')).toBe('7: add a unit, e.g. 7s, 7m, 7d');
    expect(readDuration(7)).toBe('7: add a unit, e.g. 7s, 7m, 7d');
    expect(readDuration('soon')).toMatch(/^"soon" is not a duration: write a number with a unit/);
  });

  it('formats schedule offsets', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(2_100_000)).toBe('35min');
    expect(formatDuration(18_300_000)).toBe('5h 05min');
  });
});

describe('times', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  it('reads ISO times and Dates, never numbers', () => {
    expect(readTime('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(readTime(new Date(5))).toBe(5);
    expect(readTime(1767225600000)).toMatch(/^1767225600000: a time is an ISO 8601 time/);
    expect(readTime('1767225600000')).toMatch(/not a number$/);
    expect(readTime('2026')).toMatch(/not a number$/);
    expect(readTime('tomorrow')).toMatch(/is not a time/);
    expect(readTime('2026-13-45')).toMatch(/is not a time/);
  });

  it('reads a time in the past as a time or a duration ago', () => {
    expect(readTimeOrAgo('7d', now)).toBe(now - 7 * 86_400_000);
    expect(readTimeOrAgo('0', now)).toBe(now);
    expect(readTimeOrAgo('2026-01-01T00:00:00Z', now)).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(readTimeOrAgo('7', now)).toMatch(/^7: add a unit, e\.g\. 7s, 7m, 7d/);
    expect(readTimeOrAgo(7, now)).toMatch(/^7: add a unit, e\.g\. 7s, 7m, 7d/);
    expect(readTimeOrAgo('last week', now)).toMatch(/neither a time nor a duration/);
  });
});

describe('durations too long to be numbers', () => {
  it('are not durations', () => {
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeNull();
    expect(typeof readDuration(Number.POSITIVE_INFINITY)).toBe('string');
  });
});
