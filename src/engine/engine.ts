/**
 * The delivery engine: one object for the doors (serve.ts, the library, the use cases) over four rooms —
 * storing events and MessageIDs (event-store.ts), hand-overs and replays (hand-overs.ts), the advance of the
 * clock (clock-advance.ts) and dispatch (dispatcher.ts, which POSTs and records through attempt-runner.ts).
 * The database and the policy table are the source of truth; the in-memory state is only what is in flight.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import type { Settings } from './settings.js';
import type { EventPayload } from '../core/event-payload.js';
import type { EventType } from '../core/event-types.js';
import type { AdvanceOptions, AdvanceSummary, AttemptCounts, EngineEvents } from '../core/engine-events.js';
import type { CallbackUrl } from '../db/callback-urls.js';
import type { Db } from '../db/open-db.js';
import { writeState } from '../db/sim-state.js';
import { storageHealth } from '../db/storage-health.js';
import type { Transport } from './http-transport.js';
import { ClockAdvance } from './clock-advance.js';
import { Dispatcher } from './dispatcher.js';
import { EventStore } from './event-store.js';
import { HandOvers } from './hand-overs.js';

export type { AdvanceOptions, AdvanceSummary, EngineEvents } from '../core/engine-events.js';

/**
 * The engine. `start()` recovers interrupted attempts and begins dispatching; `drain(ms)` stops claiming
 * and lets in-flight attempts finish and be recorded; `stop()` waits for nothing and leaves whatever is
 * still in flight to be recovered (as interrupted, then retried) by the next start.
 *
 * @example
 * const engine = new Engine(db, clock, settings, createHttpTransport(128));
 * engine.start();
 * await engine.advance(clock.now() + 30_000);
 */
