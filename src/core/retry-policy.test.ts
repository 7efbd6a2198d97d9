import { describe, expect, it } from 'vitest';
import { maxAttempts, nextAttemptAt, policyShortForm, resolvePolicy, retryDelay, RETRY_POLICIES, scheduleOffsets, scheduleTable } from './retry-policy.js';

const policy = RETRY_POLICIES['mailjet-2017']!;
const S = 1000;
const MIN = 60 * S;

describe('mailjet-2017', () => {
  it('pins the whole schedule: 21 attempts, 10 × 30 s then 10 × 30 min, the last 5 h 05 min after the first', () => {
    expect(scheduleOffsets(policy)).toEqual([
      0, 30 * S, 60 * S, 90 * S, 120 * S, 150 * S, 180 * S, 210 * S, 240 * S, 270 * S, 300 * S,
      35 * MIN, 65 * MIN, 95 * MIN, 125 * MIN, 155 * MIN, 185 * MIN, 215 * MIN, 245 * MIN, 275 * MIN, 305 * MIN,
    ]);
    expect(maxAttempts(policy)).toBe(21);
    expect(policy.onExhausted).toBe('suspend');
  });

  it('schedules each retry from the previous attempt’s scheduled time, never in the past', () => {
    expect(nextAttemptAt(policy, 1, 1_000, 1_000)).toBe(31_000);
    expect(nextAttemptAt(policy, 11, 300_000, 300_500)).toBe(300_000 + 30 * MIN);
    expect(nextAttemptAt(policy, 2, 0, 99_000)).toBe(99_000);
    expect(nextAttemptAt(policy, 21, 0, 0)).toBeNull();
  });

  it('prints the README table', () => {
    const table = scheduleTable(policy);
    expect(table.split('\n')).toHaveLength(23);
    expect(table).toContain('| 21 | 5h 05min | 30min |');
    expect(table).toContain('| 12 | 35min | 30min |');
  });
});

describe('other presets and custom tables', () => {
  it('mailjet-2015: 10 retries 10 min apart, then give up', () => {
    const p = RETRY_POLICIES['mailjet-2015']!;
    expect(maxAttempts(p)).toBe(11);
    expect(retryDelay(p, 2)).toBe(10 * MIN);
    expect(p.onExhausted).toBe('give-up');
  });

  it('mailjet-current: every 30 s until 24 h after the first failure', () => {
    const p = RETRY_POLICIES['mailjet-current']!;
    expect(scheduleOffsets(p).at(-1)).toBe(24 * 60 * MIN);
    expect(retryDelay(p, 2)).toBe(30 * S);
  });

  it('parses custom tables and rejects bad ones with a reason', () => {
    const custom = resolvePolicy('custom:10s*3,1m*2,give-up');
    expect(typeof custom).toBe('object');
    if (typeof custom === 'string') return;
    expect(scheduleOffsets(custom)).toEqual([0, 10 * S, 20 * S, 30 * S, 90 * S, 150 * S]);
    expect(custom.onExhausted).toBe('give-up');
    expect(resolvePolicy('custom:5s')).toMatchObject({ steps: [{ delayMs: 5 * S, count: 1 }], onExhausted: 'suspend' });
    expect(resolvePolicy('custom:abc*2')).toMatch(/invalid step "abc\*2"/);
    expect(resolvePolicy('custom:30*10')).toMatch(/invalid step "30\*10" in custom policy: write DELAY\*COUNT, e\.g\. 30s\*10 \(30: add a unit/);
    expect(resolvePolicy('mailjet-1999')).toMatch(/unknown retry policy/);
  });

  it('bounds custom steps, so retries stay within the clock range and the table small', () => {
    expect(resolvePolicy('custom:100000000d*1')).toMatch(/a delay is at most 365d/);
    expect(resolvePolicy('custom:1s*100000000')).toMatch(/a count at most 100000/);
    expect(resolvePolicy('custom:365d*2')).toMatchObject({ steps: [{ delayMs: 365 * 24 * 60 * MIN, count: 2 }] });
  });
});

describe('short form', () => {
  it('writes a policy as the custom: spec that reads back to the same schedule', () => {
    expect(policyShortForm(RETRY_POLICIES['mailjet-2017']!)).toBe('custom:30s*10,30m*10,suspend');
    expect(policyShortForm(RETRY_POLICIES['mailjet-current']!)).toBe('custom:30s*2880,give-up');
    for (const policy of Object.values(RETRY_POLICIES)) {
      expect((resolvePolicy(policyShortForm(policy)) as typeof policy).steps).toEqual(policy.steps);
    }
  });
});
