import { describe, expect, it } from 'vitest';
import type { CheckCase } from './check-cases.js';
import { causeOf, checkBlocker, describeAnswer, failureFate, humanDuration, judgeCase, judgeLatency, judgeRedirects, type JudgeContext, type ProbeAnswer } from './check-verdicts.js';
import { resolvePolicy, RETRY_POLICIES, type RetryPolicy } from './retry-policy.js';

const ctx: JudgeContext = { policy: RETRY_POLICIES['mailjet-2017']!, timeoutMs: 10_000 };
const status = (httpStatus: number, latencyMs = 3, responseBody = 'ok'): ProbeAnswer => ({ outcome: 'http-status', httpStatus, responseBody, error: null, latencyMs });
const timeout: ProbeAnswer = { outcome: 'timeout', httpStatus: null, responseBody: null, error: 'no complete response', latencyMs: 10_004 };
const kase = (rule: CheckCase['rule'], probes = 1): CheckCase => ({
  id: 'x',
  title: 'X',
  sent: 'something',
  rule,
  probes: Array.from({ length: probes }, () => ({ body: '{}', auth: 'url' as const })),
  concurrent: rule === 'burst',
});

describe('what Mailjet would do, from the policy table', () => {
  it('counts retries and their span from the table', () => {
    expect(failureFate(ctx.policy)).toBe('Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL');
    expect(failureFate(RETRY_POLICIES['mailjet-2015']!)).toBe('Mailjet retries this 10 more times over 1 h 40 min, then drops the event');
    expect(failureFate(RETRY_POLICIES['mailjet-current']!)).toBe('Mailjet retries this 2880 more times over 24 h, then drops the event');
    expect(failureFate(resolvePolicy('custom:10s*1') as RetryPolicy)).toBe('Mailjet retries this 1 more time over 10 s, then suspends the URL');
    expect(humanDuration(300)).toBe('300 ms');
  });

  it('describes answers', () => {
    expect(describeAnswer(status(200, 2.6), 10_000)).toBe('200 in 3 ms');
    expect(describeAnswer(status(204, 2, ''), 10_000)).toBe('204, empty body, in 2 ms');
    expect(describeAnswer(status(500, 2, `Internal\n  error ${'x'.repeat(80)}`), 10_000)).toBe(`500, "Internal error ${'x'.repeat(45)}…", in 2 ms`);
    expect(describeAnswer(timeout, 300)).toBe('no complete answer within 300 ms (timeout)');
    expect(describeAnswer({ outcome: 'refused', httpStatus: null, responseBody: null, error: 'ECONNREFUSED', latencyMs: 1 }, 300)).toBe('connection refused');
  });
});

