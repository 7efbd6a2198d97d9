/**
 * The `inbound_messages` table: one inbound mail for one parse route, with the JSON its Parse API delivery
 * POSTs. A mail and its delivery are written in one transaction (`storeInboundMessage`).
 */
import type { DeliveryStatus } from '../core/delivery-state.js';
import type { InboundFields, InboundSummary } from '../core/inbound-view.js';
import { insertDelivery } from './deliveries.js';
import { moveDelivery } from './delivery-status.js';
import type { Db } from './open-db.js';
import { statement } from './statements.js';

/** The event type a Parse API delivery lists (`GET /sim/deliveries?eventType=parse`): one home, the delivery filter's. */
import { PARSE_DELIVERY_TYPE } from '../core/delivery-filter.js';
export { PARSE_DELIVERY_TYPE };

export type { InboundSummary } from '../core/inbound-view.js';

/** An inbound mail as listed (the dashboard, `/sim/inbound`, the library). */
export interface InboundMessage extends InboundFields {
  accountId: number;
}

/**
 * Stores an inbound mail and its pending delivery to the route, due `now` (call inside a transaction).
 * Returns the inbound message's ID.
 *
 * @example
 * inTransaction(db, () => storeInboundMessage(db, route, summary, payloadJson, clock.now()));
 */
export function storeInboundMessage(
  db: Db,
  route: { id: number; accountId: number },
  summary: InboundSummary,
  payload: string,
  now: number,
): { id: number; deliveryId: number } {
  const deliveryId = insertDelivery(
    db,
    {
      accountId: route.accountId,
      callbackUrlId: null,
      version: 1,
      status: 'pending',
      eventIds: [],
      eventTypes: [PARSE_DELIVERY_TYPE],
      nextAttemptAt: now,
      groupClosesAt: null,
      parentId: null,
      reason: null,
      parseRouteId: route.id,
    },
    now,
  );
  const id = Number(
    statement(
      db,
      `insert into inbound_messages (account_id, parse_route_id, delivery_id, sender, recipient, from_header, subject, attachment_count, raw_size,
         payload, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      route.accountId,
      route.id,
      deliveryId,
      summary.sender,
      summary.recipient,
      summary.fromHeader,
      summary.subject,
      summary.attachmentCount,
      summary.rawSize,
      payload,
      now,
    ).lastInsertRowid,
  );
  return { id, deliveryId };
}

/** The JSON a Parse API delivery POSTs. @example inboundPayloadOfDelivery(db, 12) // '{"Sender":…}' */
export function inboundPayloadOfDelivery(db: Db, deliveryId: number): string | undefined {
  return (statement(db, 'select payload from inbound_messages where delivery_id = ?').get(deliveryId) as { payload: string } | undefined)?.payload;
}

const SELECT = `select m.id, m.account_id, m.parse_route_id, m.delivery_id, m.sender, m.recipient, m.from_header, m.subject, m.attachment_count,
    m.raw_size, m.created_at, d.status, d.attempt_count from inbound_messages m join deliveries d on d.id = m.delivery_id`;

const toInbound = (row: Record<string, unknown>): InboundMessage => ({
  id: row.id as number,
  accountId: row.account_id as number,
  parseRouteId: row.parse_route_id as number,
  deliveryId: row.delivery_id as number,
  sender: row.sender as string,
  recipient: row.recipient as string,
  fromHeader: row.from_header as string,
  subject: row.subject as string,
  attachmentCount: row.attachment_count as number,
  rawSize: row.raw_size as number,
  createdAt: row.created_at as number,
  status: row.status as DeliveryStatus,
  attemptCount: row.attempt_count as number,
});

/** An account's inbound mails, newest first (every account when `accountId` is null). @example listInboundMessages(db, 1, 50) */
export function listInboundMessages(db: Db, accountId: number | null, limit: number): InboundMessage[] {
  const rows = statement(db, `${SELECT} where (@a is null or m.account_id = @a) order by m.id desc limit @limit`).all({ a: accountId, limit }) as Record<
    string,
    unknown
  >[];
  return rows.map(toInbound);
}

/** The inbound mail a delivery carries. @example inboundOfDelivery(db, 12)?.subject */
export function inboundOfDelivery(db: Db, deliveryId: number): InboundMessage | undefined {
  const row = statement(db, `${SELECT} where m.delivery_id = ?`).get(deliveryId) as Record<string, unknown> | undefined;
  return row && toInbound(row);
}

/** Inbound mails per delivery status, of every account (for `/metrics`). @example countInboundByStatus(db) // { delivered: 3 } */
export function countInboundByStatus(db: Db): Record<string, number> {
  const rows = statement(db, 'select d.status, count(*) as n from inbound_messages m join deliveries d on d.id = m.delivery_id group by d.status').all() as {
    status: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * A deleted route's waiting mails are kept, visible, as `suppressed` (no URL to POST them to). Returns how many.
 *
 * @example
 * inTransaction(db, () => suppressPendingOfRoute(db, 7, clock.now()));
 */
export function suppressPendingOfRoute(db: Db, parseRouteId: number, now: number): number {
  const rows = statement(db, `select id, account_id as accountId from deliveries where parse_route_id = ? and status = 'pending'`).all(parseRouteId) as {
    id: number;
    accountId: number;
  }[];
  const reason = `its parse route #${parseRouteId} was deleted`;
  for (const row of rows) moveDelivery(db, { ...row, status: 'pending' }, { kind: 'url-gone' }, { nextAttemptAt: null, reason }, now);
  return rows.length;
}
