/**
 * `mjsim check --parse <url>` (library: `checkParseConsumer`): probes a Parse API consumer with the JSON Mailjet
 * POSTs for inbound mail, built from real MIME by the same code as mjsim's own inbound deliveries, and reports
 * each case with what Mailjet would do about the answer.
 */
import { performance } from 'node:perf_hooks';
import { buildReport, type CheckReport, type CheckRunInfo } from '../core/check-report.js';
import { planParseCheck } from '../core/check-parse-cases.js';
import { judgeCase, judgeLatency, type CaseAnswer, type CheckResult, type JudgeContext } from '../core/check-verdicts.js';
import { BURST_CONCURRENCY } from '../core/check-cases.js';
import { buildParsePayload } from '../core/parse-payload.js';
import { createHttpTransport } from '../engine/http-transport.js';
import { readMime } from '../inbound/read-mime.js';
import { resolveCheckOptions, type CheckOptions } from '../core/check-options.js';
import { runCase, type CheckProgress } from './run-check.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const HEAD = (subject: string, extra = '') =>
  `From: mjsim check <mjsim-check@example.com>\r\nTo: route@parse-in1.mailjet.com\r\nSubject: ${subject}\r\nDate: Thu, 3 Dec 2026 10:00:00 +0000\r\nMessage-ID: <check-${subject.length}@mjsim.local>\r\n${extra}MIME-Version: 1.0\r\n`;
const base64Lines = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');

/** The four mails of a check, as raw MIME. */
function mails(): { plain: string; multipart: string; reply: string; large: string } {
  const part = (headers: string, body: string) => `--b\r\n${headers}\r\n\r\n${body}\r\n`;
  return {
    plain: `${HEAD('mjsim check: plain')}Content-Type: text/plain; charset=utf-8\r\n\r\nA plain mail from mjsim check.\r\n`,
    multipart:
      `${HEAD('mjsim check: multipart')}Content-Type: multipart/mixed; boundary=b\r\n\r\n` +
      part('Content-Type: text/plain; charset=utf-8', 'Text part') +
      part('Content-Type: text/html; charset=utf-8', '<p>HTML part <img src="cid:logo@mjsim"></p>') +
      part('Content-Type: image/png\r\nContent-ID: <logo@mjsim>\r\nContent-Disposition: inline; filename="logo.png"\r\nContent-Transfer-Encoding: base64', PNG) +
      part('Content-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64', base64Lines(Buffer.from('%PDF-1.4 mjsim check\n'))) +
      '--b--\r\n',
    reply: `${HEAD('Re: mjsim check', 'In-Reply-To: <order-42@mjsim.local>\r\n')}Content-Type: text/plain\r\n\r\nA reply.\r\n`,
    large:
      `${HEAD('mjsim check: 10 MiB')}Content-Type: multipart/mixed; boundary=b\r\n\r\n` +
      part('Content-Type: text/plain', 'See the attachment.') +
      part('Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="large.bin"\r\nContent-Transfer-Encoding: base64', base64Lines(Buffer.alloc(10 * 1024 * 1024, 0x6d))) +
      '--b--\r\n',
  };
}

async function payloadOf(raw: string, repliesTo?: { customId: string; payload: string }): Promise<string> {
  const mail = await readMime(Buffer.from(raw));
  const context = { sender: 'mjsim-check@example.com', recipient: 'route@parse-in1.mailjet.com', subject: mail.subject, from: mail.from, repliesTo };
  return JSON.stringify(buildParsePayload(mail.parts, context));
}

/**
 * Probes a Parse API consumer you own and reports each case (`pass`, `warn`, `fail`) with what Mailjet would do.
 *
 * @example
 * const report = await checkParseConsumer('http://u:p@127.0.0.1:8080/mailjet/inbound', { timeout: '5s' });
 * report.failures // []
 */
export async function checkParseConsumer(url: string, options: Pick<CheckOptions, 'timeout' | 'policy'> & CheckProgress = {}): Promise<CheckReport> {
  const settings = resolveCheckOptions(url, { timeout: options.timeout, policy: options.policy, version: 1 });
  const info: CheckRunInfo = {
    url: settings.maskedUrl,
    policy: settings.policy.name,
    policyDescription: settings.policy.description,
    timeoutMs: settings.timeoutMs,
    versions: [1],
    types: [],
    maxBatch: 1,
    burst: 0,
    startedAt: new Date().toISOString(),
  };
  options.onStart?.(info);
  const started = performance.now();
  const raw = mails();
  const payloads = {
    plain: await payloadOf(raw.plain),
    multipart: await payloadOf(raw.multipart),
    reply: await payloadOf(raw.reply, { customId: 'mjsim-check', payload: '{"source":"mjsim check"}' }),
    large: await payloadOf(raw.large),
  };
  const ctx: JudgeContext = { policy: settings.policy, timeoutMs: settings.timeoutMs };
  const transport = createHttpTransport(BURST_CONCURRENCY);
  const results: CheckResult[] = [];
  const everyAnswer: CaseAnswer[] = [];
  try {
    for (const kase of planParseCheck(payloads, settings.hasCredentials)) {
      const caseStart = performance.now();
      const answers = await runCase(transport, settings, kase);
      everyAnswer.push(...answers.map((answer) => ({ caseId: kase.id, answer })));
      const result = forParseApi(judgeCase(kase, answers, ctx, performance.now() - caseStart));
      results.push(result);
      options.onResult?.(result);
    }
    const latency = judgeLatency(everyAnswer, ctx);
    results.push(latency);
    options.onResult?.(latency);
  } finally {
    transport.close();
  }
  return buildReport(info, results, performance.now() - started);
}

/**
 * The event webhook's verdict worded for the Parse API: an exhausted inbound mail is given up and its route
 * stays active (docs/decisions.md), where an event webhook URL would be suspended.
 */
function forParseApi(result: CheckResult): CheckResult {
  return { ...result, mailjet: result.mailjet.replace(/suspends the URL|drops the event/g, 'gives this mail up (the route stays active)') };
}
