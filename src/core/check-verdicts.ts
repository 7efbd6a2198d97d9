/**
 * `mjsim check`: the verdict rules, and what Mailjet would do with each answer, in words computed from the
 * retry policy table (never written out by hand, so `--policy mailjet-2015` tells its own story). Pure.
 */
import type { CheckCase } from './check-cases.js';
import { formatDuration } from './duration.js';
import { maxAttempts, scheduleOffsets, type RetryPolicy } from './retry-policy.js';

export type CheckVerdict = 'pass' | 'warn' | 'fail';

/** One answer to a probe, as the transport reports it, with its wall-clock latency. */
export interface ProbeAnswer {
  readonly outcome: 'http-status' | 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'self' | 'error';
  readonly httpStatus: number | null;
  readonly responseBody: string | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

/** One line of the report. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly verdict: CheckVerdict;
  /** What was sent. */
  readonly sent: string;
  /** What came back. */
  readonly received: string;
  /** What Mailjet would do about it. */
  readonly mailjet: string;
  readonly note?: string;
  /** Requests the case made. */
  readonly requests: number;
  /** Answers by HTTP status, or by failure kind (`timeout`, `refused`, …). */
  readonly statuses: Readonly<Record<string, number>>;
  /** The slowest answer of the case, ms; null when it sent nothing. */
  readonly latencyMs: number | null;
  /**
   * For a `fail`: what to change so that it passes, in words shared by every case that fails the same way
   * ("answer 200, not 201"), so the report can name the one cause that fails most cases.
   */
  readonly cause?: string;
}

/**
 * Why no case can pass: the consumer gave no answer at all to the first case (nothing listens, or it
 * hangs). The report then says so once, at the top, instead of a failure per case.
 */
export interface CheckBlocker {
  readonly kind: 'cannot-connect' | 'no-answer';
  /** `cannot connect: connection refused`, `no answer in 10 s`. */
  readonly message: string;
  /** What to do about it. */
  readonly cause: string;
}

/** What the verdicts depend on besides the answers. */
export interface JudgeContext {
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
}

/** An answer with the case it belongs to (for the run-wide cases). */
export interface CaseAnswer {
  readonly caseId: string;
  readonly answer: ProbeAnswer;
}

/**
 * A duration as the docs write it in prose.
 *
 * @example
 * humanDuration(18_300_000) // '5 h 05 min'
 * humanDuration(300)        // '300 ms'
 */
export function humanDuration(ms: number): string {
  return formatDuration(ms).replace(/(\d)(h|min|s|ms)\b/g, '$1 $2');
}

/**
 * What Mailjet does after a failed attempt under `policy`.
 *
 * @example
 * failureFate(RETRY_POLICIES['mailjet-2017']!) // 'Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL'
 */
export function failureFate(policy: RetryPolicy): string {
  const retries = maxAttempts(policy) - 1;
  const end = policy.onExhausted === 'suspend' ? 'suspends the URL' : 'drops the event';
  if (retries === 0) return `Mailjet does not retry this, and ${end}`;
  const span = humanDuration(scheduleOffsets(policy).at(-1) as number);
  return `Mailjet retries this ${retries} more time${retries === 1 ? '' : 's'} over ${span}, then ${end}`;
}

/** `200`, `503`, or the failure kind: the key of `CheckResult.statuses`. */
export function statusKey(answer: ProbeAnswer): string {
  return answer.outcome === 'http-status' ? String(answer.httpStatus) : answer.outcome;
}

/**
 * One answer in words.
 *
 * @example
 * describeAnswer({ outcome: 'http-status', httpStatus: 204, responseBody: '', error: null, latencyMs: 2.4 }, 10_000) // '204, empty body, in 2 ms'
 */
export function describeAnswer(answer: ProbeAnswer, timeoutMs: number): string {
  const ms = `${Math.round(answer.latencyMs)} ms`;
  switch (answer.outcome) {
    case 'http-status': {
      if (answer.httpStatus === 200) return `200 in ${ms}`;
      const body = (answer.responseBody ?? '').replace(/\s+/g, ' ').trim();
      const excerpt = body === '' ? 'empty body' : `"${body.length > 60 ? `${body.slice(0, 60)}…` : body}"`;
      return `${answer.httpStatus}, ${excerpt}, in ${ms}`;
    }
    case 'timeout':
      return `no complete answer within ${humanDuration(timeoutMs)} (timeout)`;
    case 'refused':
      return 'connection refused';
    case 'reset':
      return `connection reset after ${ms}`;
    case 'dns':
      return `host not found (${answer.error ?? 'DNS'})`;
    case 'tls':
      return `TLS failure (${answer.error ?? 'certificate'})`;
    case 'self':
      return `not sent: the URL is mjsim's own listener (${answer.error ?? 'self'})`;
    case 'error':
      return `request failed (${answer.error ?? 'error'})`;
  }
}

