import { describe, expect, it } from 'vitest';
import { deliveryTimeline, type TimelineAttempt } from './delivery-timeline.js';
import { RETRY_POLICIES } from './retry-policy.js';

const policy = RETRY_POLICIES['mailjet-2017']!;
const failed = (number: number, startedAt: number): TimelineAttempt => ({ number, startedAt, endedAt: startedAt + 5, outcome: 'http-status', httpStatus: 500, latencyMs: 5 });

describe('deliveryTimeline', () => {
  it('shows every slot of mailjet-2017 for a waiting delivery: past attempts, the next one, and the planned rest', () => {
    const timeline = deliveryTimeline(policy, { status: 'pending', attemptCount: 2, nextAttemptAt: 60_000 }, [failed(1, 0), failed(2, 30_000)]);
    expect(timeline.totalSlots).toBe(21);
    expect(timeline.slots).toHaveLength(21);
    expect(timeline.slots.map((slot) => slot.state)).toEqual(['failed', 'failed', 'next', ...Array(18).fill('planned')]);
    expect(timeline.slots[2]!.at).toBe(60_000);
    expect(timeline.slots[11]!.at).toBe(300_000 + 1_800_000); // the first 30-minute retry
    expect(timeline.slots[20]!.at).toBe(18_300_000);
    expect(timeline.slots[0]!.attempts[0]!.httpStatus).toBe(500);
  });

  it('marks the slots after a success unused, and keeps an interrupted attempt in the slot it is retried in', () => {
    const interrupted: TimelineAttempt = { number: 1, startedAt: 0, endedAt: 100, outcome: 'interrupted', httpStatus: null, latencyMs: null };
    const success: TimelineAttempt = { number: 1, startedAt: 200, endedAt: 210, outcome: 'success', httpStatus: 200, latencyMs: 10 };
    const timeline = deliveryTimeline(policy, { status: 'delivered', attemptCount: 1, nextAttemptAt: null }, [interrupted, success]);
    expect(timeline.slots[0]).toMatchObject({ state: 'success', at: 200, attempts: [interrupted, success] });
    expect(timeline.slots.slice(1).every((slot) => slot.state === 'unused' && slot.at === null)).toBe(true);
  });

  it('shows an in-flight attempt and, for long policies, a window around the current slot', () => {
    const inFlight: TimelineAttempt = { number: 1, startedAt: 0, endedAt: null, outcome: null, httpStatus: null, latencyMs: null };
    expect(deliveryTimeline(policy, { status: 'in_flight', attemptCount: 0, nextAttemptAt: 0 }, [inFlight]).slots[0]!.state).toBe('in-flight');
    const long = deliveryTimeline(RETRY_POLICIES['mailjet-current']!, { status: 'pending', attemptCount: 100, nextAttemptAt: 3_000_000 }, [], 10);
    expect(long.totalSlots).toBe(2881);
    expect(long.slots.map((slot) => slot.number)).toEqual([96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
    expect(long.hiddenBefore).toBe(95);
    expect(long.hiddenAfter).toBe(2881 - 105);
    expect(long.slots.find((slot) => slot.state === 'next')?.number).toBe(101);
  });
});
