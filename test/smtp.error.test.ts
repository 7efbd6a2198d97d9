/**
 * The relay's answers to bad input, over raw sockets: authentication, order, size, garbage, the recipient
 * limit, slow and idle clients, and a thousand connections at once. Nothing refused is stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmtpLog } from '../src/smtp/smtp-log.js';
import { startSmtpListener, type SmtpListener } from '../src/smtp/smtp-listener.js';
import { OTHER_KEY, OTHER_SECRET, startTestSim, type TestSim } from './helpers/sim.js';
import { dataOf, loggedIn, plainAuth, rawSmtp, sendRaw } from './helpers/smtp.js';

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

const port = () => sim.server.smtp!.port;
const stored = () => (sim.server.db.$client.prepare('select count(*) as n from messages').get() as { n: number }).n;
const MAIL = 'From: shop@example.com\r\nTo: a@example.com\r\nSubject: hi\r\n\r\nHello';

describe('authentication', () => {
  it('MAIL FROM without AUTH gets 530 5.7.0; a wrong secret gets 535 5.7.8; the other account stays apart', async () => {
    const anonymous = await loggedIn(port(), false);
    expect(await anonymous.command('MAIL FROM:<shop@example.com>')).toMatchObject({ code: 530, text: expect.stringMatching(/^5\.7\.0 Authentication required/) });
    expect(await anonymous.command(`AUTH PLAIN ${plainAuth(OTHER_KEY, 'wrong')}`)).toMatchObject({ code: 535, text: expect.stringMatching(/^5\.7\.8 /) });
    anonymous.close();
    const other = await rawSmtp(port());
    await other.command('EHLO other');
    expect((await other.command(`AUTH PLAIN ${plainAuth(OTHER_KEY, OTHER_SECRET)}`)).code).toBe(235);
    expect((await sendRaw(other, 'shop@example.com', ['a@example.com'], MAIL)).code).toBe(250);
    other.close();
    // The first account's polling API does not see the other account's mail.
    expect(((await (await sim.api('/v3/REST/message')).json()) as { Count: number }).Count).toBe(0);
    expect(((await (await sim.api('/v3/REST/message', { as: 'other' })).json()) as { Count: number }).Count).toBe(1);
  });

  it('EHLO advertises AUTH PLAIN LOGIN, SIZE 15 MiB, 8BITMIME, PIPELINING, SMTPUTF8, ENHANCEDSTATUSCODES and no STARTTLS without TLS', async () => {
    const smtp = await rawSmtp(port());
    const ehlo = await smtp.command('EHLO test');
    expect(ehlo.lines.map((line) => line.slice(4)).slice(1).sort()).toEqual(['8BITMIME', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES', 'PIPELINING', 'SIZE 15728640', 'SMTPUTF8']);
    expect((await smtp.command('STARTTLS')).code).toBe(500);
    smtp.close();
  });
});

describe('bad input', () => {
  it('out of order: 503 for MAIL before EHLO, RCPT before MAIL, DATA before RCPT', async () => {
    const smtp = await rawSmtp(port());
    expect((await smtp.command('MAIL FROM:<a@example.com>')).code).toBe(503);
    await smtp.command('EHLO test');
    await smtp.command(`AUTH PLAIN ${plainAuth()}`);
    expect(await smtp.command('RCPT TO:<a@example.com>')).toMatchObject({ code: 503, text: expect.stringMatching(/^5\.5\.1 /) });
    expect((await smtp.command('MAIL FROM:<shop@example.com>')).code).toBe(250);
    expect((await smtp.command('DATA')).code).toBe(503);
    smtp.close();
    expect(stored()).toBe(0);
  });

  it('more than 50 recipients: 452 4.5.3 from the 51st; the 50 accepted are sent', async () => {
    const smtp = await loggedIn(port());
    await smtp.command('MAIL FROM:<shop@example.com>');
    for (let i = 0; i < 50; i++) smtp.write(`RCPT TO:<r${i}@example.com>`); // pipelined
    for (let i = 0; i < 50; i++) expect((await smtp.reply()).code).toBe(250);
    expect(await smtp.command('RCPT TO:<r50@example.com>')).toMatchObject({ code: 452, text: expect.stringMatching(/^4\.5\.3 Too many recipients: at most 50/) });
    expect((await smtp.command('DATA')).code).toBe(354);
    expect(await smtp.command(dataOf(MAIL))).toMatchObject({ code: 250, text: expect.stringMatching(/^2\.6\.0 Queued: 50 messages/) });
    expect(stored()).toBe(50);
    smtp.close();
  });

  it('an empty body and garbage MIME are accepted and stored as far as they parse', async () => {
    const smtp = await loggedIn(port());
    expect((await sendRaw(smtp, 'shop@example.com', ['a@example.com'], '')).code).toBe(250);
    const garbage = '\u0001\u0002not: a\r\n header\r\n--boundary\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n\u00ff\u00fe';
    expect((await sendRaw(smtp, '', ['b@example.com'], garbage)).code).toBe(250); // MAIL FROM:<>, as a bounce
    const rows = sim.server.db.$client.prepare('select email, from_email, source from messages order by id').all();
    expect(rows).toEqual([
      { email: 'a@example.com', from_email: 'shop@example.com', source: 'smtp' },
      { email: 'b@example.com', from_email: 'unknown-sender@mjsim.local', source: 'smtp' },
    ]);
    smtp.close();
  });

  it('a header the Send API would refuse gets 554 naming it; nothing is stored', async () => {
    const smtp = await loggedIn(port());
    const reply = await sendRaw(smtp, 'shop@example.com', ['a@example.com'], `X-MJ-Vars: {not json\r\n${MAIL}`);
    expect(reply).toMatchObject({ code: 554, text: expect.stringMatching(/^5\.6\.0 Message refused: mj-0004 .*\(X-MJ-Vars\)$/) });
    expect(stored()).toBe(0);
    smtp.close();
  });

  it('repeated garbage commands close the session', async () => {
    const smtp = await rawSmtp(port());
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await smtp.command(`XYZZY ${i}`)).code);
    expect(codes).toEqual([500, 500, 500, 500, 500, 500, 500, 500, 500, 421]);
    await smtp.closed;
  });

  it('SIZE over 15 MiB announced at MAIL gets 552; 100 MiB of DATA gets 552 without being buffered, and nothing is stored', async () => {
    const smtp = await loggedIn(port());
    expect((await smtp.command('MAIL FROM:<shop@example.com> SIZE=104857600')).code).toBe(552);
    await smtp.command('MAIL FROM:<shop@example.com>');
    await smtp.command('RCPT TO:<a@example.com>');
    expect((await smtp.command('DATA')).code).toBe(354);
    const before = process.memoryUsage().rss;
    let peak = before;
    const line = `${'x'.repeat(1022)}\r\n`;
    const chunk = Buffer.from(line.repeat(1024)); // 1 MiB
    smtp.socket.write('Subject: big\r\n\r\n');
    for (let i = 0; i < 100; i++) {
      if (!smtp.socket.write(chunk)) await new Promise((resolve) => smtp.socket.once('drain', resolve));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const reply = await smtp.command('.');
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(reply).toMatchObject({ code: 552, text: expect.stringMatching(/^5\.3\.4 Message too big: the limit is 15728640 bytes/) });
    console.log(`smtp.error.test: RSS during a 100 MiB DATA grew ${Math.round((peak - before) / 2 ** 20)} MiB (client and server in one process)`);
    // The server keeps at most the 15 MiB cap; the rest is read and dropped.
    expect(peak - before).toBeLessThan(60 * 2 ** 20);
    expect(stored()).toBe(0);
    expect((await sendRaw(smtp, 'shop@example.com', ['a@example.com'], MAIL)).code).toBe(250); // the session goes on
    smtp.close();
  });
});

describe('slow, idle and many clients', () => {
  let relay: SmtpListener;
  beforeEach(async () => {
    const { db, clock, engine } = sim.server;
    const deps = { db, clock, engine, settings: engine.settings, log: new SmtpLog(), chaos: {}, random: Math.random };
    relay = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, smtpsPort: null, tls: undefined, idleTimeoutMs: 300, sessionTimeoutMs: 1_000 });
  });
  afterEach(() => relay.close());

  it('an idle client is closed with 421 after the idle timeout', async () => {
    const smtp = await rawSmtp(relay.port);
    const started = performance.now();
    expect((await smtp.reply()).code).toBe(421);
    await smtp.closed;
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a client sending one byte at a time is closed at the session deadline', async () => {
    const smtp = await rawSmtp(relay.port);
    const started = performance.now();
    const drip = setInterval(() => smtp.socket.write('E'), 100);
    await smtp.closed;
    clearInterval(drip);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(5_000);
    expect(relay.connections()).toBe(0);
  });
});

describe('a thousand connections', () => {
  it('do not stop the HTTP side from answering', async () => {
    const clients = await Promise.all(Array.from({ length: 1_000 }, () => rawSmtp(port())));
    const started = performance.now();
    const health = await sim.api('/sim/health', { as: 'none' });
    const elapsed = performance.now() - started;
    expect(health.status).toBe(200);
    expect(((await health.json()) as { smtp: { connections: number } }).smtp.connections).toBe(1_000);
    expect(elapsed).toBeLessThan(2_000);
    // And a mail still goes through beside them.
    const smtp = await loggedIn(port());
    expect((await sendRaw(smtp, 'shop@example.com', ['a@example.com'], MAIL)).code).toBe(250);
    for (const client of [...clients, smtp]) client.close();
  }, 60_000);
});
