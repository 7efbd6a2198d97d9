/**
 * What the relay answers at each step of a mail (Mailjet's `in-v3.mailjet.com`, docs/smtp.md#what-the-relay-does): AUTH with
 * an account's key pair, MAIL and RCPT checked (authentication, relaying, the recipient limit, refusals on
 * demand), DATA read as it streams (never past SIZE), then relayed as Send API messages, or handed to the
 * inbound mailbox for the addresses it owns. Replies carry their own enhanced status code; the listener
 * (smtp-listener.ts) wires these handlers into smtp-server.
 */
import type { Readable } from 'node:stream';
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { isValidEmail, MAX_RECIPIENTS } from '../core/outgoing-message.js';
import { drawRefusal, headerRefusal, senderRefusal, SMTP_CHAOS_HEADER, type SmtpChaosRates, type SmtpRefusal, type SmtpStage } from '../core/smtp-chaos.js';
import { refusalText } from '../core/smtp-headers.js';
import { authenticate, type Account } from '../db/accounts.js';
import type { SendDeps } from '../use-cases/send-messages.js';
import { relaySmtpMail } from '../use-cases/relay-smtp-mail.js';
import type { InboundMailbox } from '../use-cases/inbound-mailbox.js';
import { InboundMailError } from '../inbound/read-mime.js';
import { parseMail } from './parse-mail.js';
import type { SmtpLog, SmtpLogStage } from './smtp-log.js';

/** Mailjet's cap for a send (attachments included), the Send API's too: 15 MiB. */
export const SMTP_MAX_SIZE = 15 * 1024 * 1024;

/** What the handlers need. */
export interface RelayDeps extends SendDeps {
  readonly log: SmtpLog;
  readonly inbound?: InboundMailbox;
  readonly chaos: SmtpChaosRates;
  /** For `--smtp-chaos` draws (Math.random in production). */
  readonly random: () => number;
}

/** An SMTP reply as an error smtp-server understands: the code, then the text with its enhanced code. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    text: string,
  ) {
    super(text);
  }
}

/** Per connection: the account once authenticated, and which recipients of this mail are inbound. */
interface SessionState {
  account: Account | undefined;
  inbound: Set<string>;
}

type Done = (error?: Error | null) => void;

/**
 * The smtp-server callbacks of the relay.
 *
 * @example
 * const handlers = relayHandlers(deps);
 * new SMTPServer({ authOptional: true, ...handlers });
 */
