/**
 * The SMTP relay's speed beside the Send API's, in the same run. mjsim runs in its own process
 * (bench/server-process.ts: a SQLite file in WAL mode, the manual clock so no delivery is due):
 *   1. SMTP: 8 connections, each authenticated once, then mail after mail with PIPELINING (the end of one
 *      mail's DATA goes out with the next MAIL, RCPT and DATA: one round trip per mail), one recipient each;
 *   2. `POST /v3.1/send` with one message to one recipient, 8 requests in flight over keep-alive.
 * They alternate over three rounds (a change in the machine's load hits both); the median ratio is the
 * figure. Goal: SMTP at least 50 % of the Send API's rate (Mailpit's anchor: 200–300 mails/s). Each round
 * also reports the server's CPU time per message. Last, one 100 MiB DATA (refused with 552 past the 15 MiB
 * SIZE) while the server's RSS is sampled: DATA is counted as it streams, never kept whole.
 *
 *   npm run bench:smtp [-- MAILS_PER_ROUND]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { conditions, driveRequests, type BenchRequest } from './bench-lib.js';

const total = Number(process.argv[2] ?? 3_000);
const CONNECTIONS = 8;
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-smtp-'));
const script = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', script, join(dir, 'bench.db'), 'clock=manual'], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const nextLine = async () => String((await lines.next()).value);
const port = Number((await nextLine()).replace('port ', ''));
child.stdin!.write('smtp-port\n');
const smtpPort = Number((await nextLine()).replace('smtp-port ', ''));

let sequence = 0;
const auth = `Basic ${Buffer.from('bench:secret').toString('base64')}`;
const send: BenchRequest = {
  method: 'POST',
  path: '/v3.1/send',
  headers: { authorization: auth, 'content-type': 'application/json' },
  body: () => {
    sequence += 1;
    return JSON.stringify({ Messages: [{ From: { Email: 'bench@example.com' }, To: [{ Email: `u${sequence}@example${sequence % 5}.com` }], Subject: 'Hello', TextPart: 'Hi there', CustomID: `order-${sequence}` }] });
  },
};

/** One mail's envelope and DATA command, pipelined. */
const envelope = () => {
  sequence += 1;
  return `MAIL FROM:<bench@example.com>\r\nRCPT TO:<u${sequence}@example${sequence % 5}.com>\r\nDATA\r\n`;
};
const body = () => `From: bench@example.com\r\nTo: someone@example.com\r\nSubject: Hello\r\nX-MJ-CustomID: order-${sequence}\r\n\r\nHi there\r\n.\r\n`;

/** Calls `onReply` with each whole reply's last line (continuation lines of a multi-line reply skipped). */
function onReplies(socket: Socket, onReply: (line: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      if (line[3] !== '-') onReply(line);
    }
  });
}

/** Sends `count` mails over one connection; resolves when the last 250 has come. */
function smtpConnection(count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(smtpPort, '127.0.0.1');
    // The replies due, in order: what each one answers.
    const due: ('greeting' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'end')[] = ['greeting'];
    let sent = 0;
    let done = 0;
    const next = () => {
      sent += 1;
      due.push('mail', 'rcpt', 'data');
      return envelope();
    };
    socket.on('error', reject);
    onReplies(socket, (line) => {
      const code = Number(line.slice(0, 3));
      if (code >= 400) {
        reject(new Error(line));
        return;
      }
      const kind = due.shift();
      if (kind === 'greeting') {
        due.push('ehlo');
        socket.write('EHLO bench\r\n');
      } else if (kind === 'ehlo') {
        due.push('auth');
        socket.write(`AUTH PLAIN ${Buffer.from('\0bench\0secret').toString('base64')}\r\n`);
      } else if (kind === 'auth') {
        socket.write(next());
      } else if (kind === 'data') {
        // The end of this mail goes out with the next mail's envelope: one round trip per mail.
        due.push('end');
        socket.write(body() + (sent < count ? next() : ''));
      } else if (kind === 'end' && ++done === count) {
        socket.end('QUIT\r\n');
        resolve();
      }
    });
  });
}

