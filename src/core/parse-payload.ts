/**
 * The JSON Mailjet's Parse API POSTs for one inbound mail (docs/parse-api.md#the-payload), built from a MIME tree that the
 * caller has already split and decoded (src/inbound/read-mime.ts). Pure: plain data in, plain data out.
 *
 * Decisions where Mailjet's sample is silent (docs/parse-api.md): `Parts` lists every part below the root in
 * MIME order, multipart containers included; a message that is not multipart lists its root (its `Content-*`
 * headers) as its one part. Part `Headers` follow the same array rule as the message's. The first text/plain
 * and the first text/html leaf that are neither `Content-Disposition: attachment` nor named files are `Text-part`
 * and `Html-part`; every other leaf is an attachment, `InlineAttachment<N>` when it has a Content-ID and is not
 * `Content-Disposition: attachment`,
 * else `Attachment<N>` (each kind numbered from 1). A forwarded `message/rfc822` is a leaf, hence an attachment.
 */

/** One header field: its name as written and its unfolded value. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** One MIME node of the inbound mail, in MIME order (the root first). */
export interface MimePart {
  readonly headers: readonly HeaderField[];
  /** A multipart node (its children follow it). */
  readonly container: boolean;
  /** The media type, lower-case (`text/plain` when the part declares none). */
  readonly mediaType: string;
  /** The `Content-Disposition` type, lower-case (`attachment`, `inline`), null when none. */
  readonly disposition: string | null;
  /** A file name (Content-Disposition `filename` or Content-Type `name`): such a part is never the body text. */
  readonly filename: string | null;
  /** The Content-ID, when the part has one. */
  readonly contentId: string | null;
  /** A text/plain or text/html leaf's content decoded to a JS string (from its charset and transfer encoding). */
  readonly text: string | null;
  /** A leaf's decoded bytes in base64 (undefined for containers). */
  readonly base64?: string;
}

/** What the builder needs besides the MIME tree. */
export interface InboundContext {
  /** Envelope `MAIL FROM` (or its stand-in). */
  readonly sender: string;
  /** The route address the mail was received for. */
  readonly recipient: string;
  /** The decoded `Subject` and `From` (RFC 2047 words decoded), "" when absent. */
  readonly subject: string;
  readonly from: string;
  /** CustomID and EventPayload of the mjsim message this mail replies to, when it had either. */
  readonly repliesTo?: { readonly customId: string; readonly payload: string };
}

/** Header names Mailjet gives as one string (docs/parse-api.md#the-payload); every other header is an array of its values. */
export const SINGLE_VALUE_HEADERS: readonly string[] = [
  'Date',
  'From',
  'Sender',
  'Reply-To',
  'To',
  'Cc',
  'Bcc',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Subject',
];

const SINGLE = new Set(SINGLE_VALUE_HEADERS.map((name) => name.toLowerCase()));

/** The header a test sets on an inbound mail to choose its `SpamAssassinScore`. */
export const SPAM_SCORE_HEADER = 'X-MJSim-SpamScore';

/** The `SpamAssassinScore` when the mail does not choose one. */
export const DEFAULT_SPAM_SCORE = '0.0';

/** The JSON object POSTed for one inbound mail (keys in Mailjet's order; attachments in between). */
export type ParsePayload = Record<string, unknown> & {
  Sender: string;
  Recipient: string;
  Date: string;
  From: string;
  Subject: string;
  Headers: Record<string, string | string[]>;
  Parts: { Headers: Record<string, string | string[]>; ContentRef?: string }[];
  SpamAssassinScore: string;
};

/**
 * Headers as Mailjet writes them: a header that occurs once and is in `SINGLE_VALUE_HEADERS` is a string,
 * every other one an array of its values in order. Names keep their first spelling; repeats match without
 * regard to case.
 *
 * @example
 * headerObject([{ name: 'Received', value: 'a' }, { name: 'Subject', value: 'Hi' }]) // { Received: ['a'], Subject: 'Hi' }
 * headerObject([{ name: 'To', value: 'a@x' }, { name: 'to', value: 'b@x' }])          // { To: ['a@x', 'b@x'] }
 */
export function headerObject(fields: readonly HeaderField[]): Record<string, string | string[]> {
  const groups = new Map<string, { name: string; values: string[] }>();
  for (const field of fields) {
    const key = field.name.toLowerCase();
    const group = groups.get(key);
    if (group) group.values.push(field.value);
    else groups.set(key, { name: field.name, values: [field.value] });
  }
  const out: Record<string, string | string[]> = {};
  for (const [key, { name, values }] of groups) out[name] = values.length === 1 && SINGLE.has(key) ? (values[0] as string) : values;
  return out;
}

/**
 * A `Date` header as Mailjet's `Date` field: UTC `YYYYMMDDTHHMMSS`, or "" when absent or unreadable.
 *
 * @example
 * parseApiDate('Fri, 10 Apr 2015 18:06:38 +0200') // '20150410T160638'
 * parseApiDate(undefined)                          // ''
 */
