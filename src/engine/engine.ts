/**
 * The delivery engine: routes events whose time has come, claims due deliveries in transactions, POSTs
 * them with bounded concurrency, records every attempt, applies the retry policy, suspends exhausted URLs
 * and hands their work to the backup URL. The database and the policy table are the source of truth; the
 * in-memory state is only what is in flight right now.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { ClockNotMovableError, ClockRangeError } from './clock.js';
import { safeHorizon, suspendingAttemptCount, suspensionReach } from '../core/advance-horizon.js';
import { isoTime, targetBeyondLimit } from '../core/clock-range.js';
import type { Settings } from './settings.js';
import { buildEventPayload, type EventPayload } from '../core/event-payload.js';
import { ClaimGate, UrlSpeeds } from '../core/fair-share.js';
import type { EventType } from '../core/event-types.js';
import { maskCredentials } from '../core/webhook-url.js';
import { stringifyJson } from '../core/json.js';
import { interruptOpenAttempts, type AttemptResult } from '../db/attempts.js';
import type { AdvanceOptions, AdvanceSummary, EngineEvents } from '../core/engine-events.js';

export type { AdvanceOptions, AdvanceSummary, EngineEvents } from '../core/engine-events.js';
import type { CallbackUrl } from '../db/callback-urls.js';
import {
  claimDue,
  earliestPendingAfterAttempts,
  getDelivery,
  nextPendingAt,
  requeueInFlight,
  type ClaimedDelivery,
} from '../db/deliveries.js';
import { inboundPayloadOfDelivery } from '../db/inbound-messages.js';
import { insertEvents, markRouted, nextUnroutedAt, payloadsOfDelivery, type NewEvent } from '../db/events.js';
import { atomically, inTransaction, transactionScope, type Db } from '../db/open-db.js';
import { reserveSequence, writeState } from '../db/sim-state.js';
import { handOverPending, recordAttempt } from './record-attempt.js';
import { deliverNow, reroute, routeDueEvents } from './router.js';
import type { PostResult, Transport } from './http-transport.js';
import { WEBHOOK_USER_AGENT } from '../core/version.js';
import { storageHealth } from '../db/storage-health.js';
import { WriteBackoff } from './write-backoff.js';

/** A running advance of the manual clock (see `Engine.advance`). */
interface AheadRun {
  until: number;
  /** The attempt counter when the advance began (its progress is the difference). */
  attemptsBefore: number;
  cancelled: boolean;
  /** Resolves the run: true when it was cancelled (or the engine stopped) before reaching `until`. */
  finish: (cancelled: boolean) => void;
  /** Real time (performance.now) the clock was last shown (persisted and announced). */
  shownAt: number;
}

interface Counters {
  attempts: number;
  successes: number;
  failures: number;
  urlsSuspended: number;
}