export class Engine extends EventEmitter<EngineEvents> {
  private readonly dispatcher: Dispatcher;
  private readonly eventStore: EventStore;
  private readonly handOvers: HandOvers;
  private readonly advances: ClockAdvance;

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly settings: Settings,
    transport: Transport,
    random: () => number = Math.random,
  ) {
    super();
    this.setMaxListeners(100);
    const dispatcher = new Dispatcher({ db, clock, settings, transport, announcer: this, ahead: () => this.advances.window });
    this.dispatcher = dispatcher;
    this.eventStore = new EventStore({ db, clock, settings, random, announcer: this, stored: (earliest, now, count) => dispatcher.wakeForEvents(earliest, now, count) });
    this.handOvers = new HandOvers({ db, clock, settings, random, nextMessageId: () => this.nextMessageId(), wake: () => this.wake() });
    this.advances = new ClockAdvance(clock, {
      get running() {
        return dispatcher.running;
      },
      counters: dispatcher.counters,
      idle: () => this.idle(),
      nextDueAt: () => this.nextDueAt(),
      wake: () => this.wake(),
      persistClock: () => this.persistClock(),
      clockShown: (now) => this.emit('clock', { now }),
    });
  }

  /** Attempts made, successes, failures and URLs suspended since the start. */
  get counters(): AttemptCounts {
    return this.dispatcher.counters;
  }

  /** Recovers what a crash left in flight, then starts dispatching. */
  start(): { interrupted: number } {
    return this.dispatcher.start();
  }

  /**
   * Stops claiming and waits up to `timeoutMs` (real time) for the attempts in flight to finish and be
   * recorded through the normal path (retries and suspensions as usual). Resolves with how many are still
   * in flight; call `stop()` next, which leaves those to the next start's recovery.
   *
   * @example
   * const left = await engine.drain(2_000);
   * engine.stop();
   */
  drain(timeoutMs: number): Promise<number> {
    return this.dispatcher.drain(timeoutMs);
  }

  /** Stops dispatching and persists the clock. In-flight attempts are recovered at the next start. */
  stop(): void {
    this.dispatcher.stop();
    this.persistClock();
    this.advances.window?.finish(true);
  }

  /** Schedules a dispatch pass soon (after new events, URL changes or clock moves). */
  wake(): void {
    this.dispatcher.wake();
  }

  /**
   * A batch of events begins to pour in (intake.ts): their routing waits for a full routing pass or the
   * end; call the returned function once the batch ended, however it ended.
   */
  pour(): () => void {
    return this.dispatcher.pour();
  }

  /** Resolves when nothing is due now and nothing is in flight. */
  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  /** Clock milliseconds by which the last claimed attempt started after it was due. */
  get lateness(): number {
    return this.dispatcher.lateness;
  }

  get attemptsInFlight(): number {
    return this.dispatcher.attemptsInFlight;
  }

  /**
   * Accepts events: stored at once (so never lost), routed when their time comes. Returns the payloads.
   * `occurredAt` defaults to now.
   */
  accept(accountId: number, events: readonly { type: EventType; payload: EventPayload; occurredAt?: number }[]): EventPayload[] {
    return this.eventStore.accept(accountId, events);
  }

  /** Like `accept`, but returns each payload's stored JSON text (each payload is serialized once). */
  store(accountId: number, events: readonly { type: EventType; payload: EventPayload; occurredAt?: number }[]): string[] {
    return this.eventStore.store(accountId, events);
  }

  /** Builds a realistic payload of `type` from the given fields (any field may be given) and accepts it. */
  emitEvents(accountId: number, inputs: readonly { type: EventType; fields: EventPayload }[]): EventPayload[] {
    return this.eventStore.emitEvents(accountId, inputs);
  }

  /**
   * Realistic payloads for `inputs`, due now; the i-th gets MessageID `firstId + i` unless its fields give
   * one. For callers that reserve the IDs of a large batch once and store it in parts.
   */
  buildPayloads(inputs: readonly { type: EventType; fields: EventPayload }[], firstId: bigint): { type: EventType; payload: EventPayload }[] {
    return this.eventStore.buildPayloads(inputs, firstId);
  }

  /** A fresh MessageID: above 2^53 unless `safeMessageIds`, unique per database. */
  nextMessageId(): bigint {
    return this.eventStore.nextMessageId();
  }

  /** Reserves `count` consecutive MessageIDs (one write, however many) and returns the first. */
  reserveMessageIds(count: number): bigint {
    return this.eventStore.reserveMessageIds(count);
  }

  /** Sends a test event of the URL's type to that URL through the normal path (`POST .../{ID}/test`). */
  sendTest(callback: CallbackUrl): EventPayload {
    return this.handOvers.sendTest(callback);
  }

  /** Re-sends a delivery's events by today's routing; returns the new delivery IDs (undefined: no such delivery). */
  replay(accountId: number, deliveryId: number): number[] | undefined {
    return this.handOvers.replay(accountId, deliveryId);
  }

  /** Called after a PUT: a URL set dead by hand hands its pending work over, like a suspension. */
  callbackUrlChanged(before: CallbackUrl, after: CallbackUrl): void {
    this.handOvers.callbackUrlChanged(before, after);
  }

  /** Called after a DELETE: the URL's pending work goes to the backup, or is kept suppressed. */
  callbackUrlRemoved(row: CallbackUrl): void {
    this.handOvers.callbackUrlRemoved(row);
  }

  /** When the next thing (an event's time, a due attempt) happens, or null. */
  nextDueAt(): number | null {
    return this.dispatcher.nextDueAt();
  }

  /**
   * Moves the clock to `target` through every attempt due on the way, and resolves once every attempt due by
   * then has finished, with what it did. Advances run one at a time. A target past the clock's limit
   * (`'next'` too) rejects with `ClockRangeError` before the clock moves at all.
   *
   * It runs at engine speed, and exactly: work is routed and claimed ahead of the visible clock up to a
   * horizon that no unfinished attempt can change (see core/advance-horizon.ts), each attempt is recorded at
   * its scheduled time, a message's deliveries to one URL go out in clock order, and the visible clock
   * follows the earliest unfinished work. Cancelled (`signal`, `cancelAdvance`), it stops there.
   *
   * @example
   * const summary = await engine.advance(clock.now() + 2 * 3_600_000);
   * summary.attempts // every attempt since the last advance ended: those due at the start (answered or not) and on the way
   */
  advance(target: number | 'next', options: AdvanceOptions = {}): Promise<AdvanceSummary> {
    return this.advances.advance(target, options);
  }

  /**
   * Cancels the advance running now: nothing more is claimed, the attempts in flight finish and are recorded,
   * and the clock stays at the earliest unfinished work. Returns the advance's summary, or undefined when
   * none is running.
   *
   * @example
   * const summary = await engine.cancelAdvance(); // { ..., cancelled: true }
   */
  cancelAdvance(): Promise<AdvanceSummary> | undefined {
    return this.advances.cancel();
  }

  /**
   * The advance running now (manual clock): its target and the attempts made so far; undefined when none runs.
   *
   * @example
   * engine.advanceProgress // { until: 1767232800000, attempts: 1234 }
   */
  get advanceProgress(): { until: number; attempts: number } | undefined {
    return this.advances.progress;
  }

  /** Saves the clock's time so a restart continues from it (a later save catches up if the disk is full now). */
  persistClock(): void {
    try {
      writeState(this.db, 'clock_now', String(this.clock.now()));
    } catch (error) {
      if (!storageHealth(this.db.$client).noteFault(error)) throw error;
    }
  }
}
