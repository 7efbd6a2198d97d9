/**
 * `mjsim serve --tls …` as a child process, reached the way users reach it: node-mailjet with its default
 * https:// and only the host changed, curl with --cacert, the CLI over MJSIM_URL, and a plain-HTTP request
 * to the TLS port, which must fail fast and say why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const run = promisify(execFile);
const CURL = '/usr/bin/curl';
const SDK = resolve('node_modules/node-mailjet');

/** node-mailjet in its own process: NODE_EXTRA_CA_CERTS is read once, at start. */
const SDK_SCRIPT = `
const Mailjet = require(process.env.SDK);
const [host, hook] = process.argv.slice(2);
const client = Mailjet.apiConnect('K1', 'S1', { config: { host } });
(async () => {
  try {
    const url = await client.post('eventcallbackurl').request({ EventType: 'sent', Url: hook, Version: 2 });
    const send = await client.post('send', { version: 'v3.1' }).request({
      Messages: [{ From: { Email: 'shop@example.com' }, To: [{ Email: 'buyer@example.com' }], Subject: 'Hi', TextPart: 'Hello' }],
    });
    console.log(JSON.stringify({ protocol: Mailjet.Request.protocol, url: [url.response.status, url.body], send: [send.response.status, send.body] }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.message }));
  }
})();
`;

let dir: string;
let sim: CliSim;
let ca: string;
let receiver: Receiver;

const env = (extra: Record<string, string> = {}) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_') && name !== 'NODE_EXTRA_CA_CERTS')), ...extra });

