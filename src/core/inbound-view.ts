/**
 * Inbound mail (the Parse API) as the control API and the library show it: one presenter for both, over
 * plain fields, so the package's public types reach it without the storage layer.
 */
import { isoTime } from './clock-range.js';
import type { DeliveryStatus } from './delivery-state.js';

/** What one accepted inbound mail became. */
export interface InboundReceipt {
  /** One inbound message per route recipient, in recipient order. */
  readonly ids: readonly number[];
  readonly deliveryIds: readonly number[];
  readonly sender: string;
  readonly recipients: readonly string[];
}

/** What is stored of one inbound mail besides its JSON. */
export interface InboundSummary {
  sender: string;
  recipient: string;
  fromHeader: string;
  subject: string;
  attachmentCount: number;
  rawSize: number;
}

/** The stored inbound-mail fields the view reads. */
export interface InboundFields extends InboundSummary {
  id: number;
  deliveryId: number;
  parseRouteId: number;
  createdAt: number;
  /** Its delivery's status; `failed` means the mail is dead (every attempt of the retry policy failed). */
  status: DeliveryStatus;
  attemptCount: number;
}

/**
 * An inbound mail as the control API shows it (`status` `failed`: dead, every attempt failed).
 *
 * @example
 * describeInbound(row).subject // 'Help, my order is late'
 */
export function describeInbound(row: InboundFields) {
  return {
    id: row.id,
    deliveryId: row.deliveryId,
    parseRouteId: row.parseRouteId,
    sender: row.sender,
    recipient: row.recipient,
    from: row.fromHeader,
    subject: row.subject,
    attachments: row.attachmentCount,
    size: row.rawSize,
    status: row.status,
    attemptCount: row.attemptCount,
    receivedAt: isoTime(row.createdAt),
  };
}
