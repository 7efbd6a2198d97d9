/**
 * The cases of `mjsim check --parse <url>`: a Parse API consumer probed with Mailjet's inbound-mail JSON. The
 * payloads are built by the caller (from real MIME, src/use-cases/run-parse-check.ts); this plan only says what
 * is sent and how each answer is judged (src/core/check-verdicts.ts, as for the event webhook). Pure.
 */
import type { CheckCase, Probe, ProbeAuth } from './check-cases.js';

/** The Parse API payloads a run sends, as exact JSON text. */
export interface ParseCheckPayloads {
  /** A plain text mail. */
  readonly plain: string;
  /** Text, HTML, an attachment and an inline image. */
  readonly multipart: string;
  /** A reply to a message sent with a CustomID and an EventPayload: carries `CustomID` and `Payload`. */
  readonly reply: string;
  /** A mail with a 10 MiB attachment. */
  readonly large: string;
}

/** The field the unknown-field case adds (a consumer must ignore what it does not know). */
export const UNKNOWN_PARSE_FIELD = 'MJSimFutureField';

/**
 * Every case of a Parse API check, in order.
 *
 * @example
 * planParseCheck(payloads, true).map((c) => c.id) // ['parse-plain', 'parse-multipart', 'parse-reply', 'parse-10mib', 'parse-unknown-fields', 'credentials-right', …]
 */
export function planParseCheck(payloads: ParseCheckPayloads, hasCredentials: boolean): CheckCase[] {
  const probe = (body: string, auth: ProbeAuth = 'url'): Probe => ({ body, auth });
  const one = (id: string, title: string, sent: string, body: string): CheckCase => ({ id, title, sent, rule: 'all-200', probes: [probe(body)], concurrent: false });
  const unknown = `${payloads.plain.slice(0, -1)},"${UNKNOWN_PARSE_FIELD}":{"added":"by Mailjet later","list":[1,"two",null]}}`;
  const cases: CheckCase[] = [
    one('parse-plain', 'A plain mail', 'one plain text mail (Text-part only)', payloads.plain),
    one('parse-multipart', 'A multipart mail', 'text, HTML, a PDF attachment (Attachment1) and an inline PNG with a Content-ID (InlineAttachment1)', payloads.multipart),
    one('parse-reply', 'A reply', 'a reply to a message sent with a CustomID and an EventPayload: the JSON carries CustomID and Payload', payloads.reply),
    one('parse-10mib', 'A 10 MiB attachment', 'a mail with a 10 MiB attachment (about 13.3 MiB of base64 in the JSON)', payloads.large),
    one('parse-unknown-fields', 'Unknown extra fields', `a plain mail with a field it has never seen (${UNKNOWN_PARSE_FIELD})`, unknown),
  ];
  if (hasCredentials) {
    cases.push({ ...one('credentials-right', "The URL's credentials", "a plain mail with the URL's user and password (Basic auth)", payloads.plain) });
    cases.push({ id: 'credentials-wrong', title: 'Wrong credentials', sent: "a plain mail with the URL's user and a wrong password", rule: 'refused', probes: [probe(payloads.plain, 'wrong')], concurrent: false });
    cases.push({ id: 'credentials-none', title: 'No credentials', sent: 'a plain mail without an Authorization header', rule: 'refused', probes: [probe(payloads.plain, 'none')], concurrent: false });
  } else {
    cases.push({ id: 'credentials', title: 'Credentials in the URL', sent: 'nothing: the URL has no user:pass@', rule: 'no-credentials', probes: [], concurrent: false });
  }
  return cases;
}
