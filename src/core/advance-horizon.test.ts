import { describe, expect, it } from 'vitest';
import { safeHorizon, suspendingAttemptCount, suspensionReach } from './advance-horizon.js';
import { RETRY_POLICIES, resolvePolicy, type RetryPolicy } from './retry-policy.js';

const base = { until: 7_200_000, earliestUnfinished: null, earliestLastInFlight: null, earliestLastPending: null, suspensionReachMs: 1_800_000 };

describe('safeHorizon', () => {
  it('reaches the target when nothing is unfinished', () => {
    expect(safeHorizon(base)).toBe(7_200_000);
  });

  it('stays within the shortest way to a suspension of the earliest unfinished work', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000 })).toBe(1_860_000);
    expect(safeHorizon({ ...base, earliestUnfinished: 7_000_000 })).toBe(7_200_000);
  });

  it('stops at an attempt in flight that could suspend its URL', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, earliestLastInFlight: 70_000 })).toBe(70_000);
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, earliestLastInFlight: 60_000 })).toBe(60_000);
  });

  it('claims a pending last attempt only once all earlier work is done', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, earliestLastPending: 70_000 })).toBe(69_999);
    expect(safeHorizon({ ...base, earliestUnfinished: 70_000, earliestLastPending: 70_000 })).toBe(70_000);
  });

  it('sets no horizon but the target for a policy that gives up', () => {
    expect(safeHorizon({ ...base, earliestUnfinished: 60_000, suspensionReachMs: null })).toBe(7_200_000);
  });
});

describe('policy figures', () => {
  it('reads the delay before the last attempt and the suspending attempt from the table', () => {
    expect(suspensionReach(RETRY_POLICIES['mailjet-2017'] as RetryPolicy)).toBe(1_800_000);
    expect(suspensionReach(RETRY_POLICIES['mailjet-2015'] as RetryPolicy)).toBeNull();
    expect(suspensionReach(resolvePolicy('custom:1m*2,10s*3') as RetryPolicy)).toBe(10_000);
    expect(suspendingAttemptCount(RETRY_POLICIES['mailjet-2017'] as RetryPolicy)).toBe(20);
    expect(suspendingAttemptCount(RETRY_POLICIES['mailjet-2015'] as RetryPolicy)).toBeNull();
  });
});