async function sdk(host: string, hook: string, trust: boolean): Promise<Record<string, unknown>> {
  const script = join(dir, 'sdk.cjs');
  writeFileSync(script, SDK_SCRIPT);
  const { stdout } = await run(process.execPath, [script, host, hook], { env: env({ SDK, ...(trust ? { NODE_EXTRA_CA_CERTS: ca } : {}) }), timeout: 20_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-https-'));
  receiver = await startReceiver();
  sim = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--api-key', 'K1:S1', '--tls', 'self-signed']);
  ca = join(dir, 'mjsim-ca.pem');
});

afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mjsim serve --tls self-signed', () => {
  it('serves https:// and prints the CA to trust, kept beside the database with private keys 0600', () => {
    expect(sim.url).toBe(`https://127.0.0.1:${sim.port}`);
    expect(sim.stdout()).toContain(`  CA: ${ca} (new: trust it once)\n`);
    expect(new X509Certificate(readFileSync(ca)).ca).toBe(true);
    expect(statSync(join(dir, 'mjsim-ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'mjsim-tls.pem')).mode & 0o777).toBe(0o600);
  });

  it('node-mailjet with its default https:// and only the host changed registers a URL and sends', async () => {
    const result = await sdk(`localhost:${sim.port}`, receiver.url, true);
    expect(result.protocol).toBe('https://');
    const [urlStatus, urlBody] = result.url as [number, { Data: { EventType: string; Url: string }[] }];
    expect(urlStatus).toBe(201);
    expect(urlBody.Data[0]).toMatchObject({ EventType: 'sent', Url: receiver.url });
    const [sendStatus, sendBody] = result.send as [number, { Messages: { Status: string; To: { Email: string }[] }[] }];
    expect(sendStatus).toBe(200);
    expect(sendBody.Messages[0]).toMatchObject({ Status: 'success', To: [{ Email: 'buyer@example.com' }] });
    const [hook] = await receiver.waitFor(1);
    expect(JSON.parse(hook!.body)).toMatchObject([{ event: 'sent', email: 'buyer@example.com' }]);
  });

  it('node-mailjet that does not trust the CA is refused by its own TLS check', async () => {
    const result = await sdk(`127.0.0.1:${sim.port}`, receiver.url, false);
    expect(result.error).toMatch(/unable to verify the first certificate|self[- ]signed certificate/);
  });

  it('curl --cacert works; curl without it refuses the certificate', async () => {
    const { stdout } = await run(CURL, ['-sS', '--max-time', '10', '--cacert', ca, '-u', 'K1:S1', `${sim.url}/v3/REST/eventcallbackurl`]);
    expect(JSON.parse(stdout)).toMatchObject({ Count: 1, Data: [{ EventType: 'sent' }] });
    const refused = await run(CURL, ['-sS', '--max-time', '10', `${sim.url}/sim/health`]).catch((error: { code: number }) => error);
    expect((refused as { code: number }).code).toBe(60);
  });

  it('an https.Agent given the CA works, as a Node program without NODE_EXTRA_CA_CERTS would do it', async () => {
    const body = await new Promise<string>((done, fail) => {
      https
        .get(`${sim.url}/sim/health`, { ca: readFileSync(ca) }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => done(text));
        })
        .on('error', fail);
    });
    expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
  });

  it('the CLI reaches it through MJSIM_URL with NODE_EXTRA_CA_CERTS, and says what to set without it', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'health'], { env: env({ MJSIM_URL: sim.url, MJSIM_API_KEY: 'K1:S1', NODE_EXTRA_CA_CERTS: ca }) });
    expect(stdout).toMatch(/ok/);
    const failed = await run(process.execPath, [BIN, 'health'], { env: env({ MJSIM_URL: sim.url, MJSIM_API_KEY: 'K1:S1' }) }).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(3);
    expect((failed as { stderr: string }).stderr).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('a plain-HTTP request to the TLS port gets a 400 at once that names the https:// URL, in the API\'s envelope', async () => {
    const started = Date.now();
    const { stdout } = await run(CURL, ['-sS', '--max-time', '5', '-w', '\n%{http_code}', `http://127.0.0.1:${sim.port}/sim/health`]);
    expect(stdout).toBe(`{"error":{"code":"https-required","message":"this port speaks HTTPS: use https://127.0.0.1:${sim.port}/sim/health"}}\n400`);
    const response = await fetch(`http://127.0.0.1:${sim.port}/v3/REST/eventcallbackurl`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ EventType: 'open', Url: receiver.url }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      ErrorInfo: '',
      ErrorMessage: `this port speaks HTTPS: use https://127.0.0.1:${sim.port}/v3/REST/eventcallbackurl`,
      StatusCode: 400,
    });
    // Both answers came at once, not after a handshake timeout.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a restart on the same folder reuses the CA and the certificate', async () => {
    const caBefore = readFileSync(ca, 'utf8');
    const serverBefore = readFileSync(join(dir, 'mjsim-tls.pem'), 'utf8');
    await sim.stop();
    sim = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--api-key', 'K1:S1', '--tls', 'self-signed']);
    expect(sim.stdout()).toContain(`  CA: ${ca}\n`);
    expect(readFileSync(ca, 'utf8')).toBe(caBefore);
    expect(readFileSync(join(dir, 'mjsim-tls.pem'), 'utf8')).toBe(serverBefore);
    const { stdout } = await run(CURL, ['-sS', '--max-time', '10', '--cacert', ca, `${sim.url}/sim/health`]);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok' });
  });
});

describe('mjsim serve --tls-cert --tls-key', () => {
  it('serves HTTPS with the user\'s own certificate', async () => {
    const cert = join(dir, 'user-cert.pem');
    const key = join(dir, 'user-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const own = await startCli(['--port', '0', '--db', ':memory:', '--api-key', 'K1:S1', '--tls-cert', cert, '--tls-key', key]);
    expect(own.url).toMatch(/^https:\/\//);
    expect(own.stdout()).not.toContain('CA:');
    const { stdout } = await run(CURL, ['-sS', '--max-time', '10', '--cacert', cert, '-u', 'K1:S1', `${own.url}/v3/REST/eventcallbackurl`]);
    expect(JSON.parse(stdout)).toMatchObject({ Count: 0 });
    await own.stop();
  });
});
