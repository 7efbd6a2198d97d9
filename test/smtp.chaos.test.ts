/**
 * Relay refusals on demand: a sender plus-tag or an `X-MJSim-Smtp` header picks one refusal at its stage,
 * `--smtp-chaos` draws them at rates; refused mail is never stored, and each refusal is in `/sim/smtp/log`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from './helpers/sim.js';
import { loggedIn, sendRaw } from './helpers/smtp.js';

let sim: TestSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const MAIL = 'From: shop@example.com\r\nSubject: hi\r\n\r\nHello';
const stored = (s: TestSim) => (s.server.db.$client.prepare('select count(*) as n from messages').get() as { n: number }).n;

describe('refusals on demand', () => {
  it('a sender tag picks the code at its stage: 421 (MAIL, closes), 550 (MAIL), 452 (RCPT), 451 and 554 (DATA); rcpt-451 moves it', async () => {
    sim = await startTestSim();
    const port = sim.server.smtp!.port;
    const cases: [string, number, string][] = [
      ['app+smtp-550@example.com', 550, 'mail'],
      ['app+smtp-452@example.com', 452, 'rcpt'],
      ['app+smtp-451@example.com', 451, 'data'],
      ['app+smtp-554@example.com', 554, 'data'],
      ['app+smtp-rcpt-451@example.com', 451, 'rcpt'],
    ];
    const smtp = await loggedIn(port);
    for (const [sender, code, stage] of cases) {
      const mail = await smtp.command(`MAIL FROM:<${sender}>`);
      const rcpt = mail.code === 250 ? await smtp.command('RCPT TO:<a@example.com>') : undefined;
      const data = rcpt?.code === 250 ? await smtp.command('DATA').then(() => smtp.command(`${MAIL}\r\n.`)) : undefined;
      const refusal = { mail, rcpt, data }[stage];
      expect(refusal, sender).toMatchObject({ code });
      await smtp.command('RSET');
    }
    const closing = await loggedIn(port);
    expect(await closing.command('MAIL FROM:<app+smtp-421@example.com>')).toMatchObject({ code: 421, text: expect.stringMatching(/^4\.3\.2 /) });
    await closing.closed;
    expect(stored(sim)).toBe(0);
    // The header asks at DATA.
    expect(await sendRaw(smtp, 'app@example.com', ['a@example.com'], `X-MJSim-Smtp: 554\r\n${MAIL}`)).toMatchObject({ code: 554, text: expect.stringMatching(/^5\.7\.1 Message rejected/) });
    expect(stored(sim)).toBe(0);
    // Untagged mail goes through.
    expect((await sendRaw(smtp, 'app@example.com', ['a@example.com'], MAIL)).code).toBe(250);
    smtp.close();

    const log = (await (await sim.api('/sim/smtp/log?refused=true')).json()) as { entries: { code: number; stage: string; reason: string; sender: string }[] };
    expect(log.entries.map((entry) => `${entry.code} ${entry.stage} ${entry.reason}`)).toEqual([
      '554 data chaos',
      '421 mail chaos',
      '451 rcpt chaos',
      '554 data chaos',
      '451 data chaos',
      '452 rcpt chaos',
      '550 mail chaos',
    ]);
    const all = (await (await sim.api('/sim/smtp/log')).json()) as { entries: { code: number }[] };
    expect(all.entries[0]?.code).toBe(250);
    // The dashboard lists them too.
    const panels = await (await fetch(`${sim.server.url}/dashboard/panels`)).text();
    expect(panels).toContain('<h2>SMTP relay</h2>');
    expect(panels).toContain('421 4.3.2 Service temporarily unavailable');
    expect(panels).toContain('app+smtp-550@example.com');
    expect(panels).toMatch(/<tr data-smtp-code="250">.*Queued: MessageID (\d+).*<td>\1<\/td><\/tr>/);
  });

  it('--smtp-chaos draws refusals per stage at its rates', async () => {
    sim = await startTestSim({ smtpChaos: 'data:451=1' });
    const smtp = await loggedIn(sim.server.smtp!.port);
    for (let i = 0; i < 3; i++) expect((await sendRaw(smtp, 'app@example.com', ['a@example.com'], MAIL)).code).toBe(451);
    expect(stored(sim)).toBe(0);
    smtp.close();
    await sim.close();
    sim = await startTestSim({ smtpChaos: 'rcpt:550=0,mail=0' });
    const calm = await loggedIn(sim.server.smtp!.port);
    expect((await sendRaw(calm, 'app@example.com', ['a@example.com'], MAIL)).code).toBe(250);
    calm.close();
  });
});
