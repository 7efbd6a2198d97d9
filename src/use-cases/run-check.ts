/**
 * Runs `mjsim check` against a consumer: the cases of core/check-cases.ts, POSTed through the engine's own
 * transport (Basic auth from the URL's userinfo, no redirects, a timeout per request), judged by
 * core/check-verdicts.ts. Requests are bounded in number (the plan) and in time (the timeout); the burst
 * runs at most `BURST_CONCURRENCY` requests at once; everything else runs one request at a time, so
 * latencies are the consumer's and not the check's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BURST_CONCURRENCY, planCheck, type CheckCase, type Probe } from '../core/check-cases.js';
import { buildReport, type CheckReport, type CheckRunInfo } from '../core/check-report.js';
import {
  blockedResult,
  checkBlocker,
  judgeCase,
  judgeLatency,
  judgeRedirects,
  type CaseAnswer,
  type CheckBlocker,
  type CheckResult,
  type JudgeContext,
  type ProbeAnswer,
} from '../core/check-verdicts.js';
import { createHttpTransport, type Transport } from '../engine/http-transport.js';
import { VERSION } from '../core/version.js';
import { resolveCheckOptions, type CheckOptions, type ResolvedCheckOptions } from '../core/check-options.js';

export { CheckOptionsError, type CheckOptions } from '../core/check-options.js';
export type { CheckReport, CheckRunInfo } from '../core/check-report.js';
export type { CheckBlocker, CheckResult, CheckVerdict } from '../core/check-verdicts.js';

/** Progress callbacks, for a CLI that prints each line as its case ends. */
export interface CheckProgress {
  onStart?: (info: CheckRunInfo) => void;
  onResult?: (result: CheckResult) => void;
  /** The consumer gave the first case no answer at all: called once, before any result. */
  onBlocked?: (blocker: CheckBlocker) => void;
}

/** Only an excerpt of each answer is shown. */
const RESPONSE_CAP_BYTES = 1024;

/**
 * Probes a webhook consumer the way Mailjet delivers to it and reports, case by case, `pass`, `warn` or
 * `fail`, what was sent, what came back, and what Mailjet would do. Run it only against consumers you own.
 * Bad options throw `CheckOptionsError`; an unreachable consumer is a report full of failures, not an error.
 *
 * @example
 * import { checkConsumer } from 'mailjet-webhook-simulator';
 *
 * it('is ready for Mailjet', async () => {
 *   const report = await checkConsumer('http://hook:secret@127.0.0.1:8080/webhooks/mailjet', { timeout: '2s' });
 *   expect(report.failures).toEqual([]);
 *   expect(report.warnings.map((w) => w.id)).toEqual([]);
 * });
 */
export async function checkConsumer(url: string, options: CheckOptions & CheckProgress = {}): Promise<CheckReport> {
  const settings = resolveCheckOptions(url, options);
  const info: CheckRunInfo = {
    url: settings.maskedUrl,
    policy: settings.policy.name,
    policyDescription: settings.policy.description,
    timeoutMs: settings.timeoutMs,
    versions: settings.versions,
    types: settings.types,
    maxBatch: settings.maxBatch,
    burst: settings.burst,
    startedAt: new Date().toISOString(),
  };
  options.onStart?.(info);
  const started = performance.now();
  const cases = planCheck(settings, { now: Date.now(), random: Math.random, guid: randomUUID });
  const ctx: JudgeContext = { policy: settings.policy, timeoutMs: settings.timeoutMs };
  const transport = createHttpTransport(BURST_CONCURRENCY);
  const results: CheckResult[] = [];
  const everyAnswer: CaseAnswer[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  let blocker: CheckBlocker | null = null;
  try {
    for (const kase of cases) {
      if (blocker) {
        // Nothing listens, or it hangs: the remaining cases are not sent (each would only wait or be refused).
        report(blockedResult(kase, blocker, ctx, []));
        continue;
      }
      const caseStart = performance.now();
      const answers = await runCase(transport, settings, kase);
      everyAnswer.push(...answers.map((answer) => ({ caseId: kase.id, answer })));
      // The first case that sends decides whether the consumer answers at all: if not, say so once, at the top.
      blocker = results.some((result) => result.requests > 0) ? null : checkBlocker(answers, ctx);
      if (blocker) {
        options.onBlocked?.(blocker);
        report(blockedResult(kase, blocker, ctx, answers));
        continue;
      }
      report(judgeCase(kase, answers, ctx, performance.now() - caseStart));
    }
    // With a blocker, these fail for want of answers: for the same reason as every case.
    const sameCause = (result: CheckResult) => (blocker && result.verdict === 'fail' ? { ...result, cause: blocker.cause } : result);
    report(sameCause(judgeLatency(everyAnswer, ctx)));
    report(sameCause(judgeRedirects(everyAnswer, ctx)));
  } finally {
    transport.close();
  }
  return buildReport(info, results, performance.now() - started, blocker);
}

/** Sends a case's probes: one after the other, or the burst with bounded concurrency (also `mjsim check --parse`). */
export async function runCase(transport: Transport, settings: ResolvedCheckOptions, kase: CheckCase): Promise<ProbeAnswer[]> {
  const answers: ProbeAnswer[] = new Array(kase.probes.length);
  const send = async (index: number) => (answers[index] = await send1(transport, settings, kase.probes[index] as Probe));
  if (!kase.concurrent) {
    for (let i = 0; i < kase.probes.length; i++) await send(i);
    return answers;
  }
  let next = 0;
  const worker = async () => {
    while (next < kase.probes.length) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(BURST_CONCURRENCY, kase.probes.length) }, worker));
  return answers;
}

async function send1(transport: Transport, settings: ResolvedCheckOptions, probe: Probe): Promise<ProbeAnswer> {
  const start = performance.now();
  const result = await transport.post(targetFor(settings.url, probe), probe.body, {
    timeoutMs: settings.timeoutMs,
    responseCapBytes: RESPONSE_CAP_BYTES,
    userAgent: `mjsim/${VERSION} (mailjet-webhook-simulator)`,
  });
  return { ...result, latencyMs: performance.now() - start };
}

/** The URL a probe is sent to: the transport turns its userinfo into the Authorization header. */
function targetFor(url: URL, probe: Probe): string {
  const target = new URL(url);
  if (probe.auth === 'none') {
    target.username = '';
    target.password = '';
  }
  if (probe.auth === 'wrong') target.password = `wrong-${randomBytes(6).toString('hex')}`;
  return target.toString();
}
