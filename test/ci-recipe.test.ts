/**
 * The GitHub Actions recipe of docs/ci.md, step by step: `mjsim serve` started in the background with its keys
 * in the environment, `mjsim health --wait` until it answers, a consumer's calls, `mjsim urls --fail-on-dead`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const run = promisify(execFile);
let service: ChildProcess | undefined;
let receiver: Receiver | undefined;

afterAll(async () => {
  service?.kill('SIGKILL');
  await receiver?.close();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

it('works as docs/ci.md says', async () => {
  const port = await freePort();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  const env = { ...clean, MJSIM_API_KEYS: 'ci-public:ci-secret', MJSIM_API_KEY: 'ci-public:ci-secret', MJSIM_URL: `http://127.0.0.1:${port}` };
  service = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--clock', 'manual', '--db', ':memory:'], { env, stdio: 'ignore' });
  const mjsim = (...args: string[]) =>
    run(process.execPath, [BIN, ...args], { env }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );

  expect(await mjsim('health', '--wait', '30s')).toBe(0);

  receiver = await startReceiver();
  const auth = { authorization: `Basic ${Buffer.from('ci-public:ci-secret').toString('base64')}`, 'content-type': 'application/json' };
  const base = env.MJSIM_URL;
  const registered = await fetch(`${base}/v3/REST/eventcallbackurl`, { method: 'POST', headers: auth, body: JSON.stringify({ EventType: 'bounce', Url: receiver.url }) });
  expect(registered.status).toBe(201);
  await fetch(`${base}/sim/events`, { method: 'POST', headers: auth, body: JSON.stringify({ event: 'bounce', email: 'gone@example.com' }) });
  await receiver.waitFor(1);
  expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ event: 'bounce', email: 'gone@example.com' });
  expect(await mjsim('urls', '--fail-on-dead')).toBe(0);

  receiver.reply({ status: 500 });
  await fetch(`${base}/sim/events`, { method: 'POST', headers: auth, body: JSON.stringify({ event: 'bounce', email: 'again@example.com' }) });
  const advanced = await fetch(`${base}/sim/clock/advance`, { method: 'POST', headers: auth, body: JSON.stringify({ by: '5h5m' }) });
  expect(await advanced.json()).toMatchObject({ urlsSuspended: 1 });
  expect(await mjsim('urls', '--fail-on-dead')).toBe(1);
});
