/**
 * Reads a raw RFC 5322 mail with mailparser into the plain data the pure header mapping takes
 * (`ParsedMail`). Whatever cannot be read is left empty: a relay accepts any MIME and stores what parses.
 */
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import type { ParsedMail } from '../core/smtp-headers.js';
import type { Address } from '../core/outgoing-message.js';

/**
 * Parses `raw`; never throws.
 *
 * @example
 * const mail = await parseMail(Buffer.from('From: a@example.com\r\nX-MJ-CustomID: 42\r\n\r\nHello'));
 * mail.headers['x-mj-customid'] // '42'
 */
export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  try {
    // Only what the relay reads: no HTML-to-text, no links turned into markup, attachments not decoded to data URIs.
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const headers: Record<string, string> = {};
    for (const [name, value] of parsed.headers) {
      if (typeof value === 'string' && headers[name] === undefined) headers[name] = value;
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
