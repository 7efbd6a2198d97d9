/**
 * Relaying one mail that came by SMTP: its envelope recipients become messages of the sending account
 * exactly as Send API recipients do (the same `sendMessages`, marked `smtp`), Mailjet's headers mapped by
 * `mailFromSmtp`. Answers only once the messages and their events are committed (the group commit may
 * carry them along with other sends of the same turn).
 */
import { mailFromSmtp, type ParsedMail, type SmtpEnvelope } from '../core/smtp-headers.js';
import type { SendError } from '../core/send-validation.js';
import type { SentRecipient } from '../core/send-response.js';
import type { Account } from '../db/accounts.js';
import { inGroupCommit } from '../db/group-commit.js';
import { sendMessages, type SendDeps } from './send-messages.js';

/** The outcome: the stored recipients in envelope order's kinds (To, Cc, Bcc), or the Send API's errors. */
export type RelayOutcome = { readonly ok: true; readonly sent: readonly SentRecipient[] } | { readonly ok: false; readonly errors: readonly SendError[] };

/**
 * Stores the messages `mail` stands for, one per envelope recipient.
 *
 * @example
 * const outcome = await relaySmtpMail(deps, account, await parseMail(raw), { sender: 'app@x.com', recipients: ['a@y.com'] });
 * outcome.ok && outcome.sent[0].messageId // 576460752303423489n
 */
export async function relaySmtpMail(deps: SendDeps, account: Account, mail: ParsedMail, envelope: SmtpEnvelope): Promise<RelayOutcome> {
  const check = mailFromSmtp(mail, envelope);
  if (!check.ok) return check;
  const [sent] = await inGroupCommit(deps.db, () => sendMessages(deps, account, [check.message], { sandbox: false, source: 'smtp' }));
  return { ok: true, sent: sent ?? [] };
}
