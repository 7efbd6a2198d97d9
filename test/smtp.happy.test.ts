/**
 * The SMTP relay as real applications use it: Nodemailer, Python's smtplib and Django's SMTP backend
 * authenticate with an API key pair and send to To, Cc and Bcc with Mailjet's headers; each recipient
 * becomes a message with Mailjet's events, found by the polling API like a Send API message.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { beforeEach, describe, expect, it } from 'vitest';
import { stableId } from '../src/core/event-payload.js';
import { findMessagesByHeaderMessageId } from '../src/db/messages.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { advance, eventsFor, HOUR, message, registerAll, send } from './helpers/send.js';
import { KEY, SECRET, type TestSim } from './helpers/sim.js';
import { loggedIn, sendRaw } from './helpers/smtp.js';

const run = promisify(execFile);
let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));
beforeEach(async () => {
  await registerAll(sim, receiver.url);
});

const smtpPort = () => sim.server.smtp!.port;
const RECIPIENTS = ['jane@example.com', 'bob@example.com', 'carl@example.com'];

/** Every recipient got `sent` carrying the mail's CustomID, Payload and campaign; the polling API finds the three by CustomID. */
async function expectRelayed(customId: string, payload: string, campaign: string): Promise<void> {
  await advance(sim, 3 * HOUR);
  await receiver.waitFor(3);
  for (const email of RECIPIENTS) {
    const [sent] = eventsFor(receiver, email);
    expect(sent).toMatchObject({ event: 'sent', email, CustomID: customId, Payload: payload, customcampaign: campaign, mj_campaign_id: stableId(`campaign:${campaign}`, 100_000) });
  }
  // /sim/deliveries marks what arrived by SMTP: each delivery of a relayed mail names its message as `smtp`.
  const sentDeliveries = (await (await sim.api('/sim/deliveries?eventType=sent')).json()) as { deliveries: { id: number }[] };
  expect(sentDeliveries.deliveries.length).toBeGreaterThanOrEqual(1);
  for (const { id } of sentDeliveries.deliveries) {
    const detail = (await (await sim.api(`/sim/deliveries/${id}`)).json()) as { messages: { source: string }[] };
    expect(detail.messages.length).toBeGreaterThanOrEqual(1);
    expect(detail.messages.every((m) => m.source === 'smtp')).toBe(true);
  }
  const listed = await sim.api(`/v3/REST/message?CustomID=${encodeURIComponent(customId)}`);
  const body = (await listed.json()) as { Count: number; Data: { Status: string }[] };
  expect(body.Count).toBe(3);
  const rows = sim.server.db.$client.prepare('select email, recipient_type, source from messages where custom_id = ? order by id').all(customId);
  expect(rows).toEqual([
    { email: 'jane@example.com', recipient_type: 'To', source: 'smtp' },
    { email: 'bob@example.com', recipient_type: 'Cc', source: 'smtp' },
    { email: 'carl@example.com', recipient_type: 'Bcc', source: 'smtp' },
  ]);
}

