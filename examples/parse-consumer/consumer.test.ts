/**
 * The Parse API consumer's own tests, as a user of mjsim would write them: the library starts a simulator
 * in-process, `receiveInbound` hands it a raw mail, and the manual clock drives Mailjet's retries.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/index.js';
import { startConsumer, type Consumer } from './consumer.js';

const MAIL = readFileSync(new URL('../../fixtures/inbound/support-request.eml', import.meta.url));
let sim: Simulator;
let consumer: Consumer;

beforeEach(async () => {
  sim = await createSimulator({ startAt: '2026-12-03T09:00:00Z' });
  consumer = await startConsumer({ user: 'mailjet', password: 's3cret' });
});
afterEach(async () => {
  await sim.close();
  await consumer.close();
});

describe('parse consumer', () => {
  it('files a multipart mail with its attachments and inline image', async () => {
    const route = await sim.registerParseRoute({ url: consumer.url, email: 'support@acme.example' });
    expect(route.email).toBe('support@acme.example');
    await sim.receiveInbound(MAIL);
    await sim.waitUntilIdle();
    expect(consumer.tickets).toHaveLength(1);
    const [ticket] = consumer.tickets;
    expect(ticket?.subject).toBe('Where is my order? ✓');
    expect(ticket?.attachments.map((a) => [a.name, a.type, a.contentId])).toEqual([
      ['lamp.png', 'image/png', 'lamp@customer.example'],
      ['order.txt', 'text/plain', null],
      ['confirmation.eml', 'message/rfc822', null],
    ]);
    expect(ticket?.spamScore).toBe(1.7);
  });

  it('gets the mail again after a wrong password is fixed: Mailjet retries anything but 200', async () => {
    const wrong = await sim.registerParseRoute({ url: consumer.url.replace(':s3cret@', ':wrong@'), email: 'support@acme.example' });
    await sim.receiveInbound(MAIL);
    await sim.waitUntilIdle();
    expect(sim.inbound()[0]).toMatchObject({ status: 'pending', attemptCount: 1 });
    await fetch(`${sim.url}/v3/REST/parseroute/${wrong.id}`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Url: consumer.url }),
    });
    await sim.advance('30s');
    expect(consumer.tickets).toHaveLength(1);
    expect(sim.inbound()[0]).toMatchObject({ status: 'delivered', attemptCount: 2 });
  });
});
