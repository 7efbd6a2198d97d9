/**
 * The seam to the Parse API: unauthenticated mail is taken only for addresses the inbound mailbox owns
 * (like a real MX), and an authenticated session's recipients that are route addresses go to the mailbox
 * instead of being relayed. The mailbox here is a small fake; the real one is the Parse API's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEnvelope, InboundMailbox } from '../src/use-cases/inbound-mailbox.js';
import { startTestSim, type TestSim } from './helpers/sim.js';
import { dataOf, loggedIn, sendRaw } from './helpers/smtp.js';

class FakeMailbox implements InboundMailbox {
  readonly received: { raw: string; envelope: InboundEnvelope }[] = [];
  constructor(private readonly routes: string[]) {}
  hasRoute(address: string): boolean {
    return this.routes.includes(address.toLowerCase());
  }
  hasAnyRoute(): boolean {
    return this.routes.length > 0;
  }
  async receive(raw: Buffer, envelope: InboundEnvelope): Promise<{ ids: number[] }> {
    this.received.push({ raw: raw.toString('utf8'), envelope });
    return { ids: envelope.recipients.map((_, i) => i + 1) };
  }
}

let sim: TestSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const MAIL = 'From: someone@elsewhere.example\r\nSubject: Re: your order\r\n\r\nThanks!';
const relayed = (s: TestSim) => s.server.db.$client.prepare('select email from messages order by id').all();

describe('unauthenticated sessions and the inbound mailbox', () => {
  it('MAIL gets 530 without a mailbox, and with a mailbox that has no route', async () => {
    for (const inbound of [undefined, new FakeMailbox([])]) {
      sim = await startTestSim({}, { inbound });
      const smtp = await loggedIn(sim.server.smtp!.port, false);
      expect((await smtp.command('MAIL FROM:<someone@elsewhere.example>')).code).toBe(530);
      smtp.close();
      await sim.close();
      sim = undefined;
    }
  });

  it('with routes: a route recipient is taken (250), any other gets 550 5.7.1 Relaying denied; DATA hands the mail over', async () => {
    const mailbox = new FakeMailbox(['reply@parse.example.com']);
    sim = await startTestSim({}, { inbound: mailbox });
    const smtp = await loggedIn(sim.server.smtp!.port, false);
    expect((await smtp.command('MAIL FROM:<someone@elsewhere.example>')).code).toBe(250);
    expect((await smtp.command('RCPT TO:<jane@example.com>'))).toMatchObject({ code: 550, text: expect.stringMatching(/^5\.7\.1 Relaying denied/) });
    expect((await smtp.command('RCPT TO:<Reply@parse.example.com>')).code).toBe(250);
    expect((await smtp.command('DATA')).code).toBe(354);
    expect(await smtp.command(dataOf(MAIL))).toMatchObject({ code: 250, text: '2.6.0 Queued: 1 inbound for the Parse API' });
    expect(mailbox.received).toHaveLength(1);
    expect(mailbox.received[0]!.envelope).toEqual({ sender: 'someone@elsewhere.example', recipients: ['Reply@parse.example.com'] });
    expect(mailbox.received[0]!.raw).toContain('Subject: Re: your order');
    expect(relayed(sim)).toEqual([]);
    smtp.close();
  });

  it('an authenticated session relays its other recipients and hands route recipients to the mailbox', async () => {
    const mailbox = new FakeMailbox(['reply@parse.example.com']);
    sim = await startTestSim({}, { inbound: mailbox });
    const smtp = await loggedIn(sim.server.smtp!.port);
    const reply = await sendRaw(smtp, 'shop@example.com', ['jane@example.com', 'reply@parse.example.com'], MAIL);
    expect(reply).toMatchObject({ code: 250, text: expect.stringMatching(/^2\.6\.0 Queued: MessageID \d+; 1 inbound for the Parse API$/) });
    expect(mailbox.received.map((mail) => mail.envelope.recipients)).toEqual([['reply@parse.example.com']]);
    expect(relayed(sim)).toEqual([{ email: 'jane@example.com' }]);
    smtp.close();
  });
});