export function parseApiDate(header: string | undefined): string {
  if (header === undefined) return '';
  const ms = Date.parse(header.replace(/\([^)]*\)/g, ' ').trim());
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) return '';
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/**
 * The `SpamAssassinScore` an inbound mail chooses with `X-MJSim-SpamScore` (a decimal number), else "0.0".
 *
 * @example
 * spamScoreOf([{ name: 'X-MJSim-SpamScore', value: ' 1.7 ' }]) // '1.7'
 * spamScoreOf([])                                              // '0.0'
 */
export function spamScoreOf(headers: readonly HeaderField[]): string {
  const key = SPAM_SCORE_HEADER.toLowerCase();
  const value = headers.find((field) => field.name.toLowerCase() === key)?.value.trim();
  return value !== undefined && /^-?\d{1,4}(\.\d{1,6})?$/.test(value) ? value : DEFAULT_SPAM_SCORE;
}

/**
 * The Message-IDs an inbound mail replies to, most direct first: `In-Reply-To`, then `References` from last
 * to first. Each is written `<id>`.
 *
 * @example
 * repliedMessageIds([{ name: 'In-Reply-To', value: '<a@x>' }, { name: 'References', value: '<b@x> <a@x>' }]) // ['<a@x>', '<b@x>']
 */
export function repliedMessageIds(headers: readonly HeaderField[]): string[] {
  const idsOf = (name: string) =>
    headers.filter((field) => field.name.toLowerCase() === name).flatMap((field) => field.value.match(/<[^<>\s]+>/g) ?? []);
  return [...new Set([...idsOf('in-reply-to'), ...idsOf('references').reverse()])];
}

/**
 * Builds the Parse API JSON of one inbound mail.
 *
 * @example
 * const payload = buildParsePayload(parts, { sender: 'a@x.test', recipient: 'in@parse-in1.mailjet.com', subject: 'Hi', from: 'A <a@x.test>' });
 * payload['Text-part'] // 'Hello'
 */
export function buildParsePayload(parts: readonly MimePart[], context: InboundContext): ParsePayload {
  const root = parts[0];
  const rootHeaders = root?.headers ?? [];
  const dateHeader = rootHeaders.find((field) => field.name.toLowerCase() === 'date')?.value;
  const listed = root === undefined ? [] : root.container ? parts.slice(1) : [{ ...root, headers: root.headers.filter((h) => /^content-/i.test(h.name)) }];
  const contents: Record<string, string> = {};
  let attachments = 0;
  let inline = 0;
  const payloadParts = listed.map((part) => {
    const headers = headerObject(part.headers);
    if (part.container) return { Headers: headers };
    let ref: string;
    const body = part.disposition !== 'attachment' && part.filename === null && part.text !== null;
    if (body && part.mediaType === 'text/plain' && contents['Text-part'] === undefined) {
      ref = 'Text-part';
      contents[ref] = part.text as string;
    } else if (body && part.mediaType === 'text/html' && contents['Html-part'] === undefined) {
      ref = 'Html-part';
      contents[ref] = part.text as string;
    } else {
      ref = part.disposition !== 'attachment' && part.contentId !== null ? `InlineAttachment${(inline += 1)}` : `Attachment${(attachments += 1)}`;
      contents[ref] = part.base64 ?? '';
    }
    return { Headers: headers, ContentRef: ref };
  });
  const payload: ParsePayload = {
    Sender: context.sender,
    Recipient: context.recipient,
    Date: parseApiDate(dateHeader),
    From: context.from,
    Subject: context.subject,
    Headers: headerObject(rootHeaders),
    Parts: payloadParts,
    ...contents,
    SpamAssassinScore: spamScoreOf(rootHeaders),
  };
  if (context.repliesTo?.customId) payload.CustomID = context.repliesTo.customId;
  if (context.repliesTo?.payload) payload.Payload = context.repliesTo.payload;
  return payload;
}

/**
 * How many attachments (inline ones included) a payload carries: for listings.
 *
 * @example
 * attachmentCount({ Parts: [{ Headers: {}, ContentRef: 'Attachment1' }] }) // 1
 */
export function attachmentCount(payload: Pick<ParsePayload, 'Parts'>): number {
  return payload.Parts.filter((part) => part.ContentRef?.includes('Attachment')).length;
}

/**
 * The addresses in an address header, in order (`Name <a@x>` and bare `a@x` forms; group syntax and comments
 * are skipped).
 *
 * @example
 * addressesIn('Jane <jane@a.test>, bob@b.test') // ['jane@a.test', 'bob@b.test']
 */
export function addressesIn(value: string): string[] {
  const out: string[] = [];
  const withoutComments = value.replace(/\([^()]*\)/g, ' ').replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  for (const match of withoutComments.matchAll(/<([^<>\s]+@[^<>\s]+)>|([^\s<>,;:]+@[^\s<>,;:]+)/g)) out.push((match[1] ?? match[2]) as string);
  return out;
}