/**
 * What Mailjet does with one answer.
 *
 * @example
 * mailjetReaction(answer204, ctx) // 'Only 200 is success: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL'
 */
export function mailjetReaction(answer: ProbeAnswer, ctx: JudgeContext): string {
  const fate = failureFate(ctx.policy);
  if (answer.outcome === 'timeout') return `Mailjet stops waiting after ${humanDuration(ctx.timeoutMs)}, a failed attempt: ${fate}`;
  if (answer.outcome !== 'http-status') return `A failed attempt: ${fate}`;
  const status = answer.httpStatus ?? 0;
  if (status === 200) return 'Mailjet counts it delivered';
  if (status >= 200 && status < 300) return `Only 200 is success, ${status} is a failed attempt: ${fate}`;
  if (status >= 300 && status < 400) return `Mailjet does not follow redirects, ${status} is a failed attempt: ${fate}; register the final URL`;
  return `A failed attempt: ${fate}`;
}

const isOk = (answer: ProbeAnswer) => answer.outcome === 'http-status' && answer.httpStatus === 200;
/** An HTTP answer, of any status: a timeout, a refused or reset connection is no answer. */
const isAnswer = (answer: ProbeAnswer) => answer.outcome === 'http-status';

/**
 * What to change so that an answer becomes a success, in the same words for every case it fails.
 *
 * @example
 * causeOf({ outcome: 'http-status', httpStatus: 201, responseBody: '', error: null, latencyMs: 2 }, ctx) // 'answer 200, not 201'
 */
export function causeOf(answer: ProbeAnswer, ctx: JudgeContext): string {
  if (answer.outcome === 'timeout') return `answer within ${humanDuration(ctx.timeoutMs)}`;
  if (answer.outcome !== 'http-status') return `make the URL reachable (${describeAnswer(answer, ctx.timeoutMs)})`;
  const status = answer.httpStatus ?? 0;
  if (status >= 300 && status < 400) return `register the final URL: it answers ${status}, and Mailjet does not follow redirects`;
  return `answer 200, not ${status}`;
}

/**
 * The blocker when the first case got no answer at all (every probe refused, reset or timed out), else null.
 *
 * @example
 * checkBlocker([{ outcome: 'refused', httpStatus: null, responseBody: null, error: 'ECONNREFUSED', latencyMs: 1 }], ctx)
 * // { kind: 'cannot-connect', message: 'cannot connect: connection refused', cause: 'start the consumer, or fix the URL' }
 */
export function checkBlocker(answers: readonly ProbeAnswer[], ctx: JudgeContext): CheckBlocker | null {
  if (answers.length === 0 || answers.some(isAnswer)) return null;
  if (answers.some((answer) => answer.outcome === 'timeout')) {
    const message = `no answer in ${humanDuration(ctx.timeoutMs)}`;
    return { kind: 'no-answer', message, cause: `answer within ${humanDuration(ctx.timeoutMs)} (the consumer took the connection, then said nothing)` };
  }
  const message = `cannot connect: ${describeAnswer(answers[0] as ProbeAnswer, ctx.timeoutMs)}`;
  return { kind: 'cannot-connect', message, cause: 'start the consumer, or fix the URL' };
}

/**
 * A case that cannot pass because of `blocker` (not sent, or sent without an answer): a `fail` that points
 * at the verdict at the top.
 *
 * @example
 * blockedResult({ id: 'v1-open', title: 'Version 1 open', sent: 'Version 1: one open object' }, blocker, ctx, []).received
 * // 'not sent: cannot connect: connection refused (see the top)'
 */
