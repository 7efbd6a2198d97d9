/**
 * The relay with TLS configured: STARTTLS offered with the HTTPS side's certificate (Nodemailer upgrades
 * and verifies it against mjsim's CA), and `smtpsPort` serving implicit TLS like Mailjet's 465.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { rawSmtp } from './helpers/smtp.js';

let dir: string;
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-smtp-tls-'));
  sim = await createSimulator({ tls: 'self-signed', db: join(dir, 'sim.db'), smtp: { port: 0, smtpsPort: 0 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const mail = { from: 'shop@example.com', to: 'jane@example.com', subject: 'Hi', text: 'Hello', headers: { 'X-MJ-CustomID': 'tls-1' } };

describe('SMTP with TLS', () => {
  it('offers STARTTLS; Nodemailer upgrades, verifies the certificate against the CA and sends', async () => {
    const smtp = await rawSmtp(sim.smtpPort!);
    expect((await smtp.command('EHLO test')).lines.some((line) => line.endsWith('STARTTLS'))).toBe(true);
    smtp.close();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sim.smtpPort!, secure: false, requireTLS: true, tls: { ca: sim.ca! }, auth: { user: sim.apiKey, pass: sim.apiSecret } });
    const info = await transport.sendMail(mail);
    transport.close();
    expect(info.response).toMatch(/^250 2\.6\.0 Queued: MessageID \d+$/);
  });

  it('serves implicit TLS on smtpsPort', async () => {
    const smtpsPort = sim.server.smtp!.smtpsPort!;
    expect(smtpsPort).toBeGreaterThan(0);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpsPort, secure: true, tls: { ca: sim.ca! }, auth: { user: sim.apiKey, pass: sim.apiSecret } });
    const info = await transport.sendMail(mail);
    transport.close();
    expect(info.response).toMatch(/^250 2\.6\.0 Queued/);
    expect((await sim.server.request('/sim/health').then((r) => r.json())) as unknown).toMatchObject({ smtp: { smtpsPort } });
  });
});