const ROUTE_BATCH = 2_000;
/** During an advance a whole horizon of events may be due at once: route them in shorter transactions. */
const AHEAD_ROUTE_BATCH = 1_000;
/** Under load, claim only once this many slots are free (fewer, larger claim transactions). */
const CLAIM_BATCH_FLOOR = 16;
const MESSAGE_ID_BASE = 1n << 59n;
const SAFE_MESSAGE_ID_BASE = 1n << 40n;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** While an advance runs, the moving clock is persisted and announced at most this often (real ms). */
const CLOCK_SHOW_MS = 100;

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
  readonly counters: Counters = { attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 };
  /**
   * The counters when the last advance ended: the next summary counts from here, not from its own start, so an
   * attempt due before it began counts whether or not it had finished by then (issue 18: a summary that
   * counted attempt 1 in one run and not in another).
   */
  private summarized: Counters = { attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 };
  private running = false;
  /** Set by `drain`: no more claiming or routing; finished attempts are still recorded. */
  private draining = false;
  private drainWaiters: (() => void)[] = [];
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The clock time the armed timer wakes the engine for (undefined: no timer armed). */
  private timerDueAt: number | undefined;
  private inFlight = 0;
  private readonly inFlightByUrl = new Map<number, number>();
  /** How quickly each URL's last attempt came back: slow ones share the slow lane (core/fair-share.ts). */
  private readonly speeds: UrlSpeeds;
  /** The last URL served, so that the next claim pass starts after it (round-robin). */
  private claimCursor = 0;
  private completions: { claim: ClaimedDelivery; result: AttemptResult }[] = [];
  private flushScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private advancing: Promise<unknown> = Promise.resolve();
  private lastLateness = 0;
  /** Numbers the "accepted" notices waiting for their commit. */
  private announcements = 0;
  /** The advance running now (manual clock): work is claimed ahead of the visible clock, up to a safe horizon. */
  private ahead: AheadRun | undefined;
  /** The summary the running advance will resolve with (for `cancelAdvance`). */
  private currentAdvance: Promise<AdvanceSummary> | undefined;
  /** The clock time last persisted and announced (`clock` event). */
  private shownNow: number;
  /** Claimed attempts not yet recorded, by attempt ID: their scheduled time and whether a failure would suspend the URL. */
  private readonly open = new Map<number, { scheduledAt: number; suspends: boolean }>();
  private readonly suspensionReachMs: number | null;
  private readonly suspendingCount: number | null;
  /** Whether a pending delivery may be waiting for its last attempt (a failure would suspend its URL). */
  private lastAttemptsPending = false;
  /** While the storage fails (a full disk), dispatch passes and flushes wait and try again (write-backoff.ts). */
  private readonly pumpBackoff = new WriteBackoff();
  private readonly flushBackoff = new WriteBackoff();
  private flushRetry: NodeJS.Timeout | undefined;

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly settings: Settings,
    private readonly transport: Transport,
    private readonly random: () => number = Math.random,
  ) {
    super();
    this.setMaxListeners(100);
    this.speeds = new UrlSpeeds(settings.attemptTimeoutMs);
    this.suspensionReachMs = suspensionReach(settings.policy);
    this.suspendingCount = suspendingAttemptCount(settings.policy);
    this.shownNow = clock.now();
  }

  /** Recovers what a crash left in flight, then starts dispatching. */
  start(): { interrupted: number } {
    const now = this.clock.now();
    const interrupted = inTransaction(this.db, () => {
      const count = interruptOpenAttempts(this.db, now);
      requeueInFlight(this.db, now);
      return count;
    });
    this.lastAttemptsPending =
      this.suspendingCount !== null && earliestPendingAfterAttempts(this.db, this.suspendingCount, Number.MAX_SAFE_INTEGER) !== null;
    this.running = true;
    this.draining = false;
    this.wake();
    return { interrupted };
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
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    clearTimeout(this.timer);
    this.timerDueAt = undefined;
    if (!this.running || this.settled()) return this.inFlight;
    let deadline: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.drainWaiters.push(resolve);
      deadline = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(deadline);
    return this.inFlight;
  }

  /** Stops dispatching and persists the clock. In-flight attempts are recovered at the next start. */
  stop(): void {
    this.running = false;
    this.draining = true;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    clearTimeout(this.timer);
    clearTimeout(this.flushRetry);
    this.flushRetry = undefined;
    this.persistClock();
    this.transport.close();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.ahead?.finish(true);
  }

  /** Schedules a dispatch pass soon (after new events, URL changes or clock moves). */
  wake(): void {
    if (!this.running || this.draining || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Resolves when nothing is due now and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  /** Clock milliseconds by which the last claimed attempt started after it was due. */
  get lateness(): number {
    return this.lastLateness;
  }

  get attemptsInFlight(): number {
    return this.inFlight;
  }

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
    const now = this.clock.now();
    const rows: NewEvent[] = events.map((event) => ({
      accountId,
      eventType: event.type,
      occurredAt: event.occurredAt ?? now,
      payload: stringifyJson(event.payload),
      messageId: event.payload.MessageID === undefined ? null : String(event.payload.MessageID),
      email: typeof event.payload.email === 'string' ? event.payload.email : null,
    }));
    atomically(this.db, () => insertEvents(this.db, rows, now));
    this.announceAccepted(accountId, rows.length);
    // A dispatch pass per accepted batch costs more than a one-recipient send: skip it when every event
    // lies after a time the engine will wake for anyway (its armed timer; on the manual clock, a clock move).
    const earliest = rows.reduce((min, row) => Math.min(min, row.occurredAt), Infinity);
    const wokenInTime = this.clock.mode === 'manual' || (this.timerDueAt !== undefined && this.timerDueAt <= earliest);
    if (earliest <= now || !wokenInTime || this.ahead) this.wake();
    return rows.map((row) => row.payload);
  }

  /**
   * Tells listeners (the dashboard's live feed) that events were accepted, once they are committed: inside a
   * transaction (a group commit of sends), after it commits, and never for work that was rolled back.
   */
  private announceAccepted(accountId: number, count: number): void {
    const scope = transactionScope(this.db);
    if (!scope) {
      this.emit('accepted', { accountId, count });
      return;
    }
    this.announcements += 1;
    scope.afterCommit.set(`engine:accepted:${this.announcements}`, () => this.emit('accepted', { accountId, count }));
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
    const now = this.clock.now();
    return inputs.map((input, i) => ({
      type: input.type,
      payload: buildEventPayload(input.type, input.fields, {
        time: now,
        messageId: firstId + BigInt(i),
        messageGuid: randomUUID(),
        random: this.random,
      }),
    }));
  }

  /** A fresh MessageID: above 2^53 unless `safeMessageIds`, unique per database. */
  nextMessageId(): bigint {
    return this.reserveMessageIds(1);
  }

  /** Reserves `count` consecutive MessageIDs (one write, however many) and returns the first. */
  reserveMessageIds(count: number): bigint {
    return (this.settings.safeMessageIds ? SAFE_MESSAGE_ID_BASE : MESSAGE_ID_BASE) + reserveSequence(this.db, 'message_seq', count);
  }

  /** Sends a test event of the URL's type to that URL through the normal path (`POST .../{ID}/test`). */
  sendTest(callback: CallbackUrl): EventPayload {
    const now = this.clock.now();
    const payload = buildEventPayload(
      callback.eventType as EventType,
      { email: 'test@example.com', CustomID: 'mjsim-test' },
      { time: now, messageId: this.nextMessageId(), messageGuid: randomUUID(), random: this.random },
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
      deliverNow(this.db, callback.accountId, [{ ...event, id: id as number, routed: true, createdAt: now }], callback, now, 1, null, 'test event');
    });
    this.wake();
    return payload;
  }

  /** Re-sends a delivery's events by today's routing; returns the new delivery IDs (undefined: no such delivery). */
  replay(accountId: number, deliveryId: number): number[] | undefined {
    const now = this.clock.now();
    const ids = inTransaction(this.db, () => {
      const delivery = getDelivery(this.db, accountId, deliveryId);
      return delivery && reroute(this.db, delivery, now, this.settings.maxBatch, `replay of delivery #${delivery.id}`).ids;
    });
    this.wake();
    return ids;
  }

  /** Called after a PUT: a URL set dead by hand hands its pending work over, like a suspension. */
  callbackUrlChanged(before: CallbackUrl, after: CallbackUrl): void {
    if (before.status === 'alive' && after.status === 'dead') {
      inTransaction(this.db, () => handOverPending(this.db, after, this.clock.now(), this.settings.maxBatch, `URL #${after.id} was set dead`));
    }
    this.wake();
  }

  /** Called after a DELETE: the URL's pending work goes to the backup, or is kept suppressed. */
  callbackUrlRemoved(row: CallbackUrl): void {
    inTransaction(this.db, () => handOverPending(this.db, row, this.clock.now(), this.settings.maxBatch, `URL #${row.id} was deleted`));
    this.wake();
  }

  /** When the next thing (an event's time, a due attempt) happens, or null. */
  nextDueAt(): number | null {
    const times = [nextUnroutedAt(this.db), nextPendingAt(this.db)].filter((time): time is number => time !== null);
    return times.length ? Math.min(...times) : null;
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
    if (this.clock.mode === 'real') return Promise.reject(new ClockNotMovableError());
    const beyond = target === 'next' ? null : targetBeyondLimit(this.clock.start, target);
    if (beyond) return Promise.reject(new ClockRangeError(beyond));
    const run: Promise<AdvanceSummary> = this.advancing.then(async () => {
      this.currentAdvance = run;
      const before = { ...this.counters };
      const from = this.clock.now();
      // "next" is the next due time once what is due now has been answered (a failure adds its retry).
      if (target === 'next') await this.idle();
      const until = target === 'next' ? Math.max(this.nextDueAt() ?? this.clock.now(), this.clock.now()) : target;
      const nextBeyond = targetBeyondLimit(this.clock.start, until);
      if (nextBeyond) throw new ClockRangeError(`The next due time: ${nextBeyond}`);
      const cancelled = this.clock.mode === 'manual' ? await this.runAhead(until, options.signal, before.attempts) : await this.stepTo(until);
      if (!cancelled && this.running) {
        this.moveClock(until);
        await this.idle();
      } else if (this.running) {
        this.showClock(true);
      }
      const since = this.summarized;
      this.summarized = { ...this.counters };
      return {
        from: isoTime(from),
        to: isoTime(this.clock.now()),
        attempts: this.counters.attempts - since.attempts,
        successes: this.counters.successes - since.successes,
        failures: this.counters.failures - since.failures,
        urlsSuspended: this.counters.urlsSuspended - since.urlsSuspended,
        ...(cancelled ? { cancelled: true as const } : {}),
      };
    });
    this.advancing = run.catch(() => undefined);
    return run;
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
    if (!this.ahead) return undefined;
    this.ahead.cancelled = true;
    this.wake();
    return this.currentAdvance;
  }

  /**
   * The advance running now (manual clock): its target and the attempts made so far; undefined when none runs.
   *
   * @example
   * engine.advanceProgress // { until: 1767232800000, attempts: 1234 }
   */
  get advanceProgress(): { until: number; attempts: number } | undefined {
    return this.ahead && { until: this.ahead.until, attempts: this.counters.attempts - this.ahead.attemptsBefore };
  }

  /**
   * A scaled clock runs on by itself, so an advance steps it to each due time in turn and waits until what
   * is due has been answered. Resolves true when the engine stopped on the way.
   */
  private async stepTo(until: number): Promise<boolean> {
    await this.idle();
    for (let next = this.nextDueAt(); next !== null && next <= until; next = this.nextDueAt()) {
      this.moveClock(next);
      await this.idle();
      if (!this.running) return true;
    }
    return !this.running;
  }

  /** Lets the pump claim ahead up to `until`; resolves true when cancelled or stopped before getting there. */
  private async runAhead(until: number, signal: AbortSignal | undefined, attemptsBefore: number): Promise<boolean> {
    if (!this.running) return true;
    const onAbort = () => void this.cancelAdvance();
    try {
      return await new Promise<boolean>((resolve) => {
        this.ahead = { until, attemptsBefore, cancelled: signal?.aborted ?? false, finish: resolve, shownAt: performance.now() };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.wake();
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.ahead = undefined;
    }
  }

  /**
   * The horizon of the running advance and the visible clock (the earliest unfinished work, never past the
   * horizon).
   */
  private aheadBounds(until: number): { horizon: number; visible: number } {
    let earliest: number | null = null;
    let lastInFlight: number | null = null;
    for (const attempt of this.open.values()) {
      earliest = earliest === null ? attempt.scheduledAt : Math.min(earliest, attempt.scheduledAt);
      if (attempt.suspends) lastInFlight = lastInFlight === null ? attempt.scheduledAt : Math.min(lastInFlight, attempt.scheduledAt);
    }
    for (const time of [nextPendingAt(this.db), nextUnroutedAt(this.db)]) {
      if (time !== null) earliest = earliest === null ? time : Math.min(earliest, time);
    }
    const figures = { until, earliestUnfinished: earliest, suspensionReachMs: this.suspensionReachMs, earliestLastInFlight: lastInFlight };
    const bound = safeHorizon({ ...figures, earliestLastPending: null });
    const lastPending =
      this.suspendingCount !== null && this.lastAttemptsPending ? earliestPendingAfterAttempts(this.db, this.suspendingCount, bound) : null;
    const horizon = safeHorizon({ ...figures, earliestLastPending: lastPending });
    return { horizon, visible: Math.min(earliest ?? horizon, horizon) };
  }

  /**
   * Moves the clock forward to `time` (if later), persists it (so a restart resumes where all earlier work
   * was done) and, when it moved since it was last announced, announces it: during an advance at most every
   * CLOCK_SHOW_MS of real time, unless `force`.
   */
  private showClock(force: boolean, time?: number): void {
    if (time !== undefined && time > this.clock.now()) {
      this.clock.advanceTo(time);
      this.persistClock();
    }
    if (this.clock.now() === this.shownNow) return;
    const ahead = this.ahead;
    if (!force && ahead && performance.now() - ahead.shownAt < CLOCK_SHOW_MS) return;
    if (ahead) ahead.shownAt = performance.now();
    this.shownNow = this.clock.now();
    this.persistClock();
    this.emit('clock', { now: this.shownNow });
  }

  private moveClock(time: number): void {
    if (this.clock.mode === 'manual') {
      this.showClock(true, time);
    } else if (time > this.clock.now()) {
      this.clock.advanceTo(time);
      this.persistClock();
      this.emit('clock', { now: this.clock.now() });
    }
    this.wake();
  }

  /** Saves the clock's time so a restart continues from it (a later save catches up if the disk is full now). */
  persistClock(): void {
    try {
      writeState(this.db, 'clock_now', String(this.clock.now()));
    } catch (error) {
      if (!storageHealth(this.db.$client).noteFault(error)) throw error;
    }
  }

  /**
   * One dispatch pass, unless the database vanished (nothing more is claimed; what is in flight is still
   * recorded). A pass the storage refuses (a full disk) is tried again after a backoff.
   */
  private pump(): void {
    if (!this.running || this.draining || storageHealth(this.db.$client).state.status === 'gone') return;
    try {
      this.dispatch();
      this.pumpBackoff.succeeded();
    } catch (error) {
      if (!storageHealth(this.db.$client).noteFault(error)) throw error;
      clearTimeout(this.timer);
      this.timerDueAt = undefined;
      this.timer = setTimeout(() => this.wake(), this.pumpBackoff.failed());
    }
  }

  /**
   * One dispatch pass: route events whose time has come, claim what is due (in batches under load, so
   * transactions stay few), start the POSTs, then either go again, set a timer for the next due time, or
   * report idle.
   */
  private dispatch(): void {
    clearTimeout(this.timer);
    this.timerDueAt = undefined;
    const ahead = this.ahead;
    if (ahead?.cancelled) {
      if (this.settled()) ahead.finish(true);
      return;
    }
    let now = this.clock.now();
    // During an advance, work up to the safe horizon is routed and claimed now; each attempt still starts
    // (and is recorded) at its scheduled time, and the visible clock follows the earliest unfinished work.
    let horizon = now;
    if (ahead) {
      const bounds = this.aheadBounds(ahead.until);
      horizon = bounds.horizon;
      this.showClock(false, bounds.visible);
      now = this.clock.now();
    }
    const unroutedAt = nextUnroutedAt(this.db);
    const routeBatch = ahead ? AHEAD_ROUTE_BATCH : ROUTE_BATCH;
    const routed =
      unroutedAt !== null && unroutedAt <= horizon ? inTransaction(this.db, () => routeDueEvents(this.db, now, routeBatch, this.settings.maxBatch, horizon)) : 0;
    // Events still due after the pass: a full batch, or staged events moving into the time index a slice per
    // pass (db/events.ts). A Version 2 group closes on its clock second: claim nothing they could join.
    const unroutedLeft = unroutedAt !== null && unroutedAt <= horizon ? nextUnroutedAt(this.db) : unroutedAt;
    const stillDue = unroutedLeft !== null && unroutedLeft <= horizon;
    const claimUpTo = ahead && stillDue ? unroutedLeft : horizon;
    const capacity = this.settings.concurrency - this.inFlight;
    const worthClaiming = capacity >= Math.min(CLAIM_BATCH_FLOOR, this.settings.concurrency) || (capacity > 0 && this.inFlight < CLAIM_BATCH_FLOOR);
    let claimed: { claim: ClaimedDelivery; body: string }[] = [];
    if (worthClaiming) {
      const gate = new ClaimGate({
        concurrency: this.settings.concurrency,
        perUrlLimit: this.settings.perUrlConcurrency,
        inFlightByUrl: this.inFlightByUrl,
        speedOf: (id) => this.speeds.speedOf(id),
      });
      claimed = inTransaction(this.db, () =>
        claimDue(this.db, now, capacity, gate, this.claimCursor, ahead ? { upTo: claimUpTo } : undefined).map((claim) => ({ claim, body: this.bodyOf(claim) })),
      );
      const lastUrl = claimed.findLast(({ claim }) => claim.callbackUrlId !== null)?.claim.callbackUrlId;
      if (lastUrl != null) this.claimCursor = lastUrl;
    }
    for (const { claim, body } of claimed) this.startAttempt(claim, body);
    // During an advance, newly routed work may move the horizon: look again.
    if (stillDue || claimed.length > 0 || (ahead && routed > 0)) {
      this.wake();
      return;
    }
    const next = this.nextDueAt();
    if (next !== null && next > now) {
      const delay = this.clock.realDelayUntil(next);
      if (Number.isFinite(delay)) {
        this.timer = setTimeout(() => this.wake(), Math.min(Math.max(delay, 1), MAX_TIMER_MS));
        this.timerDueAt = delay > MAX_TIMER_MS ? undefined : next;
      }
    }
    // An advance is done (and the engine idle) once nothing is in flight and nothing is due by its target.
    const settledBy = ahead ? ahead.until : now;
    if (ahead && this.settled() && next !== null && next <= settledBy) {
      // Nothing in flight, so the next pass's horizon reaches the earliest work left.
      this.wake();
      return;
    }
    if (this.settled() && (next === null || next > settledBy)) {
      ahead?.finish(false);
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.emit('idle');
    }
  }

  private bodyOf(claim: ClaimedDelivery): string {
    if (claim.parseRouteId !== null) return inboundPayloadOfDelivery(this.db, claim.id) ?? '{}';
    const payloads = payloadsOfDelivery(this.db, claim.id);
    return claim.version === 2 ? `[${payloads.join(',')}]` : (payloads[0] ?? '{}');
  }

  private startAttempt(claim: ClaimedDelivery, body: string): void {
    this.inFlight += 1;
    if (claim.callbackUrlId !== null) this.inFlightByUrl.set(claim.callbackUrlId, (this.inFlightByUrl.get(claim.callbackUrlId) ?? 0) + 1);
    this.open.set(claim.attemptId, { scheduledAt: claim.scheduledAt, suspends: this.suspendingCount !== null && claim.attemptNumber > this.suspendingCount });
    this.lastLateness = Math.max(0, claim.startedAt - claim.scheduledAt);
    const realStart = performance.now();
    const done = (post: PostResult | null) => {
      const latencyMs = Math.round(performance.now() - realStart);
      const endedAt = this.attemptTime(claim);
      const result: AttemptResult = post
        ? {
            endedAt,
            outcome: post.outcome === 'http-status' && this.isSuccess(post.httpStatus) ? 'success' : post.outcome,
            httpStatus: post.httpStatus,
            latencyMs,
            responseBody: post.responseBody,
            error: post.error,
          }
        : { endedAt, outcome: 'url-gone', httpStatus: null, latencyMs, responseBody: null, error: 'the callback URL was deleted' };
      this.completions.push({ claim, result });
      this.scheduleFlush();
    };
    if (claim.url === null || claim.urlStatus === 'dead') {
      done(null);
      return;
    }
    this.transport
      .post(claim.url, body, {
        timeoutMs: this.settings.attemptTimeoutMs,
        responseCapBytes: this.settings.responseCapBytes,
        userAgent: WEBHOOK_USER_AGENT,
      })
      .then(done, (error: Error) => done({ outcome: 'error', httpStatus: null, responseBody: null, error: error.message }));
  }

  /**
   * The clock time an attempt ends and is recorded at. The manual clock does not move during an attempt, so
   * that is when it started (its scheduled time during an advance, even when claimed ahead of the visible
   * clock); a running clock has moved on.
   */
  private attemptTime(claim: ClaimedDelivery): number {
    return this.clock.mode === 'manual' ? claim.startedAt : this.clock.now();
  }

  private isSuccess(status: number | null): boolean {
    if (status === 200) return true;
    return this.settings.acceptAny2xx && status !== null && status >= 200 && status < 300;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private count(result: AttemptResult, suspended: number): void {
    this.counters.attempts += 1;
    if (result.outcome === 'success') this.counters.successes += 1;
    else if (result.outcome !== 'url-gone') this.counters.failures += 1;
    this.counters.urlsSuspended += suspended;
  }

  /**
   * Records finished attempts in one transaction, then frees their concurrency slots. When the storage
   * refuses the transaction (a full disk), the attempts stay finished in memory, their slots taken, and the
   * flush is tried again after a backoff.
   */
  private flush(): void {
    if (this.flushRetry) return;
    const batch = this.completions.splice(0);
    if (batch.length === 0) return;
    const announcements: EngineEvents['attempt'][0][] = [];
    const suspensions: EngineEvents['suspended'][0][] = [];
    const counted: { result: AttemptResult; suspended: number }[] = [];
    if (this.running) {
      try {
        this.record(batch, announcements, suspensions, counted);
        this.flushBackoff.succeeded();
      } catch (error) {
        if (!storageHealth(this.db.$client).noteFault(error)) throw error;
        this.completions.unshift(...batch);
        this.flushRetry = setTimeout(() => {
          this.flushRetry = undefined;
          this.flush();
        }, this.flushBackoff.failed());
        return;
      }
    }
    for (const { result, suspended } of counted) this.count(result, suspended);
    this.release(batch, announcements, suspensions);
  }

  /** The flush's transaction: counted only once it commits (a refused one is tried again). */
  private record(
    batch: { claim: ClaimedDelivery; result: AttemptResult }[],
    announcements: EngineEvents['attempt'][0][],
    suspensions: EngineEvents['suspended'][0][],
    counted: { result: AttemptResult; suspended: number }[],
  ): void {
    inTransaction(this.db, () => {
      for (const { claim, result } of batch) {
        const at = this.attemptTime(claim);
        const recorded = recordAttempt(this.db, this.settings, claim, result, at);
        counted.push({ result, suspended: recorded.suspended.length });
        if (this.suspendingCount !== null && claim.attemptNumber >= this.suspendingCount && recorded.status === 'pending') this.lastAttemptsPending = true;
        announcements.push({
          deliveryId: claim.id,
          accountId: claim.accountId,
          number: claim.attemptNumber,
          outcome: result.outcome,
          httpStatus: result.httpStatus,
          latencyMs: result.latencyMs,
          status: recorded.status,
          at,
        });
        for (const row of recorded.suspended) {
          suspensions.push({ callbackUrlId: row.id, accountId: row.accountId, eventType: row.eventType, url: maskCredentials(row.url), at });
        }
      }
    });
  }

  /** Frees the recorded attempts' slots and announces them. */
  private release(
    batch: { claim: ClaimedDelivery; result: AttemptResult }[],
    announcements: EngineEvents['attempt'][0][],
    suspensions: EngineEvents['suspended'][0][],
  ): void {
    for (const { claim, result } of batch) {
      this.inFlight -= 1;
      this.open.delete(claim.attemptId);
      if (claim.callbackUrlId !== null) {
        this.speeds.record(claim.callbackUrlId, { timedOut: result.outcome === 'timeout', latencyMs: result.latencyMs });
        const left = (this.inFlightByUrl.get(claim.callbackUrlId) ?? 1) - 1;
        if (left <= 0) this.inFlightByUrl.delete(claim.callbackUrlId);
        else this.inFlightByUrl.set(claim.callbackUrlId, left);
      }
    }
    for (const announcement of announcements) this.emit('attempt', announcement);
    for (const suspension of suspensions) this.emit('suspended', suspension);
    if (this.draining && this.settled()) for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.wake();
  }

  /** Nothing in flight and nothing finished but unrecorded. */
  private settled(): boolean {
    return this.inFlight === 0 && this.completions.length === 0;
  }
}
