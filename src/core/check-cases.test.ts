import { describe, expect, it } from 'vitest';
import { planCheck, type CheckEventSource, type CheckPlanOptions } from './check-cases.js';
import { EVENT_TYPES } from './event-types.js';
import { parseJson } from './json.js';

const source = (): CheckEventSource => {
  let n = 0;
  return { now: Date.parse('2026-01-01T00:00:00Z'), random: () => 0.5, guid: () => `guid-${++n}` };
};
const options: CheckPlanOptions = { versions: [1, 2], types: EVENT_TYPES, maxBatch: 20, burst: 50, hasCredentials: true };

describe('planCheck', () => {
  it('lists every case of the issue, in order', () => {
    expect(planCheck(options, source()).map((c) => c.id)).toEqual([
      'v1-sent', 'v1-open', 'v1-click', 'v1-bounce', 'v1-spam', 'v1-blocked', 'v1-unsub',
      'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate',
      'credentials-right', 'credentials-wrong', 'credentials-none', 'burst',
    ]);
  });

  it('sends Version 1 bare objects of each type, Version 2 arrays (mixed, and --max-batch long)', () => {
    const cases = Object.fromEntries(planCheck(options, source()).map((c) => [c.id, c]));
    const open = parseJson(cases['v1-open']!.probes[0]!.body) as Record<string, unknown>;
    expect(open).toMatchObject({ event: 'open', time: 1767225600, email: 'mjsim-check@example.com', CustomID: 'mjsim-check', ip: '127.0.0.1' });
    expect(Number(open.MessageID)).toBeLessThan(2 ** 53); // only the big-number case has a big MessageID
    const mixed = parseJson(cases['v2-mixed']!.probes[0]!.body) as { event: string }[];
    expect(mixed.map((event) => event.event)).toEqual([...EVENT_TYPES]);
    expect(parseJson(cases['v2-max-batch']!.probes[0]!.body)).toHaveLength(20);
    expect(cases['v2-max-batch']!.sent).toMatch(/^Version 2: an array of 20 events \(--max-batch\), \d+(\.\d)? kB$/);
  });

  it('builds the forward-compatibility, big-number and duplicate bodies', () => {
    const cases = Object.fromEntries(planCheck(options, source()).map((c) => [c.id, c]));
    expect(parseJson(cases['unknown-fields']!.probes[0]!.body)).toMatchObject({ event: 'sent', mj_future_field: 'added by Mailjet later', future_object: { nested: [1, 'two', null], flag: true } });
    expect(parseJson(cases['empty-fields']!.probes[0]!.body)).toMatchObject({ CustomID: '', Payload: '', customcampaign: '', mj_campaign_id: 0 });
    const big = cases['big-message-id']!;
    const digits = /"MessageID":(\d+)/.exec(big.probes[0]!.body)![1]!;
    expect(BigInt(digits)).toBeGreaterThan(2n ** 53n);
    expect(String(Number(digits))).not.toBe(digits); // a double cannot hold it
    expect(big.sent).toContain(digits);
    expect(big.note).toContain(digits);
    const [first, second] = cases.duplicate!.probes;
    expect(second!.body).toBe(first!.body);
    expect(cases.duplicate!.note).toMatch(/MessageID \+ event \+ time/);
  });

  it('probes credentials right, wrong and none when the URL has them, and only warns when it has none', () => {
    const cases = planCheck(options, source());
    expect(cases.filter((c) => c.id.startsWith('credentials')).map((c) => [c.id, c.rule, c.probes.map((p) => p.auth)])).toEqual([
      ['credentials-right', 'all-200', ['url']],
      ['credentials-wrong', 'refused', ['wrong']],
      ['credentials-none', 'refused', ['none']],
    ]);
    const open = planCheck({ ...options, hasCredentials: false }, source()).filter((c) => c.id.startsWith('credentials'));
    expect(open.map((c) => [c.id, c.rule, c.probes.length])).toEqual([['credentials', 'no-credentials', 0]]);
  });

  it('sends the burst as Version 1 objects, concurrently; none with --burst 0 or Version 2 only', () => {
    const burst = planCheck(options, source()).find((c) => c.id === 'burst')!;
    expect(burst).toMatchObject({ rule: 'burst', concurrent: true, sent: 'Version 1: 50 sent objects at once, at most 32 in flight' });
    expect(new Set(burst.probes.map((p) => p.body)).size).toBe(50); // 50 different events
    expect(planCheck({ ...options, burst: 0 }, source()).some((c) => c.id === 'burst')).toBe(false);
    const v2 = planCheck({ ...options, versions: [2] }, source());
    expect(v2.map((c) => c.id)).not.toContain('burst');
    expect(v2.some((c) => c.id.startsWith('v1-'))).toBe(false);
    for (const kase of v2) for (const probe of kase.probes) expect(probe.body.startsWith('[')).toBe(true);
  });

  it('uses the first of --types for the shared cases', () => {
    const cases = planCheck({ ...options, types: ['bounce', 'open'] }, source());
    expect(cases.map((c) => c.id).slice(0, 2)).toEqual(['v1-bounce', 'v1-open']);
    expect(parseJson(cases.find((c) => c.id === 'duplicate')!.probes[0]!.body)).toMatchObject({ event: 'bounce' });
  });
});
