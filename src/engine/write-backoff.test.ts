import { describe, expect, it } from 'vitest';
import { FIRST_WAIT_MS, MAX_WAIT_MS, WriteBackoff } from './write-backoff.js';

describe('WriteBackoff', () => {
  it('doubles from the first wait up to the ceiling, and starts over after a success', () => {
    const backoff = new WriteBackoff();
    expect(backoff.waiting).toBe(false);
    const waits = Array.from({ length: 8 }, () => backoff.failed());
    expect(waits).toEqual([FIRST_WAIT_MS, 200, 400, 800, 1_600, 3_200, MAX_WAIT_MS, MAX_WAIT_MS]);
    expect(backoff.waiting).toBe(true);
    backoff.succeeded();
    expect(backoff.waiting).toBe(false);
    expect(backoff.failed()).toBe(FIRST_WAIT_MS);
  });
});
