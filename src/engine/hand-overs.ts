/**
 * Hand-overs and replays: work moved to a URL outside the normal routing — a test event sent to one URL,
 * a delivery replayed by today's routing, and the pending work of a URL set dead or deleted handed to its
 * backup (or kept suppressed).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Settings } from './settings.js';
import { buildEventPayload, type EventPayload } from '../core/event-payload.js';
import type { EventType } from '../core/event-types.js';
import { stringifyJson } from '../core/json.js';
import type { CallbackUrl } from '../db/callback-urls.js';
import { getDelivery } from '../db/deliveries.js';
import { insertEvents, markRouted, type NewEvent } from '../db/events.js';
import { inTransaction, type Db } from '../db/open-db.js';
import { handOverPending } from './record-attempt.js';
import { deliverNow, reroute } from './router.js';

/** What hand-overs need besides storage, clock and settings. */
export interface HandOverDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly random: () => number;
  /** A fresh MessageID (event-store.ts). */
  readonly nextMessageId: () => bigint;
  /** Schedules a dispatch pass for the work handed over. */
  readonly wake: () => void;
}

/**
 * Test events, replays and the hand-over of a changed or removed URL's pending work.
 *
 * @example
 * const handOvers = new HandOvers({ db, clock, settings, random: Math.random, nextMessageId, wake });
 * handOvers.callbackUrlRemoved(row);
 */
export class HandOvers {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly settings: Settings;

  constructor(private readonly deps: HandOverDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.settings = deps.settings;
  }

  /** Sends a test event of the URL's type to that URL through the normal path (`POST .../{ID}/test`). */
  sendTest(callback: CallbackUrl): EventPayload {
    const now = this.clock.now();
    const payload = buildEventPayload(
      callback.eventType as EventType,
      { email: 'test@example.com', CustomID: 'mjsim-test' },
      { time: now, messageId: this.deps.nextMessageId(), messageGuid: randomUUID(), random: this.deps.random },
    );
    const event: NewEvent = {
      accountId: callback.accountId,
      eventType: callback.eventType,
      occurredAt: now,
      payload: stringifyJson(payload),
      messageId: String(payload.MessageID),
      email: 'test@example.com',
    };
    inTransaction(this.db, () => {
      const [id] = insertEvents(this.db, [event], now);
      markRouted(this.db, [id as number]);
      deliverNow(this.db, callback.accountId, [{ ...event, id: id as number, createdAt: now }], callback, now, 1, null, 'test event');
    });
    this.deps.wake();
    return payload;
  }

  /** Re-sends a delivery's events by today's routing; returns the new delivery IDs (undefined: no such delivery). */
  replay(accountId: number, deliveryId: number): number[] | undefined {
    const now = this.clock.now();
    const ids = inTransaction(this.db, () => {
      const delivery = getDelivery(this.db, accountId, deliveryId);
      return delivery && reroute(this.db, delivery, now, this.settings.maxBatch, `replay of delivery #${delivery.id}`).ids;
    });
    this.deps.wake();
    return ids;
  }

  /** Called after a PUT: a URL set dead by hand hands its pending work over, like a suspension. */
  callbackUrlChanged(before: CallbackUrl, after: CallbackUrl): void {
    if (before.status === 'alive' && after.status === 'dead') {
      inTransaction(this.db, () => handOverPending(this.db, after, this.clock.now(), this.settings.maxBatch, `URL #${after.id} was set dead`));
    }
    this.deps.wake();
  }

  /** Called after a DELETE: the URL's pending work goes to the backup, or is kept suppressed. */
  callbackUrlRemoved(row: CallbackUrl): void {
    inTransaction(this.db, () => handOverPending(this.db, row, this.clock.now(), this.settings.maxBatch, `URL #${row.id} was deleted`));
    this.deps.wake();
  }
}
