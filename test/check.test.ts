/**
 * `mjsim check` against real consumers on 127.0.0.1: the example consumer (correct, with Basic auth), a
 * deliberately wrong one, a redirecting one and a recording receiver. The CLI runs as a real child process;
 * the library (`checkConsumer`) must return the same results.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer, type Consumer } from '../examples/webhook-consumer/consumer.js';
import { checkConsumer, type CheckReport } from '../src/index.js';
import { BIN } from './helpers/cli.js';
import { startReceiver } from './helpers/receiver.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `mjsim check ...args` as a child process. */
function mjsimCheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return mjsimCheckWith({}, ...args);
}

/** The same, with these MJSIM_* variables set (and no other). */
function mjsimCheckWith(vars: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_'))), ...vars };
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, 'check', ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** What must not differ between two runs: each case's verdict and, outside the burst, its answers. */
const essence = (report: Pick<CheckReport, 'results'>) =>
  report.results.map((result) => ({ id: result.id, verdict: result.verdict, statuses: result.id === 'burst' ? Object.keys(result.statuses).sort() : result.statuses }));

/** A report line with its run-dependent numbers (sizes, IDs, milliseconds) replaced by N. */
const pinned = (report: CheckReport) =>
  report.results.map((r) => `${r.verdict} ${r.id} | ${r.sent} | ${r.received.replace(/ in (\d+ s ?)?(\d+ ms)?$/, ' in N ms')} | ${r.mailjet}`.replace(/\d+(\.\d+)?/g, 'N'));

/**
 * The wrong consumer: it answers 204 to opens, takes 2.5 s over clicks, has no capacity for more
 * than four requests at once (503) and checks no credentials.
 */
async function startWrongConsumer(): Promise<{ url: string; close(): Promise<void> }> {
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    res.on('close', () => (inFlight -= 1));
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      if (inFlight > 4) return res.writeHead(503).end('Service Unavailable');
      const body = JSON.parse(text) as { event?: string } | unknown[];
      const event = Array.isArray(body) ? undefined : body.event;
      if (event === 'open') return res.writeHead(204).end();
      setTimeout(() => res.writeHead(200).end('ok'), event === 'click' ? 2_500 : 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://hook:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/mailjet`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('a correct consumer: examples/webhook-consumer with Basic auth, its URL carrying the credentials', () => {
  let consumer: Consumer;
  beforeAll(async () => {
    consumer = await startConsumer({ credentials: 'hook:s3cret' });
  });
  afterAll(() => consumer.close());

  it('the CLI exits 0 with every case passing; --json and --junit are pinned; the library returns the same', async () => {
    const junit = join(dir, 'correct.xml');
    const cli = await mjsimCheck(consumer.primaryUrl, '--json', '--junit', junit);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const report = JSON.parse(cli.stdout) as CheckReport;
    expect(Object.keys(report)).toEqual([
      'url', 'policy', 'policyDescription', 'timeoutMs', 'versions', 'types', 'maxBatch', 'burst', 'startedAt',
      'durationMs', 'requests', 'counts', 'results', 'failures', 'warnings', 'blocker', 'firstFix',
    ]);
    expect(report).toMatchObject({ blocker: null, firstFix: null });
    expect(report).toMatchObject({ url: expect.stringMatching(/^http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/webhooks\/mailjet$/), policy: 'mailjet-2017', timeoutMs: 10_000, maxBatch: 500, burst: 50 });
    expect(cli.stdout).not.toContain('s3cret');
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.counts).toEqual({ pass: 19, warn: 0, fail: 0 });
    expect(report.requests).toBe(7 + 2 + 2 + 1 + 2 + 3 + 50);
    expect(Object.keys(report.results[0]!)).toEqual(['id', 'title', 'verdict', 'sent', 'received', 'mailjet', 'requests', 'statuses', 'latencyMs']);
    expect(pinned(report)).toEqual([
      'pass vN-sent | Version N: one sent object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-open | Version N: one open object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-click | Version N: one click object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-bounce | Version N: one bounce object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-spam | Version N: one spam object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-blocked | Version N: one blocked object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-unsub | Version N: one unsub object, N B | N in N ms | Mailjet counts it delivered',
      'pass vN-mixed | Version N: an array of N events (sent, open, click, bounce, spam, blocked, unsub), N kB | N in N ms | Mailjet counts it delivered',
      'pass vN-max-batch | Version N: an array of N events (--max-batch), N kB | N in N ms | Mailjet counts it delivered',
      'pass unknown-fields | Version N: one sent event with two fields it has never seen (mj_future_field, future_object) | N in N ms | Mailjet counts it delivered',
      'pass empty-fields | Version N: one sent event with CustomID, Payload and customcampaign all "" | N in N ms | Mailjet counts it delivered',
      'pass big-message-id | Version N: one sent event with MessageID N as an exact JSON integer | N in N ms | Mailjet counts it delivered',
      'pass duplicate | Version N: the same sent event twice, one after the other | N in N ms; N in N ms | Mailjet counts each delivered',
      'pass credentials-right | Version N: one sent event with the URL\'s user and password (Basic auth) | N in N ms | Mailjet counts it delivered',
      'pass credentials-wrong | Version N: one sent event with the URL\'s user and a wrong password | N, empty body, in N ms | Mailjet always sends the URL\'s credentials; refusing anything else keeps fake events out',
      'pass credentials-none | Version N: one sent event without an Authorization header | N, empty body, in N ms | Mailjet always sends the URL\'s credentials; refusing anything else keeps fake events out',
      'pass burst | Version N: N sent objects at once, at most N in flight | N ×N in N ms | Mailjet counts them all delivered',
      'pass latency | every request above (N) | pN N ms, pN N ms, slowest N ms, over N answers | Well within the N s Mailjet waits',
      'pass no-redirects | every request above (N) | no Nxx among N answers | Mailjet does not follow redirects; none was needed',
    ]);
    expect(report.results.find((r) => r.id === 'credentials-wrong')!.statuses).toEqual({ 401: 1 });

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="mjsim check" tests="19" failures="0" errors="0" skipped="0" time="\d+\.\d{3}">\n/);
    expect([...xml.matchAll(/<testcase name="([^"]+)" classname="mjsim\.check" time="\d+\.\d{3}">/g)].map((m) => m[1])).toEqual(report.results.map((r) => r.id));
    expect(xml.match(/<property name="verdict" value="pass"\/>/g)).toHaveLength(19);
    expect(xml).not.toContain('<failure');
    expect(xml).not.toContain('s3cret');

    const library = await checkConsumer(consumer.primaryUrl);
    expect(library.failures).toEqual([]);
    expect(essence(library)).toEqual(essence(report));
    expect(pinned(library)).toEqual(pinned(report));
  });
});

