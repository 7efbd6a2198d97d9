/**
 * An https receiver whose certificate cannot be trusted: the attempt fails as `tls`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSim, type TestSim } from './helpers/sim.js';

let dir: string;
let server: https.Server;
let sim: TestSim;
let received = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
    stdio: 'ignore',
  });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
    received += 1;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it('a self-signed certificate fails the attempt as tls, and nothing reaches the receiver', async () => {
  const port = (server.address() as AddressInfo).port;
  await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: `https://127.0.0.1:${port}/hook` } });
  await sim.api('/sim/events', { method: 'POST', json: { event: 'open' } });
  await sim.server.engine.idle();
  const list = (await (await sim.api('/sim/deliveries')).json()) as { deliveries: { id: number; status: string }[] };
  const detail = (await (await sim.api(`/sim/deliveries/${list.deliveries[0]!.id}`)).json()) as { attempts: { outcome: string; error: string }[] };
  expect(detail.attempts[0]!.outcome).toBe('tls');
  expect(list.deliveries[0]!.status).toBe('pending');
  expect(received).toBe(0);
});
