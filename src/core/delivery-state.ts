/**
 * The delivery state machine. Every status change of a delivery goes through `transition`, whose
 * exhaustive switches make a new status or event impossible to forget; storage writes a status only in
 * db/delivery-status.ts, which asks `transition` first (test/status-writes.test.ts keeps it that way).
 *
 *   pending ──claim──▶ in_flight ──success──▶ delivered
 *      ▲                  │ ├──failure, retry left──▶ pending
 *      └──interrupted─────┘ └──failure, exhausted───▶ failed
 *   pending / in_flight ──url-gone──▶ suppressed      (its target is gone and nothing takes its events on: a
 *                                                       deleted parse route, which has no backup)
 *   pending / in_flight ──handed-over──▶ handed_over   (its callback URL was suspended, deleted or set dead:
 *                                                        new deliveries carry its events, to the backup URL
 *                                                        or kept suppressed when none is alive)
 *
 * So `url-gone` has one meaning: the events stop here, kept and replayable. A callback URL that is gone never
 * ends a delivery that way, since its events are always re-routed (a new suppressed delivery when no URL is
 * alive, so that a later backup or replay finds them under their own delivery).
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

/** True for statuses a delivery never leaves (pruning removes only these). @example isFinal('delivered') // true */
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

/** The statuses a delivery never leaves, in `DELIVERY_STATUSES` order. @example FINAL_STATUSES.includes('failed') // true */
export const FINAL_STATUSES: readonly FinalStatus[] = DELIVERY_STATUSES.filter((status): status is FinalStatus => isFinal(status));

/** A status a delivery never leaves. */
export type FinalStatus = Exclude<DeliveryStatus, 'pending' | 'in_flight'>;
