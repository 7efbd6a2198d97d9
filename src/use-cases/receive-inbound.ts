/**
 * Inbound mail for the Parse API: the one code path that SMTP, `POST /sim/inbound`, the library's
 * `receiveInbound` and the CLI's `mjsim inbound` all end in. A mail is split and decoded once, its JSON built
 * per route recipient, and every recipient's inbound message and delivery stored in one transaction (all or
 * nothing), then the engine is woken to POST it like any delivery.
 */
import { addressesIn, attachmentCount, buildParsePayload, repliedMessageIds, type HeaderField } from '../core/parse-payload.js';
import type { Engine } from '../engine/engine.js';
import type { Clock } from '../engine/clock.js';
import { storeInboundMessage } from '../db/inbound-messages.js';
import { inTransaction, type Db } from '../db/open-db.js';
import { findParseRouteByEmail, hasAnyParseRoute, type ParseRoute } from '../db/parse-routes.js';
import { findMessagesByHeaderMessageId } from '../db/messages.js';
import { InboundMailError, readMime } from '../inbound/read-mime.js';
import type { InboundEnvelope, InboundMailbox } from './inbound-mailbox.js';
import type { InboundReceipt } from '../core/inbound-view.js';

export type { InboundReceipt } from '../core/inbound-view.js';

/** An envelope as a caller without SMTP may give it: either part may be left out. */
export interface PartialEnvelope {
  readonly sender?: string;
  readonly recipients?: readonly string[];
}

/** The inbound mailbox plus the entry point for callers without an SMTP envelope. */
export interface ParseInbox extends InboundMailbox {
  /**
   * Accepts a raw message. Without an envelope sender the From address stands in; without recipients, the
   * first To, Cc or Delivered-To address that has a parse route. Rejects with `InboundMailError` when the
   * mail is refused (no route, a limit passed).
   */
  receiveRaw(raw: Buffer, envelope?: PartialEnvelope): Promise<InboundReceipt>;
}

/**
 * Builds the inbox over the database and the engine.
 *
 * @example
 * const inbox = createParseInbox({ db, clock, engine });
 * await inbox.receiveRaw(Buffer.from(eml), { recipients: ['help@app.test'] });
 */
export function createParseInbox(deps: { db: Db; clock: Clock; engine: Engine }): ParseInbox {
  const { db, clock, engine } = deps;

  async function accept(raw: Buffer, envelope: PartialEnvelope): Promise<InboundReceipt> {
    const mail = await readMime(raw);
    const headers = mail.parts[0]?.headers ?? [];
    const sender = envelope.sender ?? addressesIn(mail.from)[0] ?? '';
    let recipients = envelope.recipients;
    if (recipients === undefined) {
      const named = headers.filter((field) => /^(to|cc|delivered-to)$/i.test(field.name)).flatMap((field) => addressesIn(field.value));
      const routed = named.find((address) => findParseRouteByEmail(db, address) !== undefined);
      if (routed === undefined) {
        throw new InboundMailError(
          'no-route',
          named.length === 0
            ? 'The message names no recipient (no To, Cc or Delivered-To address): give the route address as the recipient'
            : `No parse route for ${named.slice(0, 5).join(', ')}: register one with POST /v3/REST/parseroute, or give the route address as the recipient`,
        );
      }
      recipients = [routed];
    }
    if (recipients.length === 0) throw new InboundMailError('no-recipient', 'No recipient: give the address of a parse route');
    const routes: ParseRoute[] = recipients.map((address) => {
      const route = findParseRouteByEmail(db, address);
      if (!route) throw new InboundMailError('no-route', `No parse route for ${address}: register one with POST /v3/REST/parseroute`);
      return route;
    });
    const stored = inTransaction(db, () =>
      routes.map((route, i) => {
        const repliesTo = repliedMessage(db, route.accountId, headers);
        const payload = buildParsePayload(mail.parts, { sender, recipient: recipients[i] as string, subject: mail.subject, from: mail.from, repliesTo });
        const summary = {
          sender,
          recipient: recipients[i] as string,
          fromHeader: mail.from,
          subject: mail.subject,
          attachmentCount: attachmentCount(payload),
          rawSize: raw.length,
        };
        return storeInboundMessage(db, route, summary, JSON.stringify(payload), clock.now());
      }),
    );
    engine.wake();
    return { ids: stored.map((row) => row.id), deliveryIds: stored.map((row) => row.deliveryId), sender, recipients };
  }

  return {
    hasRoute: (address) => findParseRouteByEmail(db, address) !== undefined,
    hasAnyRoute: () => hasAnyParseRoute(db),
    receive: async (raw: Buffer, envelope: InboundEnvelope) => accept(raw, envelope),
    receiveRaw: async (raw, envelope = {}) => accept(raw, envelope),
  };
}

/**
 * The CustomID and EventPayload of the route account's message this mail replies to (`In-Reply-To`, then
 * `References` from the latest), when that message had either: Mailjet returns them on replies (docs/parse-api.md#the-payload).
 */
function repliedMessage(db: Db, accountId: number, headers: readonly HeaderField[]): { customId: string; payload: string } | undefined {
  for (const id of repliedMessageIds(headers)) {
    const message = findMessagesByHeaderMessageId(db, id).find((row) => row.accountId === accountId && (row.customId !== '' || row.eventPayload !== ''));
    if (message) return { customId: message.customId, payload: message.eventPayload };
  }
  return undefined;
}
