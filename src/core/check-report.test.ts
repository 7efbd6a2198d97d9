import { describe, expect, it } from 'vitest';
import { buildReport, escapeXml, formatCheckText, formatJunit, type CheckRunInfo } from './check-report.js';
import type { CheckResult } from './check-verdicts.js';

const info: CheckRunInfo = {
  url: 'http://***:***@127.0.0.1:8080/hook?a=1&b=2',
  policy: 'mailjet-2017',
  policyDescription: '10 retries 30 s apart, then 10 retries 30 min apart, then the URL is suspended',
  timeoutMs: 10_000,
  versions: [1],
  types: ['open'],
  maxBatch: 500,
  burst: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
};
const results: CheckResult[] = [
  { id: 'v1-open', title: 'Version 1 open', verdict: 'pass', sent: 'Version 1: one open object, 398 B', received: '200 in 3 ms', mailjet: 'Mailjet counts it delivered', requests: 1, statuses: { 200: 1 }, latencyMs: 3 },
  {
    id: 'duplicate',
    title: 'The same event twice',
    verdict: 'fail',
    sent: 'Version 1: the same open event twice',
    received: '500, "<b>boom</b> & \'quotes\' \u0001", in 4 ms',
    mailjet: 'A failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL',
    note: 'Key each event on MessageID + event + time',
    requests: 2,
    statuses: { 200: 1, 500: 1 },
    latencyMs: 4,
  },
  { id: 'credentials', title: 'Credentials in the URL', verdict: 'warn', sent: 'nothing', received: 'nothing sent', mailjet: 'Anyone can post', requests: 0, statuses: {}, latencyMs: null },
];
const report = buildReport(info, results, 1_234.4);

describe('check report', () => {
  it('sorts results into failures and warnings', () => {
    expect(report.counts).toEqual({ pass: 1, warn: 1, fail: 1 });
    expect(report.failures.map((r) => r.id)).toEqual(['duplicate']);
    expect(report.warnings.map((r) => r.id)).toEqual(['credentials']);
    expect(report).toMatchObject({ requests: 3, durationMs: 1234 });
  });

  it('prints one line per case, then the notes and a summary', () => {
    expect(formatCheckText(report).split('\n')).toEqual([
      'mjsim check http://***:***@127.0.0.1:8080/hook?a=1&b=2',
      'Mailjet\'s rules: only 200 is success; 10 s per attempt; retry policy mailjet-2017 (10 retries 30 s apart, then 10 retries 30 min apart, then the URL is suspended)',
      '',
      'pass  v1-open            Version 1: one open object, 398 B  →  200 in 3 ms  →  Mailjet counts it delivered',
      'fail  duplicate          Version 1: the same open event twice  →  500, "<b>boom</b> & \'quotes\' \u0001", in 4 ms  →  A failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL',
      'warn  credentials        nothing  →  nothing sent  →  Anyone can post',
      '',
      'Notes:',
      '  duplicate: Key each event on MessageID + event + time',
      '',
      '1 fail, 1 warn, 1 pass · 3 requests in 1.2 s',
    ]);
  });

  it('writes JUnit XML: a fail is a <failure>, a warn a passing case marked warn, everything escaped', () => {
    expect(formatJunit(report)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mjsim check" tests="3" failures="1" errors="0" skipped="0" time="1.234">
  <testsuite name="mjsim check http://***:***@127.0.0.1:8080/hook?a=1&amp;b=2" tests="3" failures="1" errors="0" skipped="0" time="1.234" timestamp="2026-01-01T00:00:00.000Z">
    <properties>
      <property name="policy" value="mailjet-2017"/>
      <property name="timeout" value="10 s"/>
      <property name="warnings" value="1"/>
    </properties>
    <testcase name="v1-open" classname="mjsim.check" time="0.003">
      <properties><property name="verdict" value="pass"/></properties>
      <system-out>pass: Version 1 open
sent: Version 1: one open object, 398 B
got: 200 in 3 ms
Mailjet: Mailjet counts it delivered</system-out>
    </testcase>
    <testcase name="duplicate" classname="mjsim.check" time="0.004">
      <properties><property name="verdict" value="fail"/></properties>
      <failure type="fail" message="A failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL">fail: The same event twice
sent: Version 1: the same open event twice
got: 500, &quot;&lt;b&gt;boom&lt;/b&gt; &amp; &apos;quotes&apos; \uFFFD&quot;, in 4 ms
Mailjet: A failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL
note: Key each event on MessageID + event + time</failure>
      <system-out>fail: The same event twice
sent: Version 1: the same open event twice
got: 500, &quot;&lt;b&gt;boom&lt;/b&gt; &amp; &apos;quotes&apos; \uFFFD&quot;, in 4 ms
Mailjet: A failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL
note: Key each event on MessageID + event + time</system-out>
    </testcase>
    <testcase name="credentials" classname="mjsim.check" time="0.000">
      <properties><property name="verdict" value="warn"/></properties>
      <system-out>warn: Credentials in the URL
sent: nothing
got: nothing sent
Mailjet: Anyone can post</system-out>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it('escapes what XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u0008c\td\ne\uD800f\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc\td\ne\uFFFDf\uD83D\uDE00');
    expect(escapeXml(']]><!--')).toBe(']]&gt;&lt;!--');
  });
});

describe('the first cause to fix (issue 18)', () => {
  const failing = (id: string, cause: string): CheckResult => ({ id, title: id, verdict: 'fail', sent: '', received: '', mailjet: '', requests: 1, statuses: {}, latencyMs: 1, cause });

  it('names the cause shared by the most failing cases, and prints it before the counts', () => {
    const many = [failing('v1-open', 'answer within 1 s'), failing('v1-sent', 'answer 200, not 201'), failing('v2-mixed', 'answer 200, not 201')];
    const report = buildReport(info, many, 100);
    expect(report.firstFix).toEqual({ cause: 'answer 200, not 201', cases: ['v1-sent', 'v2-mixed'] });
    expect(formatCheckText(report)).toContain('\nfix this first: answer 200, not 201 (2 failing cases: v1-sent, v2-mixed)\n\n3 fail, 0 warn, 0 pass');
    expect(buildReport(info, [], 100).firstFix).toBeNull();
  });

  it('puts a blocker on one line above the cases', () => {
    const blocker = { kind: 'cannot-connect' as const, message: 'cannot connect: connection refused', cause: 'start the consumer, or fix the URL' };
    const text = formatCheckText(buildReport(info, [failing('v1-open', blocker.cause)], 100, blocker));
    expect(text.split('\n')[3]).toBe('fail  cannot connect: connection refused — every case below fails: start the consumer, or fix the URL');
  });
});
