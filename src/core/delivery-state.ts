/**
 * The delivery state machine. Every status change of a delivery goes through `transition`, whose
 * exhaustive switches make a new status or event impossible to forget.
 *
 *   pending ──claim──▶ in_flight ──success──▶ delivered
 *      ▲                  │ ├──failure, retry left──▶ pending
 *      └──interrupted─────┘ └──failure, exhausted───▶ failed
 *   pending / in_flight ──url-gone──▶ suppressed      (its URL was deleted or suspended with no backup)
 *   pending / in_flight ──handed-over──▶ handed_over   (its URL was suspended or deleted; a new delivery
 *                                                        to the backup URL carries its events)
 */

export type DeliveryStatus = 'pending' | 'in_flight' | 'delivered' | 'failed' | 'suppressed' | 'handed_over';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'in_flight', 'delivered', 'failed', 'suppressed', 'handed_over'];

export type DeliveryEvent =
  | { readonly kind: 'claim' }
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly nextAttemptAt: number | null }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'url-gone' }
  | { readonly kind: 'handed-over' };

export class InvalidTransitionError extends Error {
  constructor(readonly from: DeliveryStatus, readonly event: DeliveryEvent['kind']) {
    super(`delivery cannot go from ${from} on ${event}`);
  }
}

/**
 * The status after `event`, or an `InvalidTransitionError` for an impossible move.
 *
 * @example
 * transition('in_flight', { kind: 'failure', nextAttemptAt: 31_000 }) // 'pending'
 * transition('in_flight', { kind: 'failure', nextAttemptAt: null })   // 'failed'
 */
export function transition(from: DeliveryStatus, event: DeliveryEvent): DeliveryStatus {
  switch (from) {
    case 'pending':
      switch (event.kind) {
        case 'claim':
          return 'in_flight';
        case 'url-gone':
          return 'suppressed';
        case 'handed-over':
          return 'handed_over';
        case 'success':
        case 'failure':
        case 'interrupted':
          throw new InvalidTransitionError(from, event.kind);
      }
      break;
    case 'in_flight':
      switch (event.kind) {
        case 'success':
          return 'delivered';
        case 'failure':
          return event.nextAttemptAt === null ? 'failed' : 'pending';
        case 'interrupted':
          return 'pending';
        case 'url-gone':
          return 'suppressed';
        case 'handed-over':
          return 'handed_over';
        case 'claim':
          throw new InvalidTransitionError(from, event.kind);
      }
      break;
    case 'delivered':
    case 'failed':
    case 'suppressed':
    case 'handed_over':
      throw new InvalidTransitionError(from, event.kind);
  }
  throw new InvalidTransitionError(from, event.kind);
}

/** True for statuses a delivery never leaves. @example isFinal('delivered') // true */
export function isFinal(status: DeliveryStatus): boolean {
  switch (status) {
    case 'delivered':
    case 'failed':
    case 'suppressed':
    case 'handed_over':
      return true;
    case 'pending':
    case 'in_flight':
      return false;
  }
}