export function blockedResult(
  what: { id: string; title: string; sent: string; note?: string | undefined },
  blocker: CheckBlocker,
  ctx: JudgeContext,
  answers: readonly ProbeAnswer[],
): CheckResult {
  const received = answers.length > 0 ? answers.map((answer) => describeAnswer(answer, ctx.timeoutMs)).join('; ') : `not sent: ${blocker.message} (see the top)`;
  const latencyMs = answers.length === 0 ? null : Math.round(Math.max(...answers.map((answer) => answer.latencyMs)));
  return {
    // No note: advice about a case's answer means nothing when there was none.
    ...result({ ...what, note: undefined, requests: answers.length, statuses: countStatuses(answers), latencyMs }, 'fail', received, `Every attempt without an answer is a failed attempt: ${failureFate(ctx.policy)}`),
    cause: blocker.cause,
  };
}

function countStatuses(answers: readonly ProbeAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[statusKey(answer)] = (counts[statusKey(answer)] ?? 0) + 1;
  return counts;
}

/** `503 ×38, 200 ×12`: most frequent first. */
function tally(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
}

/**
 * Judges one case from its answers (`elapsedMs`: wall time of the whole case, shown for the burst).
 *
 * @example
 * judgeCase(cases[0]!, [{ outcome: 'http-status', httpStatus: 200, responseBody: 'ok', error: null, latencyMs: 3 }], ctx).verdict // 'pass'
 */
export function judgeCase(kase: CheckCase, answers: readonly ProbeAnswer[], ctx: JudgeContext, elapsedMs = 0): CheckResult {
  const statuses = countStatuses(answers);
  const latencyMs = answers.length === 0 ? null : Math.round(Math.max(...answers.map((answer) => answer.latencyMs)));
  const finish = (verdict: CheckVerdict, received: string, mailjet: string): CheckResult =>
    result({ id: kase.id, title: kase.title, sent: kase.sent, note: kase.note, requests: answers.length, statuses, latencyMs }, verdict, received, mailjet);
  const described = answers.map((answer) => describeAnswer(answer, ctx.timeoutMs)).join('; ');
  switch (kase.rule) {
    case 'all-200': {
      const bad = answers.find((answer) => !isOk(answer));
      if (!bad) return finish('pass', described, answers.length > 1 ? 'Mailjet counts each delivered' : 'Mailjet counts it delivered');
      return { ...finish('fail', described, mailjetReaction(bad, ctx)), cause: causeOf(bad, ctx) };
    }
    case 'refused': {
      const answer = answers[0];
      const status = answer?.outcome === 'http-status' ? answer.httpStatus : null;
      if (status === 401 || status === 403) return finish('pass', described, 'Mailjet always sends the URL\'s credentials; refusing anything else keeps fake events out');
      if (status !== null && status >= 200 && status < 300) {
        return finish(
          'warn',
          `${described}: accepted`,
          'Mailjet always sends the URL\'s credentials, so it is unaffected; but anyone who knows the URL can post fake events (a fake bounce or unsub removes a real customer): answer 401 without the right credentials',
        );
      }
      return finish('warn', described, 'Mailjet is unaffected; answer 401 or 403 at once, so a refusal is plain in logs and monitoring');
    }
    case 'no-credentials':
      return finish(
        'warn',
        'nothing sent',
        'Mailjet sends the URL\'s user:pass@ as Basic auth, and this URL has none: anyone who learns it can post fake events (a fake bounce or unsub removes a real customer). Register https://user:pass@host/path and refuse other requests with 401',
      );
    case 'burst': {
      const received = `${tally(statuses)} in ${humanDuration(Math.round(elapsedMs))}`;
      if (answers.every(isOk)) return finish('pass', received, 'Mailjet counts them all delivered');
      const bad = answers.find((answer) => !isOk(answer)) as ProbeAnswer;
      return { ...finish('fail', received, `Each answer other than 200 is a failed attempt: ${failureFate(ctx.policy)}; the retries add to the next burst`), cause: causeOf(bad, ctx) };
    }
  }
}

