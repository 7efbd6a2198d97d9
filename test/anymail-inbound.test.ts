/**
 * Done when: django-anymail's MailjetInboundWebhookView, a real third-party Parse API consumer, receives a
 * multipart mail sent to a route by Python's smtplib (no AUTH, as to an MX) and through `/sim/inbound`, and
 * recovers every field.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anymailMissing, startAnymailConsumer, type AnymailConsumer, type AnymailInbound } from './helpers/anymail-consumer.js';
import { postInbound, registerRoute, SUPPORT_REQUEST } from './helpers/inbound.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

const missing = anymailMissing();
if (missing) console.warn(`anymail-inbound.test.ts: ${missing}`);

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** What anymail must recover from the support request fixture. */
export function expectSupportRequest(message: AnymailInbound, envelope: { sender: string; recipient: string }): void {
  expect(message.esp_name).toBe('Mailjet');
  expect(message.subject).toBe('Where is my order? ✓');
  expect(message.from).toEqual(['Jane Döe', 'jane@customer.example']);
  expect(message.to).toEqual([['Support', 'support@acme.example']]);
  expect(message.cc).toEqual([['Bob', 'bob@customer.example']]);
  expect(message.date).toBe('2026-12-03T10:00:00+01:00');
  expect(message.text).toContain('my order has not arrived. Café crème lamp, see attached.');
  expect(message.html).toContain('<p>my order has not arrived. Café crème lamp:</p><img src="cid:lamp@customer.example">');
  expect(message.attachments.map(({ filename, content_type }) => [filename, content_type])).toEqual([
    ['order.txt', 'text/plain'],
    ['confirmation.eml', 'message/rfc822'],
  ]);
  expect(Buffer.from(message.attachments[0]?.content ?? '', 'base64').toString()).toBe('Order 42: two lamps.\r\n');
  expect(Buffer.from(message.attachments[1]?.content ?? '', 'base64').toString()).toContain('Subject: Your order 42');
  expect(message.inlines['lamp@customer.example']).toEqual({ content_type: 'image/png', content: PNG_BASE64 });
  expect(message.envelope_sender).toBe(envelope.sender);
  expect(message.envelope_recipient).toBe(envelope.recipient);
  expect(message.spam_score).toBe(1.7);
}

describe.skipIf(missing !== undefined)('django-anymail receives inbound mail from mjsim', () => {
  let sim: TestSim;
  let consumer: AnymailConsumer;
  beforeAll(async () => {
    [sim, consumer] = await Promise.all([startTestSim(), startAnymailConsumer()]);
    await registerRoute(sim, consumer.url);
  });
  afterAll(async () => {
    await sim?.close();
    await consumer?.close();
  });

  it('through POST /sim/inbound', async () => {
    const res = await postInbound(sim, SUPPORT_REQUEST, '?sender=bounces%2Bjane@customer.example');
    expect(res.status).toBe(201);
    expectSupportRequest(await consumer.next(), { sender: 'bounces+jane@customer.example', recipient: 'support@acme.example' });
    await sim.server.engine.idle();
    const [delivery] = ((await (await sim.api('/sim/deliveries?eventType=parse')).json()) as { deliveries: { status: string }[] }).deliveries;
    expect(delivery?.status).toBe('delivered');
  });

  it("by Python's smtplib, without AUTH", async () => {
    const script = [
      'import smtplib, sys',
      'raw = open(sys.argv[2], "rb").read()',
      'with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as smtp:',
      '    refused = smtp.sendmail("jane@customer.example", ["support@acme.example"], raw)',
      '    print("refused", refused)',
    ].join('\n');
    const fixture = new URL('../fixtures/inbound/support-request.eml', import.meta.url).pathname;
    // Asynchronously: the simulator answers SMTP in this very process.
    const sent = await promisify(execFile)('/usr/bin/python3', ['-c', script, String(sim.server.smtp!.port), fixture], { encoding: 'utf8' });
    expect(sent.stderr).toBe('');
    expect(sent.stdout.trim()).toBe('refused {}');
    expectSupportRequest(await consumer.next(), { sender: 'jane@customer.example', recipient: 'support@acme.example' });
  });
});
