/**
 * Mail arriving through the SMTP relay, turned into the Send API's input: Mailjet's `X-MJ-*` and
 * `X-Mailjet-*` headers (reference §5a) become the v3.1 message properties they stand for, and the result
 * goes through the Send API's own validation (`validateMessage`), so a header is accepted or refused by the
 * same rule as the property it maps to. Pure: parsed mail and envelope in, a message or a refusal out.
 */
import type { JsonValue } from './json.js';
import { isValidEmail, type Address, type OutgoingMessage, type RecipientKind } from './outgoing-message.js';
import { SCENARIO_HEADER } from './scenario-tags.js';
import { validateMessage, type SendError } from './send-validation.js';

/** What the MIME parser read from the mail, as plain data. */
export interface ParsedMail {
  /** Each header's decoded value by lower-cased name (the first one when a header repeats). */
  readonly headers: Readonly<Record<string, string>>;
  readonly from: Address | null;
  /** Addresses of the `To` and `Cc` headers: they tell an envelope recipient's kind (the rest are Bcc). */
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
  readonly attachmentCount: number;
  /** Bytes of the whole mail as received (the polling side's `MessageSize`). */
  readonly size: number;
}

/** The SMTP envelope: `MAIL FROM` and every accepted `RCPT TO`, in order. */
export interface SmtpEnvelope {
  readonly sender: string;
  readonly recipients: readonly string[];
}

/** The mail as a message to send, or why the relay refuses it (the Send API's errors, named by header). */
export type SmtpMailCheck = { readonly ok: true; readonly message: OutgoingMessage } | { readonly ok: false; readonly errors: readonly SendError[] };

/** The sender mjsim records when neither the `From` header nor `MAIL FROM` holds a usable address. */
export const UNKNOWN_SENDER = 'unknown-sender@mjsim.local';

/** Which Send API property each relay header stands for (reference §5a), to name headers in errors. */
export const RELAY_HEADERS: Readonly<Record<string, string>> = {
  CustomID: 'X-MJ-CustomID',
  EventPayload: 'X-MJ-EventPayload',
  CustomCampaign: 'X-Mailjet-Campaign',
  DeduplicateCampaign: 'X-Mailjet-DeduplicateCampaign',
  TrackOpens: 'X-Mailjet-TrackOpen',
  TrackClicks: 'X-Mailjet-TrackClick',
  Priority: 'X-Mailjet-Prio',
  TemplateID: 'X-MJ-TemplateID',
  TemplateLanguage: 'X-MJ-TemplateLanguage',
  Variables: 'X-MJ-Vars',
  TemplateErrorReporting: 'X-MJ-TemplateErrorReporting',
  TemplateErrorDeliver: 'X-MJ-TemplateErrorDeliver',
};

/**
 * Builds the message one SMTP mail stands for: one recipient per envelope recipient (its kind To or Cc when
 * the header lists it, else Bcc), Mailjet's headers mapped to their Send API properties and validated by
 * the Send API's rules. The body is whatever the parser found: an empty or unreadable body is sent as an
 * empty text part, as a relay accepts any MIME.
 *
 * @example
 * mailFromSmtp(mail, { sender: 'app@example.com', recipients: ['a@example.com'] })
 * // { ok: true, message: { to: [{ email: 'a@example.com', … }], customId: 'order-42', … } }
 */
