import { describe, expect, it } from 'vitest';
import { minRetryDelay, safeHorizon, suspendingAttemptCount } from './advance-horizon.js';
import { RETRY_POLICIES, resolvePolicy, type RetryPolicy } from './retry-policy.js';

const base = { until: 7_200_000, earliestUnfinished: null, earliestLastAttempt: null, minRetryDelayMs: 30_000 };

describe('safeHorizon', () => {
  it('reaches the target when nothing is unfinished', () => {
    expect(safeHorizon(base)).toBe(7_200_000);
  });

  it('stays within one retry delay of the earliest unfinished work', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000 })).toBe(90_000);
    expect(safeHorizon({ ...base, earliestUnfinished: 7_190_000 })).toBe(7_200_000);
  });

  it('stops at an attempt that could suspend its URL', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, earliestLastAttempt: 70_000 })).toBe(70_000);
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, earliestLastAttempt: 60_000 })).toBe(60_000);
  });
});

describe('policy figures', () => {
  it('reads the shortest delay and the suspending attempt from the table', () => {
    expect(minRetryDelay(RETRY_POLICIES['mailjet-2017'] as RetryPolicy)).toBe(30_000);
    expect(minRetryDelay(RETRY_POLICIES['mailjet-2015'] as RetryPolicy)).toBe(600_000);
    expect(minRetryDelay(resolvePolicy('custom:1m*2,10s*3') as RetryPolicy)).toBe(10_000);
    expect(suspendingAttemptCount(RETRY_POLICIES['mailjet-2017'] as RetryPolicy)).toBe(20);
    expect(suspendingAttemptCount(RETRY_POLICIES['mailjet-2015'] as RetryPolicy)).toBeNull();
  });
});
