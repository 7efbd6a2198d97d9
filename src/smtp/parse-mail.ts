/**
 * Reads a raw RFC 5322 mail with mailparser into the plain data the pure header mapping takes
 * (`ParsedMail`). Whatever cannot be read is left empty: a relay accepts any MIME and stores what parses.
 */
import type { AddressObject, EmailAddress, simpleParser as SimpleParser } from 'mailparser';
import type { ParsedMail } from '../core/smtp-headers.js';
import type { Address } from '../core/outgoing-message.js';

/**
 * Parses `raw`; never throws.
 *
 * @example
 * const mail = await parseMail(Buffer.from('From: a@example.com\r\nX-MJ-CustomID: 42\r\n\r\nHello'));
 * mail.headers['x-mj-customid'] // '42'
 */
/** mailparser, loaded by the first mail, not at start-up: it and its dependencies take a few hundred ms to load. */
let parser: typeof SimpleParser | undefined;
async function loadParser(): Promise<typeof SimpleParser> {
  // Kept once loaded: an `import()` per mail goes through the module loader each time.
  parser ??= (await import('mailparser')).simpleParser;
  return parser;
}

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  try {
    const simpleParser = parser ?? (await loadParser());
    // Only what the relay reads: no HTML-to-text, no links turned into markup, attachments not decoded to data URIs.
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const headers: Record<string, string> = {};
    for (const [name, value] of parsed.headers) {
      // mailparser decodes the headers it knows; an X- header may still hold RFC 2047 words (Nodemailer
      // encodes a value with JSON punctuation that way).
      if (typeof value === 'string' && headers[name] === undefined) headers[name] = decodeWords(value);
    }
    return {
      headers,
      from: addressesOf(parsed.from)[0] ?? null,
      to: addressesOf(parsed.to),
      cc: addressesOf(parsed.cc),
      subject: parsed.subject ?? '',
      text: parsed.text ?? null,
      html: typeof parsed.html === 'string' ? parsed.html : null,
      attachmentCount: parsed.attachments.length,
      size: raw.length,
    };
  } catch {
    return { headers: {}, from: null, to: [], cc: [], subject: '', text: null, html: null, attachmentCount: 0, size: raw.length };
  }
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): Address[] {
  const flat = (list: readonly EmailAddress[]): Address[] =>
    list.flatMap((entry) => (entry.group ? flat(entry.group) : entry.address ? [{ email: entry.address, name: entry.name ?? '' }] : []));
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((object) => flat(object.value));
}

const ENCODED_WORD = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?Q?=7B=22a=22=7D?=`); whitespace between two words goes, as the
 * RFC says. A word in an unknown charset is kept as it is.
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(/\?=\s+=\?/g, '?==?').replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    try {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return new TextDecoder(charset.split('*')[0]).decode(bytes);
    } catch {
      return word;
    }
  });
}
