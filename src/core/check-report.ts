/**
 * `mjsim check`: the report as data, as text (one line per case) and as JUnit XML for CI. Pure.
 */
import type { EventType } from './event-types.js';
import type { CheckBlocker, CheckResult, CheckVerdict } from './check-verdicts.js';
import { humanDuration } from './check-verdicts.js';

/** How a run was set up. */
export interface CheckRunInfo {
  /** The consumer's URL, credentials masked. */
  readonly url: string;
  readonly policy: string;
  readonly policyDescription: string;
  readonly timeoutMs: number;
  readonly versions: readonly (1 | 2)[];
  readonly types: readonly EventType[];
  readonly maxBatch: number;
  readonly burst: number;
  /** ISO time the run started. */
  readonly startedAt: string;
}

/** Everything a run found; `failures` and `warnings` are the results with that verdict. */
export interface CheckReport extends CheckRunInfo {
  readonly durationMs: number;
  readonly requests: number;
  readonly counts: Readonly<Record<CheckVerdict, number>>;
  readonly results: readonly CheckResult[];
  readonly failures: readonly CheckResult[];
  readonly warnings: readonly CheckResult[];
  /** Set when the consumer could not be reached or gave no answer: every case failed for that one reason. */
  readonly blocker: CheckBlocker | null;
  /** The cause that fails the most cases (the first met, on a tie), and those cases: fix it first. */
  readonly firstFix: { readonly cause: string; readonly cases: readonly string[] } | null;
}

/**
 * The cause shared by the most failing cases, and those cases.
 *
 * @example
 * firstFix(results) // { cause: 'answer 200, not 201', cases: ['v1-sent', 'v1-open', …] }
 */
export function firstFix(results: readonly CheckResult[]): CheckReport['firstFix'] {
  const byCause = new Map<string, string[]>();
  for (const result of results) {
    if (result.verdict === 'fail' && result.cause) byCause.set(result.cause, [...(byCause.get(result.cause) ?? []), result.id]);
  }
  let best: CheckReport['firstFix'] = null;
  for (const [cause, cases] of byCause) if (!best || cases.length > best.cases.length) best = { cause, cases };
  return best;
}

/**
 * Assembles the report.
 *
 * @example
 * buildReport(info, results, 1_300).failures // [] when every case passed or warned
 */
export function buildReport(info: CheckRunInfo, results: readonly CheckResult[], durationMs: number, blocker: CheckBlocker | null = null): CheckReport {
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.verdict] += 1;
  return {
    ...info,
    durationMs: Math.round(durationMs),
    requests: results.reduce((sum, result) => sum + result.requests, 0),
    counts,
    results,
    failures: results.filter((result) => result.verdict === 'fail'),
    warnings: results.filter((result) => result.verdict === 'warn'),
    blocker,
    firstFix: firstFix(results),
  };
}

const ID_WIDTH = 18;

/** The lines printed before the cases. @example formatCheckHeader(info) // 'mjsim check http://127.0.0.1:8080/hook\n...' */
export function formatCheckHeader(info: CheckRunInfo): string {
  return [
    `mjsim check ${info.url}`,
    `Mailjet's rules: only 200 is success; ${humanDuration(info.timeoutMs)} per attempt; retry policy ${info.policy} (${info.policyDescription})`,
    '',
  ].join('\n');
}

/**
 * The one verdict printed above the cases when the consumer cannot be reached or does not answer.
 *
 * @example
 * formatCheckBlocker(blocker) // 'fail  cannot connect: connection refused — every case below fails: start the consumer, or fix the URL'
 */
export function formatCheckBlocker(blocker: CheckBlocker): string {
  return `fail  ${blocker.message} — every case below fails: ${blocker.cause}\n`;
}

/**
 * One case on one line: verdict, case, what was sent → what came back → what Mailjet would do.
 *
 * @example
 * formatCheckLine(result) // 'fail  v1-open            Version 1: one open object, 398 B  →  204, empty body, in 2 ms  →  Only 200 is success, …'
 */
export function formatCheckLine(result: CheckResult): string {
  return `${result.verdict.padEnd(4)}  ${result.id.padEnd(ID_WIDTH)} ${result.sent}  →  ${result.received}  →  ${result.mailjet}`;
}

/** The notes and the summary after the cases. */
export function formatCheckFooter(report: CheckReport): string {
  const notes = report.results.filter((result) => result.note).map((result) => `  ${result.id}: ${result.note}`);
  const { pass, warn, fail } = report.counts;
  const fix = report.firstFix;
  const many = (n: number) => `${n} failing case${n === 1 ? '' : 's'}`;
  return [
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
    ...(fix ? ['', `fix this first: ${fix.cause} (${many(fix.cases.length)}: ${fix.cases.join(', ')})`] : []),
    '',
    `${fail} fail, ${warn} warn, ${pass} pass · ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

/**
 * The whole report as text, as `mjsim check` prints it.
 *
 * @example
 * console.log(formatCheckText(report));
 */
export function formatCheckText(report: CheckReport): string {
  return [formatCheckHeader(report), ...(report.blocker ? [formatCheckBlocker(report.blocker)] : []), ...report.results.map(formatCheckLine), formatCheckFooter(report)].join('\n');
}

/**
 * Text made safe for XML 1.0 content and attributes: the five special characters escaped, characters XML
 * cannot carry at all (most control characters, lone surrogates) replaced by U+FFFD.
 *
 * @example
 * escapeXml('<a href="x">&</a>') // '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] as string);
}

const seconds = (ms: number | null) => ((ms ?? 0) / 1000).toFixed(3);

/**
 * The report as JUnit XML: one `<testcase>` per case; a `fail` is a `<failure>`, a `warn` passes with a
 * `verdict` property of `warn` (JUnit has no warning), and every case says what was sent, what came back
 * and what Mailjet would do in `<system-out>`.
 *
 * @example
 * writeFileSync('mjsim-check.xml', formatJunit(report));
 */
export function formatJunit(report: CheckReport): string {
  const attr = escapeXml;
  const total = report.results.length;
  const fails = report.counts.fail;
  const detail = (result: CheckResult) =>
    [`${result.verdict}: ${result.title}`, `sent: ${result.sent}`, `got: ${result.received}`, `Mailjet: ${result.mailjet}`, ...(result.note ? [`note: ${result.note}`] : [])].join('\n');
  const cases = report.results.map((result) => {
    const lines = [`    <testcase name="${attr(result.id)}" classname="mjsim.check" time="${seconds(result.latencyMs)}">`];
    lines.push(`      <properties><property name="verdict" value="${result.verdict}"/></properties>`);
    if (result.verdict === 'fail') lines.push(`      <failure type="fail" message="${attr(result.mailjet)}">${escapeXml(detail(result))}</failure>`);
    lines.push(`      <system-out>${escapeXml(detail(result))}</system-out>`, '    </testcase>');
    return lines.join('\n');
  });
  const counts = `tests="${total}" failures="${fails}" errors="0" skipped="0" time="${seconds(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mjsim check" ${counts}>`,
    `  <testsuite name="${attr(`mjsim check ${report.url}`)}" ${counts} timestamp="${attr(report.startedAt)}">`,
    '    <properties>',
    `      <property name="policy" value="${attr(report.policy)}"/>`,
    `      <property name="timeout" value="${attr(humanDuration(report.timeoutMs))}"/>`,
    `      <property name="warnings" value="${report.counts.warn}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