/** A result with its fields in reading order: what, verdict, why, then the figures. */
function result(
  what: { id: string; title: string; sent: string; note?: string | undefined; requests: number; statuses: Record<string, number>; latencyMs: number | null },
  verdict: CheckVerdict,
  received: string,
  mailjet: string,
): CheckResult {
  return {
    id: what.id,
    title: what.title,
    verdict,
    sent: what.sent,
    received,
    mailjet,
    ...(what.note ? { note: what.note } : {}),
    requests: what.requests,
    statuses: what.statuses,
    latencyMs: what.latencyMs,
  };
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

const caseList = (entries: readonly CaseAnswer[]) => [...new Set(entries.map((entry) => entry.caseId))].join(', ');

/**
 * Latency over the whole run: p50 and p95; `fail` when an answer took longer than the timeout (or timed
 * out), `warn` when one took more than half of it.
 *
 * @example
 * judgeLatency(all, ctx).received // 'p50 3 ms, p95 12 ms, slowest 40 ms, over 68 answers'
 */
export function judgeLatency(entries: readonly CaseAnswer[], ctx: JudgeContext): CheckResult {
  // Only answers have a latency: a refused connection is quick and a timeout is no answer at all.
  const answered = entries.filter((entry) => isAnswer(entry.answer));
  const sorted = answered.map((entry) => entry.answer.latencyMs).sort((a, b) => a - b);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const summary = `p50 ${ms(percentile(sorted, 0.5))}, p95 ${ms(percentile(sorted, 0.95))}, slowest ${ms(sorted.at(-1) ?? 0)}, over ${sorted.length} answers`;
  const limit = humanDuration(ctx.timeoutMs);
  const slow = entries.filter((entry) => entry.answer.outcome === 'timeout' || (isAnswer(entry.answer) && entry.answer.latencyMs > ctx.timeoutMs));
  const slowish = answered.filter((entry) => entry.answer.latencyMs > ctx.timeoutMs / 2);
  const what = { id: 'latency', title: 'Latency', sent: `every request above (${entries.length})`, requests: 0, statuses: {}, latencyMs: sorted.length === 0 ? null : Math.round(sorted.at(-1) as number) };
  if (answered.length === 0) return noAnswers(what, entries, ctx);
  if (slow.length > 0) {
    return {
      ...result(what, 'fail', `${summary}; ${slow.length} took longer than ${limit} (${caseList(slow)})`, `Mailjet stops waiting after ${limit}, a failed attempt: ${failureFate(ctx.policy)}`),
      cause: `answer within ${limit}`,
    };
  }
  if (slowish.length > 0) {
    return result(
      what,
      'warn',
      `${summary}; ${slowish.length} took more than half of ${limit} (${caseList(slowish)})`,
      `Mailjet waits ${limit}: with so little margin, answers time out under load and are retried as failures`,
    );
  }
  return result(what, 'pass', summary, `Well within the ${limit} Mailjet waits`);
}

/** A run-wide case with no answer to judge: a `fail`, never a pass over silence. */
function noAnswers(what: Parameters<typeof result>[0], entries: readonly CaseAnswer[], ctx: JudgeContext): CheckResult {
  const first = entries[0]?.answer;
  const received = entries.length === 0 ? 'no request was sent' : `no answers among ${entries.length} requests (${tally(countStatuses(entries.map((entry) => entry.answer)))})`;
  return { ...result(what, 'fail', received, `Every attempt without an answer is a failed attempt: ${failureFate(ctx.policy)}`), ...(first ? { cause: causeOf(first, ctx) } : {}) };
}

/**
 * Redirects over the whole run: any 3xx is a `fail`, since Mailjet does not follow it.
 *
 * @example
 * judgeRedirects(all, ctx).verdict // 'pass'
 */
export function judgeRedirects(entries: readonly CaseAnswer[], ctx: JudgeContext): CheckResult {
  const redirects = entries.filter((entry) => entry.answer.outcome === 'http-status' && (entry.answer.httpStatus ?? 0) >= 300 && (entry.answer.httpStatus ?? 0) < 400);
  const statuses = countStatuses(redirects.map((entry) => entry.answer));
  const what = { id: 'no-redirects', title: 'No redirects', sent: `every request above (${entries.length})`, requests: 0, statuses, latencyMs: null };
  const answered = entries.filter((entry) => isAnswer(entry.answer)).length;
  if (answered === 0) return noAnswers(what, entries, ctx);
  if (redirects.length === 0) return result(what, 'pass', `no 3xx among ${answered} answers`, 'Mailjet does not follow redirects; none was needed');
  return {
    ...result(what, 'fail', `${tally(statuses)} (${caseList(redirects)})`, `Mailjet does not follow redirects, a 3xx is a failed attempt: ${failureFate(ctx.policy)}; register the final URL`),
    cause: causeOf((redirects[0] as CaseAnswer).answer, ctx),
  };
}
