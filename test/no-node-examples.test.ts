/**
 * docs/ci.md's Python example (`examples/no-node/mjsim_webhooks.py`, standard library only) run for real
 * against a simulator: a second run works too (the URL is reused, not registered again, which Mailjet
 * refuses with MJ18), and an error prints the ErrorMessage Mailjet's envelope carries (issue 18, defect 14).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { KEY, OTHER_KEY, OTHER_SECRET, SECRET, startTestSim, type TestSim } from './helpers/sim.js';

const run = promisify(execFile);
const SCRIPT = new URL('../examples/no-node/mjsim_webhooks.py', import.meta.url).pathname;
let sim: TestSim;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startTestSim();
  receiver = await startReceiver();
});
afterAll(async () => {
  await sim?.close();
  await receiver?.close();
});

const python = (env: Record<string, string>) =>
  run('python3', [SCRIPT], { env: { ...process.env, MJSIM_URL: sim.server.url, MJSIM_API_KEY: `${KEY}:${SECRET}`, ...env }, timeout: 30_000 }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

it('runs twice against the same account: the second run reuses the URL and delivers again', async () => {
  const first = await python({ WEBHOOK_URL: receiver.url });
  expect(first.stderr).toBe('');
  expect(first.stdout).toContain('delivered 1 attempt(s)');
  const second = await python({ WEBHOOK_URL: receiver.url });
  expect(second.stderr).toBe('');
  expect(second.stdout.match(/delivered 1 attempt\(s\)/g)).toHaveLength(2);
  expect(receiver.requests.filter((request) => request.body.includes('"event":"bounce"'))).toHaveLength(2);
});

it('a later run with another WEBHOOK_URL moves the registration there', async () => {
  const other = await startReceiver();
  try {
    const moved = await python({ WEBHOOK_URL: other.url });
    expect(moved.stderr).toBe('');
    expect(other.requests).toHaveLength(1);
  } finally {
    await other.close();
  }
});

it('an error prints what Mailjet answered (its ErrorMessage), not only the HTTP status', async () => {
  const refused = await python({ WEBHOOK_URL: 'ftp://example.com/hooks', MJSIM_API_KEY: `${OTHER_KEY}:${OTHER_SECRET}` });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^POST \/v3\/REST\/eventcallbackurl: HTTP 400: \S.*/);
  expect(refused.stderr).not.toContain('Traceback');
  const unauthorized = await python({ WEBHOOK_URL: receiver.url, MJSIM_API_KEY: 'wrong:key' });
  expect(unauthorized.stderr).toBe('GET /v3/REST/eventcallbackurl?Limit=1000: HTTP 401: Unauthorized\n');
});
