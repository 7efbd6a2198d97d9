/**
 * Storing accepted events and handing out MessageIDs: events are stored at once (so never lost) and routed
 * when their time comes; "accepted" is announced once the events are committed.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Settings } from './settings.js';
import { buildEventPayload, type EventPayload } from '../core/event-payload.js';
import type { EventType } from '../core/event-types.js';
import type { EngineEvents } from '../core/engine-events.js';
import { stringifyJson } from '../core/json.js';
import { insertEvents, type NewEvent } from '../db/events.js';
import { atomically, transactionScope, type Db } from '../db/open-db.js';
import { reserveSequence } from '../db/sim-state.js';
import type { EventEmitter } from 'node:events';

/** What storing events needs besides storage, clock and settings. */
export interface EventStoreDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly random: () => number;
  /** Where "accepted" is announced (the engine). */
  readonly announcer: Pick<EventEmitter<EngineEvents>, 'emit'>;
  /** Called after `count` events were stored: `earliest` is the earliest one's time (the dispatcher wakes if it must). */
  readonly stored: (earliest: number, now: number, count: number) => void;
}

const MESSAGE_ID_BASE = 1n << 59n;
const SAFE_MESSAGE_ID_BASE = 1n << 40n;

/**
 * Stores events and reserves MessageIDs.
 *
 * @example
 * const events = new EventStore({ db, clock, settings, random: Math.random, announcer: engine, stored: () => {} });
 * events.store(accountId, [{ type: 'open', payload }]);
 */
export class EventStore {
  /** Numbers the "accepted" notices waiting for their commit. */
  private announcements = 0;

  constructor(private readonly deps: EventStoreDeps) {}

  /**
   * Accepts events: stored at once (so never lost), routed when their time comes. Returns the payloads.
   * `occurredAt` defaults to now.
   */
  accept(accountId: number, events: readonly { type: EventType; payload: EventPayload; occurredAt?: number }[]): EventPayload[] {
    this.store(accountId, events);
    return events.map((event) => event.payload);
  }

  /** Like `accept`, but returns each payload's stored JSON text (each payload is serialized once). */
  store(accountId: number, events: readonly { type: EventType; payload: EventPayload; occurredAt?: number }[]): string[] {
    const now = this.deps.clock.now();
    const rows: NewEvent[] = events.map((event) => ({
      accountId,
      eventType: event.type,
      occurredAt: event.occurredAt ?? now,
      payload: stringifyJson(event.payload),
      messageId: event.payload.MessageID === undefined ? null : String(event.payload.MessageID),
      email: typeof event.payload.email === 'string' ? event.payload.email : null,
    }));
    atomically(this.deps.db, () => insertEvents(this.deps.db, rows, now));
    this.announceAccepted(accountId, rows.length);
    this.deps.stored(
      rows.reduce((min, row) => Math.min(min, row.occurredAt), Infinity),
      now,
      rows.length,
    );
    return rows.map((row) => row.payload);
  }

  /**
   * Tells listeners (the dashboard's live feed) that events were accepted, once they are committed: inside a
   * transaction (a group commit of sends), after it commits, and never for work that was rolled back.
   */
  private announceAccepted(accountId: number, count: number): void {
    const scope = transactionScope(this.deps.db);
    if (!scope) {
      this.deps.announcer.emit('accepted', { accountId, count });
      return;
    }
    this.announcements += 1;
    scope.afterCommit.set(`engine:accepted:${this.announcements}`, () => this.deps.announcer.emit('accepted', { accountId, count }));
  }

  /** Builds a realistic payload of `type` from the given fields (any field may be given) and accepts it. */
  emitEvents(accountId: number, inputs: readonly { type: EventType; fields: EventPayload }[]): EventPayload[] {
    return this.accept(accountId, this.buildPayloads(inputs, this.reserveMessageIds(inputs.length)));
  }

  /**
   * Realistic payloads for `inputs`, due now; the i-th gets MessageID `firstId + i` unless its fields give
   * one. For callers that reserve the IDs of a large batch once and store it in parts.
   */
  buildPayloads(inputs: readonly { type: EventType; fields: EventPayload }[], firstId: bigint): { type: EventType; payload: EventPayload }[] {
    const now = this.deps.clock.now();
    return inputs.map((input, i) => ({
      type: input.type,
      payload: buildEventPayload(input.type, input.fields, {
        time: now,
        messageId: firstId + BigInt(i),
        messageGuid: randomUUID(),
        random: this.deps.random,
      }),
    }));
  }

  /** A fresh MessageID: above 2^53 unless `safeMessageIds`, unique per database. */
  nextMessageId(): bigint {
    return this.reserveMessageIds(1);
  }

  /** Reserves `count` consecutive MessageIDs (one write, however many) and returns the first. */
  reserveMessageIds(count: number): bigint {
    return (this.deps.settings.safeMessageIds ? SAFE_MESSAGE_ID_BASE : MESSAGE_ID_BASE) + reserveSequence(this.deps.db, 'message_seq', count);
  }
}