describe('a wrong consumer: 204 on opens, slow clicks, 503 under a burst, no credentials check', () => {
  let wrong: Awaited<ReturnType<typeof startWrongConsumer>>;
  beforeAll(async () => {
    wrong = await startWrongConsumer();
  });
  afterAll(() => wrong.close());

  it('the library fails exactly those cases and warns about the credentials; the CLI exits 1 with the same', async () => {
    const report = await checkConsumer(wrong.url, { timeout: '1s' });
    expect(report.failures.map((r) => r.id)).toEqual(['v1-open', 'v1-click', 'burst', 'latency']);
    expect(report.warnings.map((r) => r.id)).toEqual(['credentials-wrong', 'credentials-none']);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId['v1-open']).toMatchObject({ received: expect.stringMatching(/^204, empty body, in \d+ ms$/), mailjet: 'Only 200 is success, 204 is a failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL' });
    expect(byId['v1-click']).toMatchObject({ received: 'no complete answer within 1 s (timeout)', statuses: { timeout: 1 } });
    expect(byId.burst).toMatchObject({
      received: expect.stringMatching(/^(503 ×\d+, 200 ×\d+|200 ×\d+, 503 ×\d+) in (\d+ s )?\d+ ms$/),
      mailjet: 'Each answer other than 200 is a failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL; the retries add to the next burst',
    });
    expect(byId.latency!.received).toMatch(/; 1 took longer than 1 s \(v1-click\)$/);
    expect(byId['credentials-wrong']!.received).toMatch(/^200 in \d+ ms: accepted$/);

    const cli = await mjsimCheck(wrong.url, '--timeout', '1s');
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^mjsim check http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/mailjet\n/);
    expect(cli.stdout).toMatch(/^fail  v1-open +Version 1: one open object, \d+ B {2}→ {2}204, empty body, in \d+ ms {2}→ {2}Only 200 is success, 204 is a failed attempt: Mailjet retries this 20 more times over 5 h 05 min, then suspends the URL$/m);
    expect(cli.stdout).toMatch(/^fail  v1-click +Version 1: one click object, \d+ B {2}→ {2}no complete answer within 1 s \(timeout\) {2}→ {2}Mailjet stops waiting after 1 s, a failed attempt: Mailjet retries this 20 more times/m);
    expect(cli.stdout).toMatch(/^warn  credentials-none +.*200 in \d+ ms: accepted {2}→ {2}.*fake bounce/m);
    expect(cli.stdout).toMatch(/\n4 fail, 2 warn, 13 pass · 67 requests in \d+\.\d s\n$/);
    const verdicts = [...cli.stdout.matchAll(/^(pass|warn|fail) {2}(\S+)/gm)].map((m) => ({ id: m[2], verdict: m[1] }));
    expect(verdicts).toEqual(report.results.map((r) => ({ id: r.id, verdict: r.verdict })));
  });
});