export function mailFromSmtp(mail: ParsedMail, envelope: SmtpEnvelope): SmtpMailCheck {
  const header = (name: string): string | undefined => {
    const value = mail.headers[name.toLowerCase()];
    return value === undefined ? undefined : value.trim();
  };
  const input: Record<string, JsonValue> = {
    From: senderOf(mail, envelope),
    // Every envelope recipient was checked at RCPT; the kinds are set after validation.
    To: envelope.recipients.map((email) => ({ Email: email })),
    Subject: mail.subject,
  };
  const textPart = mail.text ?? (mail.html === null ? '' : null);
  if (textPart !== null) input.TextPart = textPart;
  if (mail.html !== null) input.HTMLPart = mail.html;
  const set = (property: string, value: JsonValue | undefined) => {
    if (value !== undefined) input[property] = value;
  };
  set('CustomID', header('X-MJ-CustomID'));
  set('EventPayload', header('X-MJ-EventPayload'));
  set('CustomCampaign', header('X-Mailjet-Campaign'));
  set('DeduplicateCampaign', mapped(header('X-Mailjet-DeduplicateCampaign'), BOOLEAN_WORDS));
  set('TrackOpens', mapped(header('X-Mailjet-TrackOpen'), TRACK_WORDS));
  set('TrackClicks', mapped(header('X-Mailjet-TrackClick'), TRACK_WORDS));
  set('Priority', wholeNumber(header('X-Mailjet-Prio')));
  // A template is named by ID or by name; mjsim stores no templates, so a name only marks the mail as one.
  const templateId = header('X-MJ-TemplateID');
  if (templateId !== undefined && /^\d+$/.test(templateId)) input.TemplateID = Number(templateId);
  set('TemplateLanguage', mapped(header('X-MJ-TemplateLanguage'), BOOLEAN_WORDS));
  set('Variables', jsonObject(header('X-MJ-Vars')));
  const reporting = header('X-MJ-TemplateErrorReporting');
  if (reporting !== undefined) input.TemplateErrorReporting = { Email: bareAddress(reporting) };
  set('TemplateErrorDeliver', mapped(header('X-MJ-TemplateErrorDeliver'), { deliver: true, ...BOOLEAN_WORDS }));
  const headers: Record<string, JsonValue> = {};
  const messageId = header('Message-ID');
  if (messageId) headers['Message-ID'] = messageId;
  const scenario = header(SCENARIO_HEADER);
  if (scenario !== undefined) headers[SCENARIO_HEADER] = scenario;
  input.Headers = headers;

  const check = validateMessage(input);
  if (!check.ok) return { ok: false, errors: check.errors.map(namedByHeader) };
  const kinds = kindsOf(mail);
  const byKind = (kind: RecipientKind) => check.message.to.filter((address) => (kinds.get(address.email.toLowerCase())?.kind ?? 'Bcc') === kind);
  const withNames = (addresses: readonly Address[]) => addresses.map((address) => ({ email: address.email, name: kinds.get(address.email.toLowerCase())?.name ?? '' }));
  return {
    ok: true,
    message: {
      ...check.message,
      to: withNames(byKind('To')),
      cc: withNames(byKind('Cc')),
      bcc: withNames(byKind('Bcc')),
      attachmentCount: mail.attachmentCount,
      mimeSize: mail.size,
    },
  };
}

/** Mailjet's boolean words for its headers (`true`, `yes`, `y`, `1`), and their opposites. */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, yes: true, y: true, 1: true, false: false, no: false, n: false, 0: false };
/** `X-Mailjet-TrackOpen` / `TrackClick`: `0` disables, `1` enables (overriding the account). */
const TRACK_WORDS: Readonly<Record<string, string>> = { 0: 'disabled', 1: 'enabled' };

/** A header's word as its property's value; an unknown word is passed as is, for the Send API to refuse. */
function mapped(value: string | undefined, words: Readonly<Record<string, JsonValue>>): JsonValue | undefined {
  if (value === undefined) return undefined;
  const word = words[value.toLowerCase()];
  return word === undefined ? value : word;
}

function wholeNumber(value: string | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function jsonObject(value: string | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value; // not JSON: the Send API's type mismatch for Variables
  }
}

const bareAddress = (value: string) => /<([^<>]*)>\s*$/.exec(value)?.[1]?.trim() ?? value;

/** The `From` header's address when it is one; else the envelope sender's; else `UNKNOWN_SENDER`. */
function senderOf(mail: ParsedMail, envelope: SmtpEnvelope): { Email: string; Name: string } {
  if (mail.from && isValidEmail(mail.from.email)) return { Email: mail.from.email, Name: mail.from.name };
  if (isValidEmail(envelope.sender)) return { Email: envelope.sender, Name: mail.from?.name ?? '' };
  return { Email: UNKNOWN_SENDER, Name: mail.from?.name ?? '' };
}

/** Each header recipient's kind and display name, by lower-cased address (To wins over Cc). */
function kindsOf(mail: ParsedMail): Map<string, { kind: RecipientKind; name: string }> {
  const kinds = new Map<string, { kind: RecipientKind; name: string }>();
  for (const address of mail.cc) kinds.set(address.email.toLowerCase(), { kind: 'Cc', name: address.name });
  for (const address of mail.to) kinds.set(address.email.toLowerCase(), { kind: 'To', name: address.name });
  return kinds;
}

/** The Send API's error with the relay header it came from in place of the property. */
function namedByHeader(error: SendError): SendError {
  const rename = (text: string) => text.replace(/\b(CustomID|EventPayload|CustomCampaign|DeduplicateCampaign|TrackOpens|TrackClicks|Priority|TemplateID|TemplateLanguage|Variables|TemplateErrorReporting|TemplateErrorDeliver)\b(\.Email)?/g, (_m, property: string) => RELAY_HEADERS[property] ?? property);
  return { ...error, ErrorMessage: rename(error.ErrorMessage), ErrorRelatedTo: error.ErrorRelatedTo.map(rename) };
}

/**
 * The SMTP reply text for a refused mail: the Send API's error code and message, on one line.
 *
 * @example
 * refusalText([{ ErrorCode: 'mj-0004', ErrorMessage: 'Type mismatch. Expected type "object".', … }])
 * // 'mj-0004 Type mismatch. Expected type "object". (X-MJ-Vars)'
 */
export function refusalText(errors: readonly SendError[]): string {
  return errors.map((error) => `${error.ErrorCode} ${error.ErrorMessage}${error.ErrorRelatedTo.length ? ` (${error.ErrorRelatedTo.join(', ')})` : ''}`).join('; ');
}
