/**
 * A message accepted by the Send API (v3.1 or v3), normalised: what the sender and the lifecycle planner
 * need, whichever API version it came through. Pure.
 */
import { hasUnsubLink, linksOf } from './lifecycle-plan.js';
import type { ScenarioTags } from './scenario-tags.js';

export interface Address {
  readonly email: string;
  readonly name: string;
}

export type TrackSetting = 'account_default' | 'disabled' | 'enabled';
export const TRACK_SETTINGS: readonly TrackSetting[] = ['account_default', 'disabled', 'enabled'];

export type RecipientKind = 'To' | 'Cc' | 'Bcc';

export interface OutgoingMessage {
  readonly from: Address;
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly bcc: readonly Address[];
  readonly subject: string;
  readonly textPart: string | null;
  readonly htmlPart: string | null;
  readonly templateId: number | null;
  readonly customId: string;
  readonly eventPayload: string;
  readonly customCampaign: string;
  readonly deduplicateCampaign: boolean;
  readonly trackOpens: TrackSetting;
  readonly trackClicks: TrackSetting;
  readonly headers: Readonly<Record<string, string>>;
  readonly attachmentCount: number;
  /** Tags from the `X-MJSim-Scenario` header, for every recipient without tags of its own. */
  readonly scenarioTags: ScenarioTags | undefined;
  /** Bytes of the MIME mail as received, when it came whole (the SMTP relay); else estimated. */
  readonly mimeSize?: number;
}

/** Most recipients (To + Cc + Bcc) in one message, and most messages in one request (docs/mailjet-api.md#send-api-support). */
export const MAX_RECIPIENTS = 50;
export const MAX_MESSAGES = 50;

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Mailjet-like address check: a dot-atom local part and a domain of at least two labels.
 *
 * @example
 * isValidEmail('passenger1@mailjet.com') // true
 * isValidEmail('marcin.@cahoots.pl')     // false
 */
export function isValidEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.length > 254) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  return local.length <= 64 && LOCAL.test(local) && labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

/**
 * Every recipient of a message, To first, then Cc, then Bcc (the order of the response and of MessageIDs).
 *
 * @example
 * recipientsOf(message) // [{ kind: 'To', email: 'a@x.com', name: '' }, { kind: 'Bcc', … }]
 */
export function recipientsOf(message: OutgoingMessage): (Address & { kind: RecipientKind })[] {
  // Plain loops: every send lists its recipients, and three spread arrays of spread objects cost it more.
  const all: (Address & { kind: RecipientKind })[] = [];
  for (const address of message.to) all.push({ email: address.email, name: address.name, kind: 'To' });
  for (const address of message.cc) all.push({ email: address.email, name: address.name, kind: 'Cc' });
  for (const address of message.bcc) all.push({ email: address.email, name: address.name, kind: 'Bcc' });
  return all;
}

/** What tracking a message allows, and what a recipient can click. */
export interface Trackability {
  readonly tracksOpens: boolean;
  readonly tracksClicks: boolean;
  readonly links: readonly string[];
  readonly hasUnsubLink: boolean;
}

/** A placeholder link for template messages: mjsim does not store templates, so it cannot read theirs. */
export const TEMPLATE_LINK = 'https://www.example.com/';

/**
 * Opens need HTML (the tracking pixel lives there) and TrackOpens not disabled; clicks need a link in the
 * HTML (a template message gets a placeholder link) and TrackClicks not disabled. `account_default` is
 * enabled: mjsim's accounts track opens and clicks.
 *
 * @example
 * trackabilityOf({ ...message, htmlPart: null, textPart: 'hi' }).tracksOpens // false
 */
export function trackabilityOf(message: OutgoingMessage): Trackability {
  const hasHtml = message.htmlPart !== null || message.templateId !== null;
  const links = message.htmlPart !== null ? linksOf(message.htmlPart) : message.templateId !== null ? [TEMPLATE_LINK] : [];
  return {
    tracksOpens: hasHtml && message.trackOpens !== 'disabled',
    tracksClicks: message.trackClicks !== 'disabled',
    links,
    hasUnsubLink: message.htmlPart !== null && hasUnsubLink(message.htmlPart),
  };
}

/**
 * An estimate of the MIME size in bytes (`MessageSize` on the polling side).
 *
 * @example
 * messageSizeOf(message) // 1523
 */
export function messageSizeOf(message: OutgoingMessage): number {
  if (message.mimeSize !== undefined) return message.mimeSize;
  let headers = 0;
  for (const name in message.headers) headers += utf8Bytes(name) + utf8Bytes(message.headers[name] as string) + 4;
  return 600 + utf8Bytes(message.subject) + utf8Bytes(message.textPart) + utf8Bytes(message.htmlPart) + headers;
}

// Module-level, not a closure inside messageSizeOf: every send measures its message (a closure per call had
// cost a one-recipient send more than the measuring).
const utf8Bytes = (text: string | null) => (text === null ? 0 : Buffer.byteLength(text, 'utf8'));

/** Where mjsim's own Message-IDs live: `<{MessageUUID}@mjsim.local>`. */
export const ASSIGNED_MESSAGE_ID_DOMAIN = 'mjsim.local';

/**
 * The RFC 5322 Message-ID a recipient's message keeps: the client's own (a `Message-ID` header, matched
 * without regard to case, as the SMTP relay and the Send API's `Headers` both carry it), else one mjsim
 * assigns from the message's UUID. The Parse API matches replies to it.
 *
 * @example
 * headerMessageIdOf({ 'Message-ID': '<a@b.c>' }, 'f0e1…') // '<a@b.c>'
 * headerMessageIdOf({}, '1ab23c4d-…')                     // '<1ab23c4d-…@mjsim.local>'
 */
export function headerMessageIdOf(headers: Readonly<Record<string, string>>, uuid: string): string {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'message-id' && value.trim() !== '') return value.trim();
  }
  return `<${uuid}@${ASSIGNED_MESSAGE_ID_DOMAIN}>`;
}