describe('the SMTP relay with real clients', () => {
  it('Nodemailer: AUTH, To/Cc/Bcc and Mailjet headers become three messages with their events; 250 names them', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort(), secure: false, auth: { user: KEY, pass: SECRET } });
    const info = await transport.sendMail({
      from: 'The Shop <shop@example.com>',
      to: 'Jane <jane@example.com>',
      cc: 'bob@example.com',
      bcc: 'carl@example.com',
      subject: 'Your order',
      text: 'Thanks',
      html: '<p>Thanks <a href="https://shop.example.com/o/42">order</a></p>',
      messageId: '<order-42@shop.example.com>',
      headers: { 'X-MJ-CustomID': 'order-42', 'X-MJ-EventPayload': '{"cart":42}', 'X-Mailjet-Campaign': 'winter sale' },
    });
    transport.close();
    expect(info.response).toMatch(/^250 2\.6\.0 Queued: 3 messages, MessageID \d+ to \d+$/);
    expect(info.accepted).toEqual(RECIPIENTS);
    expect(findMessagesByHeaderMessageId(sim.server.db, '<order-42@shop.example.com>').map((m) => m.email)).toEqual(RECIPIENTS);
    await expectRelayed('order-42', '{"cart":42}', 'winter sale');
  });

  it("Python's smtplib (standard library only): the same three recipients, the same events", async () => {
    const script = `
import os, smtplib
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'shop@example.com'
m['To'] = 'jane@example.com'
m['Cc'] = 'bob@example.com'
m['Subject'] = 'Your order'
m['X-MJ-CustomID'] = 'py-7'
m['X-MJ-EventPayload'] = 'cart=7'
m['X-Mailjet-Campaign'] = 'spring'
m.set_content('Thanks')
with smtplib.SMTP('127.0.0.1', int(os.environ['PORT'])) as s:
    s.login(os.environ['KEY'], os.environ['SECRET'])
    refused = s.send_message(m, to_addrs=['jane@example.com', 'bob@example.com', 'carl@example.com'])
    print('refused', refused)
`;
    const { stdout } = await run('python3', ['-c', script], { env: { ...process.env, PORT: String(smtpPort()), KEY, SECRET } });
    expect(stdout.trim()).toBe('refused {}');
    await expectRelayed('py-7', 'cart=7', 'spring');
  });

  it("Django's SMTP backend sends through the relay (skipped without Django: apt-get install python3-django)", async (context) => {
    const django = await run('/usr/bin/python3', ['-c', 'import django']).then(
      () => true,
      () => false,
    );
    if (!django) {
      console.log('smtp.happy.test: Django is not installed (apt-get install -y python3-django): skipping the Django backend test');
      context.skip();
    }
    const script = `
import os
from django.conf import settings
settings.configure(EMAIL_BACKEND='django.core.mail.backends.smtp.EmailBackend', EMAIL_HOST='127.0.0.1', EMAIL_PORT=int(os.environ['PORT']),
                   EMAIL_HOST_USER=os.environ['KEY'], EMAIL_HOST_PASSWORD=os.environ['SECRET'], EMAIL_USE_TLS=False)
import django
django.setup()
from django.core.mail import EmailMessage
m = EmailMessage('Your order', 'Thanks', 'shop@example.com', ['jane@example.com'], cc=['bob@example.com'], bcc=['carl@example.com'],
                 headers={'X-MJ-CustomID': 'dj-9', 'X-MJ-EventPayload': 'dj', 'X-Mailjet-Campaign': 'autumn'})
print('sent', m.send())
`;
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...process.env, PORT: String(smtpPort()), KEY, SECRET } });
    expect(stdout.trim()).toBe('sent 1');
    await expectRelayed('dj-9', 'dj', 'autumn');
  });

  it('plus-tags and X-Mailjet-TrackOpen: 0 behave as through the Send API', async () => {
    const html = 'Content-Type: text/html\r\n\r\n<p>Hi <a href="https://shop.example.com/">shop</a></p>';
    const smtp = await loggedIn(smtpPort());
    const tagged = await sendRaw(smtp, 'shop@example.com', ['jane+click@example.com', 'bob+hardbounce@example.com'], `From: shop@example.com\r\nTo: jane+click@example.com\r\nSubject: a\r\n${html}`);
    expect(tagged.code).toBe(250);
    const untracked = await sendRaw(smtp, 'shop@example.com', ['carl+click@example.com'], `From: shop@example.com\r\nTo: carl+click@example.com\r\nX-Mailjet-TrackOpen: 0\r\nX-Mailjet-TrackClick: 0\r\nSubject: b\r\n${html}`);
    expect(untracked.code).toBe(250);
    await smtp.command('QUIT');
    // The same through the Send API, for comparison.
    await send(sim, { Messages: [message('dana+click@example.com', { TrackOpens: 'disabled', TrackClicks: 'disabled' })] });
    await advance(sim, 3 * HOUR);
    await receiver.waitFor(5);
    const types = (email: string) => eventsFor(receiver, email).map((event) => event.event);
    expect(types('jane+click@example.com')).toEqual(['sent', 'open', 'click']);
    expect(types('bob+hardbounce@example.com')).toEqual(['bounce']);
    expect(types('carl+click@example.com')).toEqual(types('dana+click@example.com'));
    expect(types('carl+click@example.com')).toEqual(['sent']);
  });

  it('keeps the Message-ID a client set, assigns <MessageUUID@mjsim.local> otherwise', async () => {
    const smtp = await loggedIn(smtpPort());
    const reply = await sendRaw(smtp, 'shop@example.com', ['a@example.com'], 'From: shop@example.com\r\nSubject: no id\r\n\r\nHi');
    expect(reply.code).toBe(250);
    const id = /MessageID (\d+)/.exec(reply.text)![1]!;
    const { uuid } = sim.server.db.$client.prepare('select uuid from messages where message_id = ?').get(id) as { uuid: string };
    expect(findMessagesByHeaderMessageId(sim.server.db, `<${uuid}@mjsim.local>`).map((m) => m.messageId)).toEqual([id]);
    smtp.close();
  });
});
