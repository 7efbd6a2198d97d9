/**
 * A small Mailjet Parse API consumer, the kind of app a support desk or a reply-by-email feature runs: a plain
 * `node:http` server that takes Mailjet's inbound-mail JSON, checks the Basic credentials Mailjet sends from
 * the URL's userinfo, and files each mail as a ticket: subject, sender, text, attachments (decoded from
 * base64) and, for a reply to a mail the app sent, the CustomID that ties it to the conversation.
 *
 * Run it beside `mjsim serve`: `npx tsx examples/parse-consumer/consumer.ts` prints its URL to register.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The fields of Mailjet's Parse API POST that this consumer reads. */
export interface ParseApiMail {
  Sender: string;
  Recipient: string;
  Date: string;
  From: string;
  Subject: string;
  Headers: Record<string, string | string[]>;
  Parts: { Headers: Record<string, string | string[]>; ContentRef?: string }[];
  'Text-part'?: string;
  'Html-part'?: string;
  SpamAssassinScore: string;
  CustomID?: string;
  Payload?: string;
  [content: string]: unknown;
}

/** One filed mail. */
export interface Ticket {
  from: string;
  subject: string;
  text: string;
  attachments: { name: string; type: string; bytes: Buffer; contentId: string | null }[];
  /** The CustomID of the mail this one answers: the conversation it belongs to. */
  conversation: string | null;
  spamScore: number;
}

export interface Consumer {
  /** The URL to register with `POST /v3/REST/parseroute`, credentials included. */
  readonly url: string;
  readonly tickets: Ticket[];
  close(): Promise<void>;
}

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

/** A ticket from Mailjet's JSON: attachments are every part whose ContentRef names an (inline) attachment. */
export function toTicket(mail: ParseApiMail): Ticket {
  const attachments = mail.Parts.filter((part) => part.ContentRef?.includes('Attachment')).map((part) => {
    const type = first(part.Headers['Content-Type']);
    const disposition = first(part.Headers['Content-Disposition']);
    const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? /name="?([^";]+)"?/i.exec(type)?.[1] ?? 'unnamed';
    const contentId = first(part.Headers['Content-ID']).replace(/^<|>$/g, '') || null;
    return { name, type: type.split(';')[0]?.trim() ?? '', bytes: Buffer.from(String(mail[part.ContentRef as string] ?? ''), 'base64'), contentId };
  });
  return {
    from: mail.From,
    subject: mail.Subject,
    text: mail['Text-part'] ?? '',
    attachments,
    conversation: mail.CustomID ?? null,
    spamScore: Number(mail.SpamAssassinScore),
  };
}

/**
 * Starts the consumer on 127.0.0.1 (a free port unless `port` is given). Any answer but 200 makes Mailjet (and
 * mjsim) try again later, so a mail that cannot be filed is answered 500 and a bad password 401.
 *
 * @example
 * const consumer = await startConsumer({ user: 'mailjet', password: 's3cret' });
 * await sim.registerParseRoute({ url: consumer.url });
 */
export async function startConsumer(options: { user: string; password: string; port?: number }): Promise<Consumer> {
  const tickets: Ticket[] = [];
  const expected = Buffer.from(`Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`);
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        tickets.push(toTicket(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ParseApiMail));
        res.writeHead(200).end();
      } catch {
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.user}:${options.password}@127.0.0.1:${port}/mailjet/inbound`,
    tickets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const consumer = await startConsumer({ user: 'mailjet', password: 's3cret', port: Number(process.env.PORT ?? 8025) });
  console.log(`Parse API consumer listening; register it with:\n  curl -u KEY:SECRET -H 'content-type: application/json' -d '{"Url":"${consumer.url}"}' http://127.0.0.1:7355/v3/REST/parseroute`);
  setInterval(() => {
    for (const ticket of consumer.tickets.splice(0)) console.log(`ticket: ${ticket.subject} from ${ticket.from}, ${ticket.attachments.length} attachment(s)`);
  }, 500);
}