describe('what a consumer receives, and what else is judged', () => {
  it('sends Mailjet\'s shapes through the engine\'s transport: bare objects, arrays, exact big IDs, Basic auth right, wrong and none', async () => {
    const receiver = await startReceiver();
    try {
      const url = receiver.url.replace('http://', 'http://hook:s3cret@');
      const report = await checkConsumer(url, { types: 'click,open', maxBatch: 30, burst: 5 });
      expect(report.results.map((r) => r.id)).toEqual([
        'v1-click', 'v1-open', 'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate',
        'credentials-right', 'credentials-wrong', 'credentials-none', 'burst', 'latency', 'no-redirects',
      ]);
      const requests = receiver.requests;
      expect(requests).toHaveLength(2 + 2 + 2 + 1 + 2 + 3 + 5);
      const auth = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
      expect(requests[0]!.headers).toMatchObject({ authorization: auth('hook:s3cret'), 'content-type': 'application/json', 'user-agent': expect.stringMatching(/^mjsim\/.+ \(mailjet-webhook-simulator\)$/) });
      expect(requests[0]!.path).toBe('/webhook');
      expect(JSON.parse(requests[0]!.body)).toMatchObject({ event: 'click', url: 'https://www.example.com/' });
      expect(JSON.parse(requests[2]!.body).map((e: { event: string }) => e.event)).toEqual(['click', 'open']);
      expect(JSON.parse(requests[3]!.body)).toHaveLength(30);
      const big = report.results.find((r) => r.id === 'big-message-id')!.sent.match(/MessageID (\d+)/)![1]!;
      expect(requests[6]!.body).toContain(`"MessageID":${big},`);
      expect(requests[7]!.body).toBe(requests[8]!.body);
      expect(requests[10]!.headers.authorization).toMatch(/^Basic /);
      expect(requests[10]!.headers.authorization).not.toBe(auth('hook:s3cret'));
      expect(Buffer.from(requests[10]!.headers.authorization!.slice(6), 'base64').toString()).toMatch(/^hook:wrong-[0-9a-f]{12}$/);
      expect(requests[11]!.headers.authorization).toBeUndefined();
      // The receiver answers 200 to everything: the credentials it does not check are the only warnings.
      expect(report.failures).toEqual([]);
      expect(report.warnings.map((r) => r.id)).toEqual(['credentials-wrong', 'credentials-none']);
    } finally {
      await receiver.close();
    }
  });

  it('Version 2 only: arrays for every case and no burst; a URL without credentials gets a warning', async () => {
    const receiver = await startReceiver();
    try {
      const report = await checkConsumer(receiver.url, { version: 2, types: ['bounce'], maxBatch: 3 });
      expect(report.results.map((r) => [r.id, r.verdict])).toEqual([
        ['v2-mixed', 'pass'], ['v2-max-batch', 'pass'], ['unknown-fields', 'pass'], ['empty-fields', 'pass'], ['big-message-id', 'pass'],
        ['duplicate', 'pass'], ['credentials', 'warn'], ['latency', 'pass'], ['no-redirects', 'pass'],
      ]);
      expect(receiver.requests.every((request) => request.body.startsWith('[{"event":"bounce"'))).toBe(true);
      expect(report.warnings[0]!.mailjet).toMatch(/this URL has none: anyone who learns it can post fake events/);
    } finally {
      await receiver.close();
    }
  });

  it('a redirect fails every case and the no-redirects case: Mailjet does not follow it', async () => {
    const receiver = await startReceiver();
    receiver.reply({ status: 302, body: '' });
    try {
      const report = await checkConsumer(receiver.url, { types: 'sent', burst: 0, policy: 'mailjet-2015' });
      expect(report.failures.map((r) => r.id)).toEqual(['v1-sent', 'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate', 'no-redirects']);
      expect(report.failures[0]!.mailjet).toBe('Mailjet does not follow redirects, 302 is a failed attempt: Mailjet retries this 10 more times over 1 h 40 min, then drops the event; register the final URL');
      expect(report.failures.at(-1)!.received).toBe('302 ×8 (v1-sent, v2-mixed, v2-max-batch, unknown-fields, empty-fields, big-message-id, duplicate)');
    } finally {
      await receiver.close();
    }
  });

  it('a closed port: one "cannot connect" verdict at the top, every case fails, one request sent (the CLI, a real child process)', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const cli = await mjsimCheck(url, '--types', 'open', '--burst', '3');
    expect(cli.code).toBe(1);
    const lines = cli.stdout.split('\n');
    // The verdict comes first, right under the header, before any case line.
    expect(lines[3]).toBe('fail  cannot connect: connection refused — every case below fails: start the consumer, or fix the URL');
    const verdicts = [...lines.slice(4).join('\n').matchAll(/^(pass|warn|fail) {2}(\S+) /gm)].map((m) => [m[2], m[1]]);
    expect(verdicts).toEqual(
      ['v1-open', 'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate', 'credentials', 'burst', 'latency', 'no-redirects'].map((id) => [id, 'fail']),
    );
    // latency and no-redirects need answers: a refused connection is none.
    expect(cli.stdout).toMatch(/^fail  latency +every request above \(1\)  →  no answers among 1 requests \(refused ×1\)  →  Every attempt without an answer is a failed attempt/m);
    expect(cli.stdout).toMatch(/^fail  no-redirects +every request above \(1\)  →  no answers among 1 requests/m);
    expect(cli.stdout).toMatch(/^fail  v2-mixed +.*→  not sent: cannot connect: connection refused \(see the top\)  →/m);
    expect(cli.stdout).toMatch(/\nfix this first: start the consumer, or fix the URL \(11 failing cases: v1-open, v2-mixed, .*, no-redirects\)\n\n11 fail, 0 warn, 0 pass · 1 requests in \d+\.\d s\n$/);

    const report = await checkConsumer(url, { types: 'open', burst: 3 });
    expect(report.blocker).toEqual({ kind: 'cannot-connect', message: 'cannot connect: connection refused', cause: 'start the consumer, or fix the URL' });
    expect(report.requests).toBe(1);
    expect(report.counts).toEqual({ pass: 0, warn: 0, fail: 11 });
    expect(report.firstFix).toEqual({ cause: 'start the consumer, or fix the URL', cases: report.failures.map((r) => r.id) });
  });

  it('a hanging consumer: one "no answer in 1 s" verdict at the top, after one timeout, not one per case', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer(() => undefined); // takes every request and never answers
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const cli = await mjsimCheck(url, '--types', 'sent', '--timeout', '1s', '--json');
      expect(cli.code).toBe(1);
      const report = JSON.parse(cli.stdout) as CheckReport;
      expect(report.blocker).toEqual({ kind: 'no-answer', message: 'no answer in 1 s', cause: 'answer within 1 s (the consumer took the connection, then said nothing)' });
      expect(report.requests).toBe(1);
      expect(report.durationMs).toBeLessThan(5_000);
      expect(report.results.find((r) => r.id === 'latency')).toMatchObject({ verdict: 'fail', received: 'no answers among 1 requests (timeout ×1)' });
      expect(report.results.find((r) => r.id === 'no-redirects')).toMatchObject({ verdict: 'fail' });
      expect(report.counts.pass).toBe(0);
      const text = await mjsimCheck(url, '--types', 'sent', '--timeout', '1s');
      expect(text.stdout.split('\n')[3]).toBe('fail  no answer in 1 s — every case below fails: answer within 1 s (the consumer took the connection, then said nothing)');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('one cause failing many cases is named first: answering 201 fails 14 cases', async () => {
    const receiver = await startReceiver();
    receiver.reply({ status: 201 });
    try {
      const report = await checkConsumer(receiver.url, { burst: 3 });
      expect(report.blocker).toBeNull();
      expect(report.firstFix).toEqual({
        cause: 'answer 200, not 201',
        cases: ['v1-sent', 'v1-open', 'v1-click', 'v1-bounce', 'v1-spam', 'v1-blocked', 'v1-unsub', 'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate', 'burst'],
      });
      // latency and no-redirects had answers (201s), and judge them.
      expect(report.results.filter((r) => r.id === 'latency' || r.id === 'no-redirects').map((r) => r.verdict)).toEqual(['pass', 'pass']);
      const cli = await mjsimCheck(receiver.url, '--burst', '3');
      expect(cli.stdout).toContain('\nfix this first: answer 200, not 201 (14 failing cases: v1-sent, v1-open, v1-click, v1-bounce, v1-spam, v1-blocked, v1-unsub, v2-mixed, v2-max-batch, unknown-fields, empty-fields, big-message-id, duplicate, burst)\n');
    } finally {
      await receiver.close();
    }
  });

  it('bad usage exits 2 with a message naming the option; the library throws CheckOptionsError', async () => {
    for (const [args, message] of [
      // Each names the flag as typed (`--types`, not the library's `types`).
      [['http://127.0.0.1:9/x', '--version', '3'], /check: --version takes 1, 2 or both/],
      [['http://127.0.0.1:9/x', '--types', 'sent,typofix'], /check: --types takes a comma-separated list .*unknown: typofix/],
      [['http://127.0.0.1:9/x', '--burst', '5000'], /check: --burst takes a whole number from 0 to 2000/],
      [['http://127.0.0.1:9/x', '--timeout', 'soon'], /check: --timeout takes a duration: "soon" is not a duration/],
      [['http://127.0.0.1:9/x', '--timeout', '5'], /check: --timeout takes a duration: 5: add a unit, e\.g\. 5s, 5m, 5d/],
      [['http://127.0.0.1:9/x', '--max-batch', '0'], /check: --max-batch takes a whole number from 1 to 10000/],
      [['http://127.0.0.1:9/x', '--policy', 'never'], /check: --policy takes a retry policy: unknown retry policy "never"/],
      [['ftp://u:secret@127.0.0.1/x'], /check: <url> must be an absolute http:\/\/ or https:\/\/ URL/],
      [['http://127.0.0.1:9/x', '--no-such-flag'], /unknown option/],
      [[], /missing required argument/],
    ] as const) {
      const result = await mjsimCheck(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('secret');
    }
    await expect(checkConsumer('http://127.0.0.1:9/x', { burst: -1 })).rejects.toThrow(/^burst takes a whole number from 0 to 2000, got -1$/);
    await expect(checkConsumer('http://127.0.0.1:9/x', { types: 'nope' })).rejects.toThrow(/^types takes a comma-separated list/);
    const help = await mjsimCheck('--help');
    expect(help.code).toBe(0);
    for (const flag of ['--version <n>', '--types <list>', '--timeout <duration>', '--burst <n>', '--max-batch <n>', '--policy <name>', '--json', '--junit <file>']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('takes the delivery settings from the environment when no flag is given', async () => {
    const receiver = await startReceiver();
    try {
      const vars = { MJSIM_ATTEMPT_TIMEOUT: '750ms', MJSIM_MAX_BATCH: '7', MJSIM_POLICY: 'mailjet-2015' };
      const result = await mjsimCheckWith(vars, receiver.url, '--json', '--burst', '0', '--types', 'open');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ timeoutMs: 750, maxBatch: 7, policy: 'mailjet-2015', burst: 0, counts: { fail: 0, warn: 1 } });
      expect(JSON.parse(receiver.requests[2]!.body)).toHaveLength(7);
      const flagged = await mjsimCheckWith(vars, receiver.url, '--json', '--burst', '0', '--types', 'open', '--timeout', '2s', '--max-batch', '3', '--policy', 'mailjet-2017');
      expect(JSON.parse(flagged.stdout)).toMatchObject({ timeoutMs: 2000, maxBatch: 3, policy: 'mailjet-2017' });
    } finally {
      await receiver.close();
    }
  });

  it('docs/check.md explains every case', () => {
    const page = readFileSync(new URL('../docs/check.md', import.meta.url), 'utf8');
    const start = page.indexOf('## Checking a consumer: `mjsim check`');
    expect(start).toBeGreaterThanOrEqual(0);
    const section = page.slice(start);
    for (const id of ['v1-<type>', 'v2-mixed', 'v2-max-batch', 'unknown-fields', 'empty-fields', 'big-message-id', 'duplicate', 'credentials-right', 'credentials', 'burst', 'latency', 'no-redirects']) {
      expect(section).toContain(`\`${id}\``);
    }
    expect(section).toMatch(/^\| `v1-<type>` \|/m);
    expect(section).toContain('Run it only against consumers you own');
    expect(section).toContain('### Idempotency');
  });
});
