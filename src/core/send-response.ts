/**
 * The Send API's answers (docs/mailjet-api.md#send-api-support): v3.1's per-message `Messages` array, with HTTP 400 as soon as
 * one message failed, and v3's `Sent` list. MessageIDs stay `bigint`: write the body with stringifyJson.
 * Pure: error identifiers come from the `newId` passed in.
 */
import type { RecipientKind } from './outgoing-message.js';
import type { SendError } from './send-validation.js';

/** One recipient's message as created (MessageID 0 and MessageUUID "" in sandbox mode). */
export interface SentRecipient {
  readonly kind: RecipientKind;
  readonly email: string;
  readonly messageId: bigint;
  readonly uuid: string;
}

export type MessageOutcome =
  | { readonly ok: true; readonly customId: string; readonly recipients: readonly SentRecipient[] }
  | { readonly ok: false; readonly errors: readonly SendError[] };

/**
 * `MessageHref` of a message. `apiBase` is where this API answers (mjsim's own URL, so the link works).
 *
 * @example
 * messageHref('http://127.0.0.1:7355', 576460752303423489n) // 'http://127.0.0.1:7355/v3/REST/message/576460752303423489'
 */
export function messageHref(apiBase: string, messageId: bigint): string {
  return `${apiBase}/v3/REST/message/${messageId}`;
}

/**
 * The v3.1 answer: 200 when every message succeeded, 400 when any failed (the others were still sent).
 *
 * @example
 * sendResponseV31([{ ok: true, customId: '', recipients: [...] }], 'http://127.0.0.1:7355', randomUUID)
 * // { status: 200, body: { Messages: [{ Status: 'success', CustomID: '', To: [...], Cc: [], Bcc: [] }] } }
 */
export function sendResponseV31(outcomes: readonly MessageOutcome[], apiBase: string, newId: () => string): { status: 200 | 400; body: unknown } {
  const messages = outcomes.map((outcome) => {
    if (!outcome.ok) {
      return { Status: 'error', Errors: outcome.errors.map((error) => ({ ErrorIdentifier: newId(), ...error })) };
    }
    const { recipients } = outcome;
    return { Status: 'success', CustomID: outcome.customId, To: answered(recipients, 'To', apiBase), Cc: answered(recipients, 'Cc', apiBase), Bcc: answered(recipients, 'Bcc', apiBase) };
  });
  return { status: outcomes.every((outcome) => outcome.ok) ? 200 : 400, body: { Messages: messages } };
}

/** The recipients of one kind as the v3.1 answer lists them. */
function answered(recipients: readonly SentRecipient[], kind: RecipientKind, apiBase: string): { Email: string; MessageUUID: string; MessageID: bigint; MessageHref: string }[] {
  const listed = [];
  for (const recipient of recipients) {
    if (recipient.kind !== kind) continue;
    listed.push({ Email: recipient.email, MessageUUID: recipient.uuid, MessageID: recipient.messageId, MessageHref: messageHref(apiBase, recipient.messageId) });
  }
  return listed;
}

/**
 * The v3 answer: every recipient of every message in one `Sent` list.
 *
 * @example
 * sendResponseV3([[{ kind: 'To', email: 'a@b.co', messageId: 5n, uuid: 'u' }]]) // { Sent: [{ Email: 'a@b.co', MessageID: 5n, MessageUUID: 'u' }] }
 */
export function sendResponseV3(recipients: readonly (readonly SentRecipient[])[]): { Sent: { Email: string; MessageID: bigint; MessageUUID: string }[] } {
  return {
    Sent: recipients.flat().map((recipient) => ({ Email: recipient.email, MessageID: recipient.messageId, MessageUUID: recipient.uuid })),
  };
}
