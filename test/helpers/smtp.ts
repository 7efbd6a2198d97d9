/**
 * A raw SMTP client over node:net for the relay's tests: send lines, read whole replies (multi-line ones
 * joined), see when the server closes. Nothing is hidden: the bytes on the wire are the test's.
 */
import { connect, type Socket } from 'node:net';
import { KEY, SECRET } from './sim.js';

export interface SmtpReplyLine {
  code: number;
  /** The text of the last line (after the code and the separator). */
  text: string;
  lines: string[];
}

export interface RawSmtp {
  readonly socket: Socket;
  /** The next whole reply; rejects if the connection closes first. */
  reply(): Promise<SmtpReplyLine>;
  /** Writes `line` + CRLF. */
  write(line: string): void;
  /** Writes `line` and reads its reply. */
  command(line: string): Promise<SmtpReplyLine>;
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;
  close(): void;
}

/**
 * Connects to the relay and reads its greeting.
 *
 * @example
 * const smtp = await rawSmtp(sim.server.smtp!.port);
 * (await smtp.command('EHLO test')).code // 250
 */
export async function rawSmtp(port: number): Promise<RawSmtp> {
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  let pending: string[] = [];
  const replies: SmtpReplyLine[] = [];
  const waiters: { resolve: (reply: SmtpReplyLine) => void; reject: (error: Error) => void }[] = [];
  let ended = false;
  const flush = () => {
    while (replies.length > 0 && waiters.length > 0) waiters.shift()!.resolve(replies.shift()!);
    if (ended) while (waiters.length > 0) waiters.shift()!.reject(new Error('connection closed'));
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      pending.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        replies.push({ code: Number(line.slice(0, 3)), text: line.slice(4), lines: pending });
        pending = [];
      }
    }
    flush();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => {
    ended = true;
    flush();
    resolve();
  }));
  socket.on('error', () => undefined);
  const client: RawSmtp = {
    socket,
    reply: () => new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
      flush();
    }),
    write: (line) => {
      socket.write(`${line}\r\n`);
    },
    command: (line) => {
      client.write(line);
      return client.reply();
    },
    closed,
    close: () => socket.destroy(),
  };
  await client.reply();
  return client;
}

/** AUTH PLAIN's argument for a key pair. */
export const plainAuth = (key = KEY, secret = SECRET) => Buffer.from(`\0${key}\0${secret}`).toString('base64');

/** Connects, says EHLO and authenticates with the first test account (unless `auth` is false). */
export async function loggedIn(port: number, auth = true): Promise<RawSmtp> {
  const smtp = await rawSmtp(port);
  await smtp.command('EHLO test.example');
  if (auth) {
    const reply = await smtp.command(`AUTH PLAIN ${plainAuth()}`);
    if (reply.code !== 235) throw new Error(`AUTH answered ${reply.code} ${reply.text}`);
  }
  return smtp;
}

/** A mail's DATA lines, dot-stuffed, ending with the lone dot. */
export function dataOf(text: string): string {
  return `${text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`;
}

/** Sends one whole mail on a logged-in connection; returns the DATA reply. */
export async function sendRaw(smtp: RawSmtp, from: string, to: readonly string[], body: string): Promise<SmtpReplyLine> {
  for (const [line, code] of [[`MAIL FROM:<${from}>`, 250], ...to.map((rcpt) => [`RCPT TO:<${rcpt}>`, 250] as const), ['DATA', 354]] as const) {
    const reply = await smtp.command(line);
    if (reply.code !== code) return reply;
  }
  return smtp.command(dataOf(body));
}
