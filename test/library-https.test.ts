/**
 * `createSimulator({ tls })`: the same HTTPS as `mjsim serve --tls`, its own calls still working, and the CA
 * handed to the test for its clients.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { ConfigError } from '../src/config/config.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let dir: string;
let receiver: Receiver;

/** A GET over https trusting `ca`; resolves with status and body. */
function get(url: string, ca: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    https
      .get(url, { ca, ...(auth ? { auth } : {}) }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => done({ status: response.statusCode ?? 0, body }));
      })
      .on('error', fail);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-lib-https-'));
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createSimulator with tls', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await createSimulator({ tls: 'self-signed', db: join(dir, 'sim.db') });
  });
  afterAll(() => sim.close());

  it('serves https:// with the CA beside the database, and its own calls work', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caPath).toBe(join(dir, 'mjsim-ca.pem'));
    expect(sim.ca).toBe(readFileSync(sim.caPath!, 'utf8'));
    await sim.registerUrl({ eventType: 'sent', url: receiver.url });
    const sent = await sim.send([{ From: { Email: 'shop@example.com' }, To: [{ Email: 'buyer@example.com' }], Subject: 'Hi', TextPart: 'Hello' }]);
    expect(sent.httpStatus).toBe(200);
    await sim.advance('1m');
    await sim.waitUntilIdle();
    expect(sim.deliveries()[0]).toMatchObject({ status: 'delivered', eventTypes: ['sent'] });
  });

  it('answers a client that trusts sim.ca', async () => {
    const { status, body } = await get(`${sim.url}/v3/REST/eventcallbackurl`, sim.ca!, `${sim.apiKey}:${sim.apiSecret}`);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ Count: 1, Data: [{ EventType: 'sent', Url: receiver.url }] });
  });

  it('a second simulator on the same folder gets the same CA', async () => {
    const other = await createSimulator({ tls: 'self-signed', db: join(dir, 'other.db') });
    try {
      expect(other.ca).toBe(sim.ca);
      expect((await get(`${other.url}/sim/health`, sim.ca!)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('takes the user\'s own certificate and key as PEM text', async () => {
    const own = await createSimulator({ tls: { cert: readFileSync(join(dir, 'mjsim-tls.pem'), 'utf8'), key: readFileSync(join(dir, 'mjsim-tls.pem'), 'utf8') } });
    try {
      expect(own.caPath).toBeUndefined();
      expect((await get(`${own.url}/sim/health`, sim.ca!)).status).toBe(200);
      await expect(own.registerUrl({ eventType: 'open', url: receiver.url })).resolves.toMatchObject({ eventType: 'open' });
    } finally {
      await own.close();
    }
  });

  it('rejects an unknown mode with a ConfigError', async () => {
    await expect(createSimulator({ tls: 'on' as 'self-signed' })).rejects.toBeInstanceOf(ConfigError);
  });
});
