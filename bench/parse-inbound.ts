/**
 * bench:parse-inbound — inbound mails per second through `POST /sim/inbound` (the support-request fixture,
 * stored and delivered to a local consumer answering 200), and the process RSS around one 15 MiB mail.
 * Usage: npx tsx bench/parse-inbound.ts [mails=1000] [concurrency=8]
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { createSimulator } from '../src/index.js';

const mails = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 8);
const raw = readFileSync(new URL('../fixtures/inbound/support-request.eml', import.meta.url));
const consumer = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
await new Promise<void>((resolve) => consumer.listen(0, '127.0.0.1', resolve));
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-parse-'));
const sim = await createSimulator({ db: join(dir, 'sim.db'), clock: 'real', smtp: true });
await sim.registerParseRoute({ url: `http://127.0.0.1:${(consumer.address() as AddressInfo).port}/inbound`, email: 'support@acme.example' });
const auth = `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}`;
const post = (body: Buffer) => fetch(`${sim.url}/sim/inbound`, { method: 'POST', headers: { authorization: auth, 'content-type': 'message/rfc822' }, body });

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next++ < mails) {
      const res = await post(raw);
      if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
      await res.arrayBuffer();
    }
  }),
);
const accepted = performance.now() - started;
await sim.waitUntilIdle();
const delivered = performance.now() - started;
console.log(`${mails} mails of ${raw.length} bytes, concurrency ${concurrency}: accepted ${Math.round((mails / accepted) * 1000)}/s, accepted and delivered ${Math.round((mails / delivered) * 1000)}/s`);

// The same mails by SMTP, unauthenticated to the route, as to an MX (a pool of `concurrency` connections).
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sim.smtpPort!, secure: false, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: Infinity });
next = 0;
const smtpStarted = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next++ < mails) await transport.sendMail({ envelope: { from: 'jane@customer.example', to: ['support@acme.example'] }, raw });
  }),
);
const smtpAccepted = performance.now() - smtpStarted;
await sim.waitUntilIdle();
transport.close();
console.log(`${mails} mails by SMTP, ${concurrency} connections: accepted ${Math.round((mails / smtpAccepted) * 1000)}/s, accepted and delivered ${Math.round((mails / (performance.now() - smtpStarted)) * 1000)}/s`);

const big = Buffer.concat([
  Buffer.from('From: a@customer.example\r\nTo: support@acme.example\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.bin\r\n\r\n'),
  Buffer.from(Buffer.alloc(Math.floor(10.7 * 1024 * 1024), 7).toString('base64').replace(/.{76}/g, '$&\r\n')),
  Buffer.from('\r\n--b--\r\n'),
]);
global.gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const res = await post(big);
await sim.waitUntilIdle();
clearInterval(sampler);
console.log(`one ${(big.length / 1048576).toFixed(1)} MiB mail: HTTP ${res.status}; RSS ${(before / 1048576).toFixed(0)} MiB before, peak ${(peak / 1048576).toFixed(0)} MiB (+${((peak - before) / 1048576).toFixed(0)} MiB)`);
await sim.close();
consumer.close();
rmSync(dir, { recursive: true, force: true });