async function serverCpu(): Promise<number> {
  child.stdin!.write('cpu\n');
  return Number((await nextLine()).replace('cpu ', ''));
}

async function measure(run: () => Promise<unknown>, count: number): Promise<{ rate: number; cpuUs: number }> {
  const before = await serverCpu();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, cpuUs: ((await serverCpu()) - before) / count };
}

const smtpRun = (count: number) => () => Promise.all(Array.from({ length: CONNECTIONS }, () => smtpConnection(Math.ceil(count / CONNECTIONS))));
const apiRun = (count: number) => () => driveRequests(port, send, count, CONNECTIONS);

// Warm up both paths (JIT, statement cache, SQLite pages).
await smtpRun(400)();
await apiRun(400)();
const rounds: { smtp: { rate: number; cpuUs: number }; api: { rate: number; cpuUs: number } }[] = [];
for (let round = 0; round < 3; round++) {
  const smtp = await measure(smtpRun(total), Math.ceil(total / CONNECTIONS) * CONNECTIONS);
  const api = await measure(apiRun(total), total);
  rounds.push({ smtp, api });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ratio = median(rounds.map((round) => round.smtp.rate / round.api.rate));

/** The server's RSS (bytes). */
async function serverRss(): Promise<number> {
  child.stdin!.write('rss\n');
  return Number((await nextLine()).replace('rss ', ''));
}

/** Sends 100 MiB of DATA on one authenticated connection; resolves with the final reply and the server's peak RSS. */
async function hugeData(): Promise<{ reply: string; before: number; peak: number }> {
  const before = await serverRss();
  let peak = before;
  const socket = connect(smtpPort, '127.0.0.1');
  const replies: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  onReplies(socket, (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else replies.push(line);
  });
  const reply = (write?: string) =>
    new Promise<string>((resolve) => {
      if (write !== undefined) socket.write(write);
      const queued = replies.shift();
      if (queued !== undefined) resolve(queued);
      else waiting = resolve;
    });
  await reply();
  await reply('EHLO bench\r\n');
  await reply(`AUTH PLAIN ${Buffer.from('\0bench\0secret').toString('base64')}\r\n`);
  await reply('MAIL FROM:<bench@example.com>\r\n');
  await reply('RCPT TO:<big@example.com>\r\n');
  await reply('DATA\r\n');
  const chunk = Buffer.from(`${'x'.repeat(1022)}\r\n`.repeat(1024));
  socket.write('Subject: big\r\n\r\n');
  for (let i = 0; i < 100; i++) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    if (i % 10 === 9) peak = Math.max(peak, await serverRss());
  }
  const last = await reply('.\r\n');
  peak = Math.max(peak, await serverRss());
  socket.end('QUIT\r\n');
  return { reply: last, before, peak };
}
const huge = await hugeData();

console.log(`smtp: ${conditions()}`);
console.log(`  mjsim in its own process (SQLite file, WAL, manual clock: no delivery due); ${CONNECTIONS} SMTP connections with PIPELINING vs ${CONNECTIONS} Send API requests in flight`);
for (const [i, round] of rounds.entries()) {
  console.log(
    `  round ${i + 1}: SMTP ${Math.round(round.smtp.rate)} mails/s (1 recipient each); POST /v3.1/send, 1 recipient: ${Math.round(round.api.rate)} requests/s; ` +
      `SMTP = ${Math.round((100 * round.smtp.rate) / round.api.rate)} %  (server CPU per message: SMTP ${Math.round(round.smtp.cpuUs)} µs, Send API ${Math.round(round.api.cpuUs)} µs)`,
  );
}
console.log(`  SMTP relay: median ${Math.round(100 * ratio)} % of the Send API's rate (${total} of each per round; goal ≥ 50 %; Mailpit ingests 200–300 mails/s)`);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
console.log(`  100 MiB DATA: "${huge.reply}"; server RSS ${mib(huge.before)} MiB before, peak ${mib(huge.peak)} MiB (+${mib(huge.peak - huge.before)} MiB)`);
child.stdin!.write('exit\n');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