describe('verdicts', () => {
  it('all-200: 200 passes; 204, a 3xx, a 500 or a timeout fails with the retry story', () => {
    expect(judgeCase(kase('all-200'), [status(200)], ctx)).toMatchObject({ verdict: 'pass', received: '200 in 3 ms', mailjet: 'Mailjet counts it delivered', statuses: { 200: 1 } });
    expect(judgeCase(kase('all-200'), [status(204, 2, '')], ctx)).toMatchObject({
      verdict: 'fail',
      received: '204, empty body, in 2 ms',
      mailjet: 'Only 200 is success, 204 is a failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL',
    });
    expect(judgeCase(kase('all-200'), [status(301, 1, '')], ctx).mailjet).toMatch(/^Mailjet does not follow redirects, 301 is a failed attempt: Mailjet retries this 20 more times/);
    expect(judgeCase(kase('all-200'), [timeout], ctx)).toMatchObject({ verdict: 'fail', statuses: { timeout: 1 }, mailjet: expect.stringMatching(/^Mailjet stops waiting after 10 s/) });
    expect(judgeCase(kase('all-200', 2), [status(200), status(500, 4, 'boom')], ctx)).toMatchObject({ verdict: 'fail', received: '200 in 3 ms; 500, "boom", in 4 ms', latencyMs: 4 });
  });

  it('refused: 401 and 403 pass; accepting wrong credentials warns; no credentials in the URL warns', () => {
    expect(judgeCase(kase('refused'), [status(401, 1, '')], ctx).verdict).toBe('pass');
    expect(judgeCase(kase('refused'), [status(403, 1, '')], ctx).verdict).toBe('pass');
    const accepted = judgeCase(kase('refused'), [status(200)], ctx);
    expect(accepted).toMatchObject({ verdict: 'warn', received: '200 in 3 ms: accepted', mailjet: expect.stringContaining('fake bounce') });
    expect(judgeCase(kase('refused'), [status(404, 1, '')], ctx).verdict).toBe('warn');
    expect(judgeCase(kase('no-credentials', 0), [], ctx)).toMatchObject({ verdict: 'warn', requests: 0, latencyMs: null, mailjet: expect.stringContaining('user:pass@') });
  });

  it('burst: any non-200 fails with the count of each status', () => {
    const answers = [...Array.from({ length: 38 }, () => status(503)), ...Array.from({ length: 12 }, () => status(200))];
    expect(judgeCase(kase('burst', 50), answers, ctx, 420.4)).toMatchObject({ verdict: 'fail', received: '503 ×38, 200 ×12 in 420 ms', statuses: { 200: 12, 503: 38 } });
    expect(judgeCase(kase('burst', 2), [status(200), status(200)], ctx, 1_530)).toMatchObject({ verdict: 'pass', received: '200 ×2 in 1 s 530 ms' });
  });

  it('latency: p50 and p95; fail above the timeout, warn above half of it', () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ caseId: `c${i}`, answer: status(200, i + 1) }));
    expect(judgeLatency(entries, ctx)).toMatchObject({ verdict: 'pass', received: 'p50 10 ms, p95 19 ms, slowest 20 ms, over 20 answers' });
    expect(judgeLatency([...entries, { caseId: 'slow', answer: status(200, 6_000) }], ctx)).toMatchObject({
      verdict: 'warn',
      received: expect.stringMatching(/; 1 took more than half of 10 s \(slow\)$/),
    });
    expect(judgeLatency([...entries, { caseId: 'v1-click', answer: timeout }], ctx)).toMatchObject({
      verdict: 'fail',
      received: expect.stringMatching(/; 1 took longer than 10 s \(v1-click\)$/),
      mailjet: 'Mailjet stops waiting after 10 s, a failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL',
    });
  });

  it('redirects: any 3xx anywhere fails', () => {
    expect(judgeRedirects([{ caseId: 'a', answer: status(200) }], ctx)).toMatchObject({ verdict: 'pass', received: 'no 3xx among 1 answers' });
    expect(judgeRedirects([{ caseId: 'a', answer: status(302, 1, '') }, { caseId: 'b', answer: status(302, 1, '') }], ctx)).toMatchObject({
      verdict: 'fail',
      received: '302 ×2 (a, b)',
      mailjet: expect.stringContaining('Mailjet does not follow redirects'),
    });
  });
});

describe('silence is never a pass (issue 18)', () => {
  const refused: ProbeAnswer = { outcome: 'refused', httpStatus: null, responseBody: null, error: 'ECONNREFUSED', latencyMs: 1 };
  const entries = (...answers: ProbeAnswer[]) => answers.map((answer, i) => ({ caseId: `c${i}`, answer }));

  it('latency and no-redirects fail without an answer: refusals and timeouts are none', () => {
    for (const none of [entries(refused, refused), entries(timeout)]) {
      expect(judgeLatency(none, ctx)).toMatchObject({ verdict: 'fail', received: expect.stringMatching(/^no answers among \d requests \((refused|timeout) ×\d\)$/) });
      expect(judgeRedirects(none, ctx)).toMatchObject({ verdict: 'fail', received: expect.stringMatching(/^no answers among/) });
    }
    expect(judgeLatency([], ctx)).toMatchObject({ verdict: 'fail', received: 'no request was sent' });
  });

  it('judges latency and redirects over the answers only', () => {
    expect(judgeLatency(entries(refused, status(200, 5)), ctx)).toMatchObject({ verdict: 'pass', received: 'p50 5 ms, p95 5 ms, slowest 5 ms, over 1 answers' });
    expect(judgeRedirects(entries(refused, status(200, 5)), ctx)).toMatchObject({ verdict: 'pass', received: 'no 3xx among 1 answers' });
  });

  it('names one blocker when the first case got no answer at all, and none when anything answered', () => {
    expect(checkBlocker([refused], ctx)).toEqual({ kind: 'cannot-connect', message: 'cannot connect: connection refused', cause: 'start the consumer, or fix the URL' });
    expect(checkBlocker([timeout], ctx)).toMatchObject({ kind: 'no-answer', message: 'no answer in 10 s' });
    expect(checkBlocker([refused, status(500)], ctx)).toBeNull();
    expect(checkBlocker([], ctx)).toBeNull();
  });

  it('gives each failure a cause that cases failing the same way share', () => {
    expect(causeOf(status(201), ctx)).toBe('answer 200, not 201');
    expect(causeOf(timeout, ctx)).toBe('answer within 10 s');
    expect(causeOf(status(302), ctx)).toBe('register the final URL: it answers 302, and Mailjet does not follow redirects');
    expect(judgeCase(kase('all-200'), [status(201)], ctx).cause).toBe('answer 200, not 201');
    expect(judgeCase(kase('burst', 2), [status(200), status(503)], ctx).cause).toBe('answer 200, not 503');
    expect(judgeCase(kase('all-200'), [status(200)], ctx).cause).toBeUndefined();
  });
});
