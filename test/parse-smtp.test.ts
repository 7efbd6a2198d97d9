/**
 * Inbound mail by SMTP: mjsim's listener as Mailjet's MX for parse route addresses (no AUTH needed for them,
 * relaying denied for the rest), and replies that carry the CustomID and EventPayload of the message they
 * answer, whether it was sent by the Send API or by SMTP.
 */
import { describe, expect, it } from 'vitest';
import { loggedIn, sendRaw } from './helpers/smtp.js';
import { nested, postInbound, registerRoute, SUPPORT_REQUEST } from './helpers/inbound.js';
import type { Receiver } from './helpers/receiver.js';
import type { TestSim } from './helpers/sim.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';

let sim: TestSim;
let receiver: Receiver;
useSimAndReceiver((pair) => ({ sim, receiver } = pair));

const port = () => sim.server.smtp!.port;
const inboundRows = async () => ((await (await sim.api('/sim/inbound')).json()) as { inbound: { subject: string; status: string }[] }).inbound;

describe('inbound mail by SMTP', () => {
  it('refuses unauthenticated mail while no route exists (530), and relaying to other addresses (550 5.7.1)', async () => {
    const before = await loggedIn(port(), false);
    expect((await before.command('MAIL FROM:<jane@customer.example>')).code).toBe(530);
    before.close();
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    const smtp = await loggedIn(port(), false);
    expect((await smtp.command('MAIL FROM:<jane@customer.example>')).code).toBe(250);
    const denied = await smtp.command('RCPT TO:<someone@elsewhere.example>');
    expect(denied.code).toBe(550);
    expect(denied.text).toMatch(/^5\.7\.1 /);
    smtp.close();
  });

  it('accepts a mail to a route without AUTH, like an MX, and POSTs it with the SMTP envelope', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    const smtp = await loggedIn(port(), false);
    const reply = await sendRaw(smtp, 'bounces@customer.example', ['SUPPORT@acme.example'], SUPPORT_REQUEST.toString('latin1'));
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/1 inbound for the Parse API/);
    smtp.close();
    const [request] = await receiver.waitFor(1);
    const payload = JSON.parse(request?.body ?? '') as Record<string, string>;
    expect(payload.Sender).toBe('bounces@customer.example');
    expect(payload.Recipient).toBe('SUPPORT@acme.example');
    expect(payload.Subject).toBe('Where is my order? ✓');
    expect(payload.SpamAssassinScore).toBe('1.7');
  });

  it('lets an authenticated session send to a route and relay to others in one mail', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    const smtp = await loggedIn(port());
    const reply = await sendRaw(smtp, 'app@acme.example', ['support@acme.example', 'jane@customer.example'], 'From: app@acme.example\r\nSubject: both\r\n\r\nhello');
    expect(reply.code).toBe(250);
    expect(reply.text).toMatch(/MessageID \d+; 1 inbound for the Parse API/);
    smtp.close();
    await receiver.waitFor(1);
    expect((await inboundRows())[0]?.subject).toBe('both');
  });

  it('refuses a mail nested thousands deep with a permanent 554 and stores nothing', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`);
    const smtp = await loggedIn(port(), false);
    const reply = await sendRaw(smtp, 'a@customer.example', ['support@acme.example'], nested(3_000));
    expect(reply.code).toBe(554);
    expect(reply.text).toMatch(/^5\.6\.0 MIME parts are nested more than 100 deep/);
    smtp.close();
    expect(await inboundRows()).toEqual([]);
  });
});

describe('a reply carries CustomID and Payload of the message it answers', () => {
  it('sent by the Send API (its Message-ID is <MessageUUID@mjsim.local>)', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`, 'replies@acme.example');
    const sent = await sim.api('/v3.1/send', {
      method: 'POST',
      json: { Messages: [{ From: { Email: 'replies@acme.example' }, To: [{ Email: 'jane@customer.example' }], Subject: 'Your ticket', TextPart: 'Hi', CustomID: 'ticket-7', EventPayload: '{"ticket":7}' }] },
    });
    const uuid = ((await sent.json()) as { Messages: { To: { MessageUUID: string }[] }[] }).Messages[0]?.To[0]?.MessageUUID;
    const reply = `From: jane@customer.example\r\nTo: replies@acme.example\r\nSubject: Re: Your ticket\r\nIn-Reply-To: <${uuid}@mjsim.local>\r\n\r\nThanks`;
    expect((await postInbound(sim, reply)).status).toBe(201);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ CustomID: 'ticket-7', Payload: '{"ticket":7}' });
  });

  it('sent by SMTP with X-MJ-CustomID and X-MJ-EventPayload (found through References)', async () => {
    await registerRoute(sim, `${receiver.url}/mj_parse`, 'replies@acme.example');
    const smtp = await loggedIn(port());
    const original = 'From: replies@acme.example\r\nTo: jane@customer.example\r\nSubject: Order\r\nMessage-ID: <order-9@acme.example>\r\nX-MJ-CustomID: order-9\r\nX-MJ-EventPayload: shop=acme\r\n\r\nYour order';
    expect((await sendRaw(smtp, 'replies@acme.example', ['jane@customer.example'], original)).code).toBe(250);
    smtp.close();
    const reply = 'From: jane@customer.example\r\nTo: replies@acme.example\r\nSubject: Re: Order\r\nReferences: <other@x.example> <order-9@acme.example>\r\n\r\nThanks';
    expect((await postInbound(sim, reply)).status).toBe(201);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ CustomID: 'order-9', Payload: 'shop=acme' });
  });
});
