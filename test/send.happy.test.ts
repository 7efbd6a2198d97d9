/**
 * The Send API as a real application uses it: node-mailjet's `post('send', {version: 'v3.1'})` against a
 * running mjsim, then the webhooks each recipient's lifecycle causes, once the manual clock moves.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { stableId } from '../src/core/event-payload.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';
import { advance, eventsFor, HOUR, mailjetClient, message, received, registerAll, send } from './helpers/send.js';
import { startTestSim, T0, type TestSim } from './helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;

useSimAndReceiver((pair) => ({ sim, receiver } = pair));
beforeEach(async () => {
  await registerAll(sim, receiver.url);
});

interface SdkRecipient {
  Email: string;
  MessageUUID: string;
  MessageID: string | number;
  MessageHref: string;
}

describe('POST /v3.1/send through node-mailjet', () => {
  it('answers with MessageUUID, MessageHref and exact MessageIDs above 2^53, then delivers each lifecycle on the clock', async () => {
    const client = mailjetClient(sim);
    const { body, response } = await client.post('send', { version: 'v3.1' }).request({
      Messages: [
        message('jane+click@example.com', {
          Cc: [{ Email: 'bob+open@example.com' }],
          Bcc: [{ Email: 'carl@example.com' }],
          CustomID: 'order-42',
          EventPayload: '{"cart":42}',
          CustomCampaign: 'winter-sale',
        }),
      ],
    });
    expect(response.status).toBe(200);
    const result = (body as { Messages: { Status: string; CustomID: string; To: SdkRecipient[]; Cc: SdkRecipient[]; Bcc: SdkRecipient[] }[] }).Messages[0]!;
    expect(result).toMatchObject({ Status: 'success', CustomID: 'order-42' });
    const recipients = [...result.To, ...result.Cc, ...result.Bcc];
    expect(recipients.map((recipient) => recipient.Email)).toEqual(['jane+click@example.com', 'bob+open@example.com', 'carl@example.com']);
    for (const recipient of recipients) {
      expect(recipient.MessageUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // json-bigint hands integers above 2^53 back as strings: the exact digits.
      expect(typeof recipient.MessageID).toBe('string');
      expect(BigInt(recipient.MessageID)).toBeGreaterThan(2n ** 53n);
      expect(recipient.MessageHref).toBe(`${sim.server.url}/v3/REST/message/${recipient.MessageID}`);
    }

    await sim.server.engine.idle();
    expect(receiver.requests).toHaveLength(0); // nothing happens until the clock moves

    await advance(sim, 3 * HOUR);
    await receiver.waitFor(6);
    const byRecipient = recipients.map((recipient) => eventsFor(receiver, recipient.Email));
    expect(byRecipient.map((events) => events.map((event) => event.event))).toEqual([['sent', 'open', 'click'], ['sent', 'open'], ['sent']]);
    recipients.forEach((recipient, index) => {
      for (const event of byRecipient[index]!) {
        expect(event).toMatchObject({
          MessageID: BigInt(recipient.MessageID),
          Message_GUID: recipient.MessageUUID,
          email: recipient.Email,
          CustomID: 'order-42',
          Payload: '{"cart":42}',
          customcampaign: 'winter-sale',
          mj_campaign_id: stableId('campaign:winter-sale', 100_000),
          mj_contact_id: stableId(recipient.Email),
        });
        expect(event.time as number).toBeGreaterThanOrEqual(T0 / 1000);
        expect(event.time as number).toBeLessThanOrEqual((T0 + 3 * HOUR) / 1000);
      }
    });
    const [sent, open, click] = byRecipient[0]!;
    expect(sent).toMatchObject({ mj_message_id: String(recipients[0]!.MessageID), smtp_reply: expect.stringMatching(/^sent \(250 /) });
    expect(open).toMatchObject({ ip: expect.any(String), geo: expect.any(String), agent: expect.any(String) });
    expect(click).toMatchObject({ url: 'https://shop.example.com/orders/42', agent: open!.agent, geo: open!.geo }); // the browser that opened
    // The raw webhook body carries the MessageID as a bare exact integer.
    expect(receiver.requests.some((request) => request.body.includes(`"MessageID":${recipients[0]!.MessageID},`))).toBe(true);
  });

  it('writes MessageIDs as bare exact JSON integers', async () => {
    const res = await sim.api('/v3.1/send', { method: 'POST', json: { Messages: [message('a@example.com')] } });
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).toMatch(/"MessageID":5764607\d{11},"MessageHref"/);
  });

  it('sends each message of a request and answers in request order', async () => {
    const { status, body } = await send(sim, { Messages: [message('a@example.com', { CustomID: 'first' }), message(['b@example.com', 'c@example.com'], { CustomID: 'second' })] });
    expect(status).toBe(200);
    expect(body.Messages.map((m: { CustomID: string; To: unknown[] }) => [m.CustomID, m.To.length])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    const ids = body.Messages.flatMap((m: { To: { MessageID: bigint }[] }) => m.To.map((to) => to.MessageID));
    expect(new Set(ids).size).toBe(3);
    await advance(sim, 10_000);
    await receiver.waitFor(3);
    expect(received(receiver).map((event) => event.event)).toEqual(['sent', 'sent', 'sent']);
  });

  it('applies Globals to every message', async () => {
    const { status, body } = await send(sim, {
      Globals: { From: { Email: 'shop@example.com' }, TextPart: 'hi', CustomCampaign: 'newsletter-12' },
      Messages: [{ To: [{ Email: 'a@example.com' }] }, { To: [{ Email: 'b@example.com' }], CustomCampaign: 'own' }],
    });
    expect(status).toBe(200);
    expect(body.Messages.every((m: { Status: string }) => m.Status === 'success')).toBe(true);
    await advance(sim, 10_000);
    await receiver.waitFor(2);
    expect(eventsFor(receiver, 'a@example.com')[0]).toMatchObject({ customcampaign: 'newsletter-12' });
    expect(eventsFor(receiver, 'b@example.com')[0]).toMatchObject({ customcampaign: 'own' });
  });
});

describe('SandboxMode', () => {
  it('validates and answers, with MessageUUID "" and MessageID 0, and sends nothing', async () => {
    const client = mailjetClient(sim);
    const { body, response } = await client
      .post('send', { version: 'v3.1' })
      .request({ SandboxMode: true, Messages: [message('jane+click@example.com', { Cc: [{ Email: 'x@example.com' }] })] });
    expect(response.status).toBe(200);
    expect(body).toEqual({
      Messages: [
        {
          Status: 'success',
          CustomID: '',
          To: [{ Email: 'jane+click@example.com', MessageUUID: '', MessageID: 0, MessageHref: `${sim.server.url}/v3/REST/message/0` }],
          Cc: [{ Email: 'x@example.com', MessageUUID: '', MessageID: 0, MessageHref: `${sim.server.url}/v3/REST/message/0` }],
          Bcc: [],
        },
      ],
    });
    await advance(sim, 3 * HOUR);
    expect(receiver.requests).toHaveLength(0);
    const count = (await (await sim.api('/v3/REST/message?countOnly=1')).json()) as { Count: number };
    expect(count.Count).toBe(0);
  });

  it('still reports validation errors', async () => {
    const { status, body } = await send(sim, { SandboxMode: true, Messages: [message('bad@', {})] });
    expect(status).toBe(400);
    expect(body.Messages[0].Errors[0]).toMatchObject({ ErrorCode: 'mj-0013' });
  });
});

describe('safe MessageIDs', () => {
  it('keeps MessageIDs below 2^53 with safeMessageIds, as plain JSON numbers', async () => {
    const safe = await startTestSim({ safeMessageIds: true });
    try {
      const res = await safe.api('/v3.1/send', { method: 'POST', json: { Messages: [message('a@example.com')] } });
      const parsed = (await res.json()) as { Messages: { To: { MessageID: number }[] }[] };
      const id = parsed.Messages[0]!.To[0]!.MessageID;
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(2 ** 40);
    } finally {
      await safe.close();
    }
  });
});

describe('POST /v3/send', () => {
  it('sends through node-mailjet\'s v3 send and answers with Sent', async () => {
    const client = mailjetClient(sim);
    const { body, response } = await client.post('send').request({
      FromEmail: 'shop@example.com',
      FromName: 'The Shop',
      Subject: 'Hi',
      'Text-part': 'Hello',
      'Html-part': '<a href="https://shop.example.com/">shop</a>',
      Recipients: [{ Email: 'v3+open@example.com' }],
      'Mj-CustomID': 'v3-order',
      'Mj-EventPayLoad': 'payload-v3',
      'Mj-campaign': 'v3-campaign',
    });
    expect(response.status).toBe(200);
    const sent = (body as { Sent: { Email: string; MessageID: string; MessageUUID: string }[] }).Sent;
    expect(sent).toEqual([{ Email: 'v3+open@example.com', MessageID: expect.any(String), MessageUUID: expect.any(String) }]);
    await advance(sim, 3 * HOUR);
    await receiver.waitFor(2);
    expect(eventsFor(receiver, 'v3+open@example.com')).toMatchObject([
      { event: 'sent', MessageID: BigInt(sent[0]!.MessageID), Message_GUID: sent[0]!.MessageUUID, CustomID: 'v3-order', Payload: 'payload-v3', customcampaign: 'v3-campaign' },
      { event: 'open' },
    ]);
  });
});
