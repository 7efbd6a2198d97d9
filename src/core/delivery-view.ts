/**
 * The view of a delivery that `GET /sim/deliveries` answers and the library returns (one presenter for
 * both). The stored row is a structural input here, so core needs nothing of the storage layer.
 */
import { isoTime } from './clock-range.js';
import type { DeliveryStatus } from './delivery-state.js';

/** The stored delivery fields the view reads. */
export interface DeliveryFields {
  id: number;
  status: DeliveryStatus;
  callbackUrlId: number | null;
  /** Set for a Parse API delivery of an inbound mail: the route it goes to. */
  parseRouteId: number | null;
  version: number;
  eventTypes: string;
  eventCount: number;
  attemptCount: number;
  nextAttemptAt: number | null;
  parentId: number | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A delivery as the control API and the library show it: times as ISO text, the next attempt only while
 * one is pending; `continuedBy` lists the deliveries carrying its events on (the backup's after a
 * hand-over, a replay's), from `continuationsOf`.
 *
 * @example
 * describeDelivery(delivery, continuationsOf(db, delivery.id)) // { id: 1, status: 'handed_over', continuedBy: [3], … }
 */
export function describeDelivery(delivery: DeliveryFields, continuedBy: readonly number[]) {
  return {
    id: delivery.id,
    /** `parse`: a Parse API delivery of an inbound mail (to `parseRouteId`); `event`: event webhook. */
    kind: delivery.parseRouteId === null ? ('event' as const) : ('parse' as const),
    status: delivery.status,
    callbackUrlId: delivery.callbackUrlId,
    parseRouteId: delivery.parseRouteId,
    version: delivery.version,
    eventTypes: delivery.eventTypes.split(',').filter(Boolean),
    eventCount: delivery.eventCount,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: isoOrNull(delivery.status === 'pending' ? delivery.nextAttemptAt : null),
    nextAttemptAtMs: delivery.status === 'pending' ? delivery.nextAttemptAt : null,
    parentId: delivery.parentId,
    continuedBy: [...continuedBy],
    reason: delivery.reason,
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

const iso = isoTime;
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