export function relayHandlers(deps: RelayDeps) {
  const sessions = new WeakMap<SMTPServerSession, SessionState>();
  const stateOf = (session: SMTPServerSession): SessionState => {
    let state = sessions.get(session);
    if (!state) {
      state = { account: undefined, inbound: new Set() };
      sessions.set(session, state);
    }
    return state;
  };
  type Extra = { sender?: string; recipients?: readonly string[]; messageIds?: readonly string[] };
  const log = (session: SMTPServerSession, stage: SmtpLogStage, code: number, text: string, reason: string, extra: Extra = {}) => {
    deps.log.record({
      at: deps.clock.now(),
      session: session.id,
      remoteAddress: session.remoteAddress,
      accountId: stateOf(session).account?.id ?? null,
      stage,
      code,
      text,
      // At MAIL the envelope does not hold the sender yet.
      sender: extra.sender ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : null),
      recipients: extra.recipients ?? session.envelope.rcptTo.map((rcpt) => rcpt.address),
      reason,
      messageIds: extra.messageIds ?? [],
    });
  };
  const refuse = (session: SMTPServerSession, stage: SmtpLogStage, code: number, text: string, reason: string, extra?: Extra) => {
    log(session, stage, code, text, reason, extra);
    return new SmtpReply(code, text);
  };
  const chaos = (session: SMTPServerSession, stage: SmtpStage, sender: string, extra?: Extra): SmtpReply | undefined => {
    const tagged = senderRefusal(sender);
    const refusal: SmtpRefusal | undefined = tagged ? (tagged.stage === stage ? tagged : undefined) : drawRefusal(deps.chaos, stage, deps.random());
    return refusal && refuse(session, stage, refusal.code, refusal.text, 'chaos', { sender, ...extra });
  };

  return {
    onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, done: (error: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void): void {
      // The REST API's own check: the API key is the user name, the secret the password.
      const account = authenticate(deps.db, auth.username ?? '', auth.password ?? '');
      if (!account) {
        done(refuse(session, 'auth', 535, '5.7.8 Authentication credentials invalid: give the API key as user name and the secret key as password', 'auth'));
        return;
      }
      stateOf(session).account = account;
      done(null, { user: account.id });
    },

    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, done: Done): void {
      const state = stateOf(session);
      state.inbound.clear();
      if (!state.account && !deps.inbound?.hasAnyRoute()) {
        done(refuse(session, 'mail', 530, '5.7.0 Authentication required: AUTH with your API key and secret key first', 'auth', { sender: address.address }));
        return;
      }
      // Refusals on demand are the relay's: an inbound mail (unauthenticated, to a parse route) gets none.
      done(state.account ? chaos(session, 'mail', address.address) : undefined);
    },

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, done: Done): void {
      const state = stateOf(session);
      const email = address.address;
      const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const recipients = [email];
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
        done(refuse(session, 'rcpt', 452, `4.5.3 Too many recipients: at most ${MAX_RECIPIENTS} per message, as in the Send API`, 'limit', { recipients }));
        return;
      }
      if (deps.inbound?.hasRoute(email)) {
        state.inbound.add(email);
        done();
        return;
      }
      if (!state.account) {
        done(refuse(session, 'rcpt', 550, '5.7.1 Relaying denied: authenticate to send to this address', 'relay', { recipients }));
        return;
      }
      if (!isValidEmail(email)) {
        done(refuse(session, 'rcpt', 553, `5.1.3 "${email}" is an invalid email address.`, 'invalid', { recipients }));
        return;
      }
      done(chaos(session, 'rcpt', sender, { recipients }));
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, done: (error?: Error | null, message?: string) => void): void {
      void readData(stream).then(
        (raw) => answerData(raw, session).then((message) => done(null, message), (error: unknown) => done(asReply(session, error))),
        (error: unknown) => done(asReply(session, error)),
      );
    },
  };

  /** Turns an unexpected failure into a 451, logged; a refusal already made passes through. */
  function asReply(session: SMTPServerSession, error: unknown): SmtpReply {
    if (error instanceof SmtpReply) return error;
    // A mail the Parse API's inbox refuses for good (too deep, too many parts, no route left): a permanent reply.
    if (error instanceof InboundMailError) return refuse(session, 'data', error.kind === 'too-large' ? 552 : 554, `${error.kind === 'too-large' ? '5.3.4' : '5.6.0'} ${error.message}`, 'invalid');
    return refuse(session, 'data', 451, `4.3.0 Temporary failure: the mail could not be stored (${error instanceof Error ? error.message : String(error)}); nothing was kept, try again`, 'error');
  }

  /** Stores the mail (relayed and inbound parts), then names the queued messages. */
  async function answerData(raw: Buffer | 'oversize', session: SMTPServerSession): Promise<string> {
    if (raw === 'oversize') throw refuse(session, 'data', 552, `5.3.4 Message too big: the limit is ${SMTP_MAX_SIZE} bytes (SIZE)`, 'size');
    const state = stateOf(session);
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const all = session.envelope.rcptTo.map((rcpt) => rcpt.address);
    const inbound = all.filter((email) => state.inbound.has(email));
    const relayed = all.filter((email) => !state.inbound.has(email));
    const mail = await parseMail(raw);
    let relay: Promise<{ ok: true; sent: readonly { messageId: bigint }[] }> | undefined;
    if (relayed.length > 0 && state.account) {
      const wanted = mail.headers[SMTP_CHAOS_HEADER.toLowerCase()];
      if (wanted !== undefined) {
        const refusal = headerRefusal(wanted);
        if ('error' in refusal) throw refuse(session, 'data', 554, `5.6.0 ${refusal.error}`, 'invalid');
        throw refuse(session, 'data', refusal.code, refusal.text, 'chaos');
      }
      const drawn = chaos(session, 'data', sender);
      if (drawn) throw drawn;
      const account = state.account;
      relay = relaySmtpMail(deps, account, mail, { sender, recipients: relayed }).then((outcome) => {
        if (!outcome.ok) throw refuse(session, 'data', 554, `5.6.0 Message refused: ${refusalText(outcome.errors)}`, 'invalid');
        return outcome;
      });
    }
    // Validation first, so that a refused mail leaves nothing behind (the inbound part is stored only then).
    const relayed$ = relay ? await relay : undefined;
    const received = inbound.length > 0 && deps.inbound ? await deps.inbound.receive(raw, { sender, recipients: inbound }) : undefined;
    const ids = (relayed$?.sent ?? []).map((recipient) => recipient.messageId.toString());
    const parts: string[] = [];
    if (ids.length === 1) parts.push(`MessageID ${ids[0]}`);
    else if (ids.length > 1) parts.push(`${ids.length} messages, MessageID ${ids[0]} to ${ids[ids.length - 1]}`);
    if (received) parts.push(`${inbound.length} inbound for the Parse API`);
    const text = `Queued: ${parts.join('; ')}`;
    log(session, 'data', 250, text, received ? (ids.length ? 'stored+inbound' : 'inbound') : 'stored', { recipients: all, messageIds: ids });
    return text;
  }
}

/**
 * Reads DATA as it streams: chunks are kept only while the total stays within SIZE; past it the rest is
 * read and dropped, so an oversized mail costs no memory beyond the limit.
 */
function readData(stream: SMTPServerDataStream): Promise<Buffer | 'oversize'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    (stream as Readable).on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= SMTP_MAX_SIZE) chunks.push(chunk);
      else chunks.length = 0;
    });
    stream.once('end', () => resolve(stream.sizeExceeded || bytes > SMTP_MAX_SIZE ? 'oversize' : Buffer.concat(chunks, bytes)));
    stream.once('error', reject);
  });
}
