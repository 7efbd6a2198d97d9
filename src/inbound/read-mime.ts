/**
 * Splits a raw RFC 822 message into the MIME parts the Parse API payload is built from
 * (src/core/parse-payload.ts), with mailparser's own splitter (`@zone-eu/mailsplit`), which keeps every part's
 * raw headers in order. Bodies are decoded here: transfer encoding (base64 and quoted-printable, tolerant of
 * broken input, as mail clients are) and charset (an unknown charset is read as UTF-8, bad bytes replaced).
 *
 * Limits refuse what no real mail needs and would cost mjsim its memory: the size, the nesting depth and the
 * number of parts (see `MIME_LIMITS`). A refusal is an `InboundMailError`, which every entry point maps to
 * its own envelope (an SMTP reply, an HTTP 4xx, a CLI message).
 */
import type Mailsplit from '@zone-eu/mailsplit';
import type Libmime from 'libmime';
import type { HeaderField, MimePart } from '../core/parse-payload.js';

/** The limits an inbound mail is held to. */
export const MIME_LIMITS = {
  /** Mailjet's documented limit for a message is 15 MB; mjsim takes 15 MiB. */
  maxBytes: 15 * 1024 * 1024,
  /** Like Postfix's `mime_nesting_limit` (100). */
  maxDepth: 100,
  maxParts: 1_000,
} as const;

/** Why an inbound mail is refused; `kind` picks the SMTP reply or HTTP status. */
export class InboundMailError extends Error {
  constructor(
    readonly kind: 'too-large' | 'too-deep' | 'too-many-parts' | 'no-route' | 'no-recipient' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

/** A split and decoded message: its parts (the root first) and its decoded Subject and From. */
export interface ReadMail {
  readonly parts: MimePart[];
  readonly subject: string;
  readonly from: string;
}

type SplitNode = {
  type: 'node';
  headers: { getList(): { key: string; line: string }[]; getFirst(key: string): string } | false;
  multipart: string | false;
  contentType: string | false;
  charset: string | false;
  encoding: string | false;
  disposition: string | false;
  filename: string | false;
  parentNode: SplitNode | false;
};

/** The splitter and the header decoder, loaded by the first mail: `mjsim serve` starts without them. */
let mime: { mailsplit: typeof Mailsplit; libmime: typeof Libmime } | undefined;
async function mimeLibraries(): Promise<{ mailsplit: typeof Mailsplit; libmime: typeof Libmime }> {
  const [mailsplit, libmime] = await Promise.all([import('@zone-eu/mailsplit'), import('libmime')]);
  mime ??= { mailsplit: mailsplit.default, libmime: libmime.default };
  return mime;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF8_LOOSE = new TextDecoder('utf-8');

/**
 * Splits and decodes `raw`; rejects with `InboundMailError` when a limit is passed.
 *
 * @example
 * const mail = await readMime(Buffer.from('Subject: Hi\r\n\r\nHello\r\n'));
 * mail.parts[0]?.text // 'Hello\r\n'
 */
export async function readMime(raw: Buffer): Promise<ReadMail> {
  if (raw.length > MIME_LIMITS.maxBytes) {
    throw new InboundMailError('too-large', `The message is ${raw.length} bytes; at most ${MIME_LIMITS.maxBytes} (15 MiB) are accepted`);
  }
  const { mailsplit } = mime ?? (await mimeLibraries());
  const nodes: { node: SplitNode; chunks: Buffer[] }[] = [];
  const depths = new Map<SplitNode, number>();
  await new Promise<void>((resolve, reject) => {
    // Typed by hand: the package's event typings list only 'data', and its node type is wider than what is read here.
    const splitter = new mailsplit.Splitter({ ignoreEmbedded: true, maxChildNodes: MIME_LIMITS.maxParts * 2 }) as unknown as import('node:stream').Transform;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      splitter.destroy();
      reject(error);
    };
    splitter.on('data', (data: { type: string; value?: Buffer } & Partial<SplitNode>) => {
      if (failed) return;
      if (data.type === 'node') {
        const node = data as unknown as SplitNode;
        const depth = node.parentNode ? (depths.get(node.parentNode) ?? 0) + 1 : 0;
        if (depth > MIME_LIMITS.maxDepth) return fail(new InboundMailError('too-deep', `MIME parts are nested more than ${MIME_LIMITS.maxDepth} deep`));
        if (nodes.length >= MIME_LIMITS.maxParts) return fail(new InboundMailError('too-many-parts', `The message has more than ${MIME_LIMITS.maxParts} MIME parts`));
        depths.set(node, depth);
        nodes.push({ node, chunks: [] });
      } else if (data.type === 'body' && data.value) {
        nodes.at(-1)?.chunks.push(data.value);
      }
    });
    splitter.on('error', (error: Error) => fail(new InboundMailError('unreadable', `The message cannot be read as MIME: ${error.message}`)));
    splitter.on('end', () => {
      if (!failed) resolve();
    });
    splitter.end(raw);
  });
  const root = nodes[0]?.node;
  return {
    parts: nodes.map(({ node, chunks }) => toPart(node, Buffer.concat(chunks))),
    subject: root ? decodedHeader(root, 'subject') : '',
    from: root ? decodedHeader(root, 'from') : '',
  };
}

function toPart(node: SplitNode, body: Buffer): MimePart {
  const headers = node.headers ? node.headers.getList().map(headerField) : [];
  const mediaType = (node.contentType || 'text/plain').toLowerCase();
  const container = node.multipart !== false;
  const disposition = node.disposition ? node.disposition.toLowerCase() : null;
  const filename = node.filename || null;
  const contentIdField = headers.find((field) => field.name.toLowerCase() === 'content-id');
  if (container) return { headers, container, mediaType, disposition, filename, contentId: null, text: null };
  const bytes = decodeTransfer(body, (node.encoding || '7bit').toLowerCase());
  const isBodyText = mediaType === 'text/plain' || mediaType === 'text/html';
  return {
    headers,
    container,
    mediaType,
    disposition,
    filename,
    contentId: contentIdField ? contentIdField.value.trim() : null,
    text: isBodyText ? decodeCharset(bytes, node.charset || 'utf-8') : null,
    base64: bytes.toString('base64'),
  };
}

/**
 * A raw header line (read by the splitter as latin1) as a name and its unfolded value, with RFC 2047 words
 * decoded and 8-bit bytes read as UTF-8 when they are. Decoded, because consumers read these values as
 * text: django-anymail rebuilds the message from them and shows an encoded Subject as is.
 */
function headerField({ line }: { line: string }): HeaderField {
  const text = eightBit(line);
  const colon = text.indexOf(':');
  const name = colon === -1 ? text.trim() : text.slice(0, colon).trim();
  const value = colon === -1 ? '' : text.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').trim();
  return { name, value: decodeWords(value) };
}

function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    // Loaded: only the parts of a mail readMime has split come here.
    return (mime as { libmime: typeof Libmime }).libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function eightBit(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    return latin1;
  }
}

function decodedHeader(node: SplitNode, key: string): string {
  if (!node.headers) return '';
  const field = node.headers.getList().find((line) => line.key === key);
  return field ? headerField(field).value : '';
}

/** Base64 and quoted-printable decoded leniently (bad characters skipped, a stray `=` kept); anything else as is. */
function decodeTransfer(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const text = body.toString('latin1').replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
    return Buffer.from(
      text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  }
  return body;
}

/** Bytes in `charset` as a string; an unknown charset is read as UTF-8 (bad bytes become U+FFFD). */
function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase()).decode(bytes);
  } catch {
    return UTF8_LOOSE.decode(bytes);
  }
}
