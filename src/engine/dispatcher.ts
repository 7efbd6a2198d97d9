/**
 * The dispatcher: routes events whose time has come and claims due deliveries in transactions, with bounded
 * concurrency, for the attempt runner to POST and record (attempt-runner.ts). The database is the source of
 * truth; the state here is only when to run the next pass.
 * During an advance of the manual clock it claims ahead of the visible clock, up to a safe horizon, through
 * the `AheadWindow` the advance lends it (clock-advance.ts).
 */
import type { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import { safeHorizon, suspensionReach } from '../core/advance-horizon.js';
import type { Settings } from './settings.js';
import type { AttemptCounts, EngineEvents } from '../core/engine-events.js';
import { claimDue, earliestPendingAfterAttempts, type ClaimedDelivery } from '../db/claim-due.js';
import { nextPendingAt } from '../db/deliveries.js';
import { inboundPayloadOfDelivery } from '../db/inbound-messages.js';
import { nextUnroutedAt, payloadsOfDelivery } from '../db/events.js';
import { inTransaction, transactionScope, type Db } from '../db/open-db.js';
import { routeDueEvents } from './router.js';
import type { Transport } from './http-transport.js';
import { storageHealth } from '../db/storage-health.js';
import { WriteBackoff } from './write-backoff.js';
import { AttemptRunner, type Claimed, type Finished } from './attempt-runner.js';

/** What the dispatcher sees of a running advance of the manual clock (clock-advance.ts). */
export interface AheadWindow {
  /** The advance's target: work up to it may be claimed ahead of the visible clock (within the safe horizon). */
  readonly until: number;
  readonly cancelled: boolean;
  /** Moves the visible clock forward to `time` (persisted and announced now and then). */
  show(time: number): void;
  /** Ends the advance: true when it was cancelled (or the engine stopped) before reaching `until`. */
  finish(cancelled: boolean): void;
}

/** What the dispatcher needs besides storage, clock and settings. */
export interface DispatcherDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly transport: Transport;
  /** Where attempts, suspensions and idleness are announced (the engine). */
  readonly announcer: Pick<EventEmitter<EngineEvents>, 'emit'>;
  /** The advance running now, if any. */
  readonly ahead: () => AheadWindow | undefined;
}

const ROUTE_BATCH = 2_000;
/**
 * A routing pass holds the event loop: 2,000 Version 1 events took 46–49 ms of CPU and up to 160 ms of wall
 * under load (bench:backlog). Passes that take longer than this (real ms) shrink the next batch, and a pass
 * past half of it leaves the claim to the next turn; full passes well under it grow the batch back.
 */
const ROUTE_TURN_MS = 30;
const MIN_ROUTE_BATCH = 100;
/** During an advance a whole horizon of events may be due at once: route them in shorter transactions. */
const AHEAD_ROUTE_BATCH = 1_000;
/** Under load, claim only once this many slots are free (fewer, larger claim transactions). */
const CLAIM_BATCH_FLOOR = 16;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Dispatches due work. `start()` recovers interrupted attempts and begins; `drain(ms)` stops claiming and
 * lets in-flight attempts finish and be recorded; `stop()` leaves what is in flight to the next start.
 *
 * @example
 * const dispatcher = new Dispatcher({ db, clock, settings, transport, announcer: engine, ahead: () => undefined });
 * dispatcher.start();
 * await dispatcher.idle();
 */
export class Dispatcher {
  private isRunning = false;
  /** Set by `drain`: no more claiming or routing; finished attempts are still recorded. */
  private draining = false;
  private drainWaiters: (() => void)[] = [];
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The clock time the armed timer wakes the engine for (undefined: no timer armed). */
  private timerDueAt: number | undefined;
  /** The last URL served, so that the next claim pass starts after it (round-robin). */
  private claimCursor = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly suspensionReachMs: number | null;
  /** While the storage fails (a full disk), dispatch passes wait and try again (write-backoff.ts). */
  private readonly pumpBackoff = new WriteBackoff();
  private readonly runner: AttemptRunner;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly settings: Settings;
  /** Intake batches pouring now (`pour`): while any are, routing waits for a full pass of events. */
  private pours = 0;
  /** About how many events stored since the last routing pass are still unrouted (only counted while pouring). */
  private heldEvents = 0;
  /** Events per routing pass now (outside an advance): ROUTE_BATCH, less while passes run long (ROUTE_TURN_MS). */
  private routeBatch = ROUTE_BATCH;
  /** The last pass routed for long: this one only claims, so the two do not add up in one turn. */
  private claimOnly = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.settings = deps.settings;
    this.suspensionReachMs = suspensionReach(deps.settings.policy);
    this.runner = new AttemptRunner({
      ...deps,
      running: () => this.isRunning,
      released: () => this.released(),
      claimFreed: (freeing) => this.claimFreed(freeing),
    });
  }

  /** Attempts made, successes, failures and suspensions since the start. */
  get counters(): AttemptCounts {
    return this.runner.counters;
  }

  /** Whether it was started and not stopped. */
  get running(): boolean {
    return this.isRunning;
  }

  /** Clock milliseconds by which the last claimed attempt started after it was due. */
  get lateness(): number {
    return this.runner.lateness;
  }

  get attemptsInFlight(): number {
    return this.runner.inFlight;
  }

  /** Recovers what a crash left in flight, then starts dispatching. */
  start(): { interrupted: number } {
    const interrupted = this.runner.recover();
    this.isRunning = true;
    this.draining = false;
    this.wake();
    return { interrupted };
  }

  /** Stops claiming and waits up to `timeoutMs` (real time) for the attempts in flight to be recorded; resolves with how many are left. */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    clearTimeout(this.timer);
    this.timerDueAt = undefined;
    if (!this.isRunning || this.runner.settled()) return this.runner.inFlight;
    let deadline: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.drainWaiters.push(resolve);
      deadline = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(deadline);
    return this.runner.inFlight;
  }

  /** Stops dispatching and closes the transport; what is in flight is recovered at the next start. */
  stop(): void {
    this.isRunning = false;
    this.draining = true;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    clearTimeout(this.timer);
    this.runner.stop();
    this.deps.transport.close();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Schedules a dispatch pass soon (after new events, URL changes or clock moves). */
  wake(): void {
    if (!this.isRunning || this.draining || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Wakes for newly stored events, unless every one lies after a time the dispatcher wakes for anyway (its
   * armed timer; on the manual clock, a clock move): a pass per accepted batch costs more than a one-recipient send.
   */
  wakeForEvents(earliest: number, now: number, count = 1): void {
    if (this.pours > 0 && !this.deps.ahead()) {
      // A pass of 32 events costs about twice as much per event as a pass of 2,000 (a commit and a staged
      // slice each): while a batch pours, route once a full pass has gathered, or when the pouring ends.
      this.heldEvents += count;
      if (this.heldEvents < this.routeBatch) return;
    }
    const wokenInTime = this.clock.mode === 'manual' || (this.timerDueAt !== undefined && this.timerDueAt <= earliest);
    if (earliest <= now || !wokenInTime || this.deps.ahead()) this.wake();
  }

  /**
   * An intake batch begins to pour: routing of the events stored meanwhile waits until a full routing pass
   * of them gathered or every batch ended (call the returned function once, however the batch ends). The engine is
   * never reported idle while due events wait so.
   *
   * @example
   * const end = dispatcher.pour();
   * try { storeInChunks(); } finally { end(); }
   */
  pour(): () => void {
    this.pours += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.pours -= 1;
      if (this.pours === 0) this.heldEvents = 0;
      this.wake();
    };
  }

  /** Resolves when nothing is due now and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.isRunning) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  /** When the next thing (an event's time, a due attempt) happens, or null. */
  nextDueAt(): number | null {
    const times = [nextUnroutedAt(this.db), nextPendingAt(this.db)].filter((time): time is number => time !== null);
    return times.length ? Math.min(...times) : null;
  }

  /**
   * One dispatch pass, unless the database vanished (nothing more is claimed; what is in flight is still
   * recorded). A pass the storage refuses (a full disk) is tried again after a backoff.
   */
  private pump(): void {
    if (!this.isRunning || this.draining || storageHealth(this.db.$client).state.status === 'gone') return;
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
    const ahead = this.deps.ahead();
    if (ahead?.cancelled) {
      if (this.runner.settled()) ahead.finish(true);
      return;
    }
    const { now, horizon } = this.passBounds(ahead);
    const unroutedAt = nextUnroutedAt(this.db);
    const routeBatch = ahead ? AHEAD_ROUTE_BATCH : this.routeBatch;
    // While a batch pours, its events wait for a full pass (see `pour`); its end wakes the dispatcher. Events
    // stored before it (none counted yet) route at once.
    const holding = !ahead && this.pours > 0 && this.heldEvents > 0 && this.heldEvents < routeBatch;
    const claimOnly = this.claimOnly && !ahead;
    this.claimOnly = false;
    const routeNow = !holding && !claimOnly && unroutedAt !== null && unroutedAt <= horizon;
    const started = performance.now();
    const routed = routeNow ? inTransaction(this.db, () => routeDueEvents(this.db, now, routeBatch, this.settings.maxBatch, horizon)) : 0;
    if (routeNow) {
      this.heldEvents = Math.max(0, this.heldEvents - routed);
      if (!ahead) this.paceRouting(routed, performance.now() - started);
    }
    // Events still due after the pass: a full batch, or staged events moving into the time index a slice per
    // pass (db/events.ts). A Version 2 group closes on its clock second: claim nothing they could join.
    const unroutedLeft = routeNow ? nextUnroutedAt(this.db) : unroutedAt;
    const held = holding && unroutedLeft !== null && unroutedLeft <= horizon;
    const stillDue = !held && unroutedLeft !== null && unroutedLeft <= horizon;
    if (this.claimOnly) {
      this.wake();
      return;
    }
    const claimUpTo = ahead && stillDue ? unroutedLeft : horizon;
    const claimed = this.worthClaiming(this.runner.inFlight) ? inTransaction(this.db, () => this.claim(now, claimUpTo, ahead)) : [];
    for (const { claim, body } of claimed) this.runner.start(claim, body);
    // During an advance, newly routed work may move the horizon: look again.
    if (stillDue || claimed.length > 0 || (ahead && routed > 0)) {
      this.wake();
      return;
    }
    // Held events are due: no idle, and a timer only for attempts due; the pour's end (or a full pass
    // gathered) wakes for the events.
    if (held) {
      const pendingAt = nextPendingAt(this.db);
      if (pendingAt !== null && pendingAt > now) this.armTimer(pendingAt);
      return;
    }
    const next = this.nextDueAt();
    if (next !== null && next > now) this.armTimer(next);
    // An advance is done (and the engine idle) once nothing is in flight and nothing is due by its target.
    const settledBy = ahead ? ahead.until : now;
    if (ahead && this.runner.settled() && next !== null && next <= settledBy) {
      // Nothing in flight, so the next pass's horizon reaches the earliest work left.
      this.wake();
      return;
    }
    if (this.runner.settled() && (next === null || next > settledBy)) {
      ahead?.finish(false);
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.deps.announcer.emit('idle');
    }
  }

  /**
   * Claims, inside the transaction that records finished attempts (attempt-runner.ts), due work for the
   * slots they free: what the pass their release wakes would claim, as it would see the storage and the
   * pool, one transaction and one pass sooner. When that pass would route first (events due by the
   * horizon) or not claim at all, nothing is claimed here and the pass does as it always did.
   */
  claimFreed(freeing: readonly Finished[]): Claimed[] {
    if (!this.isRunning || this.draining || storageHealth(this.db.$client).state.status === 'gone') return [];
    const inFlight = this.runner.inFlightAfter(freeing);
    if (!this.worthClaiming(inFlight)) return [];
    const ahead = this.deps.ahead();
    if (ahead?.cancelled) return [];
    const { now, horizon } = this.passBounds(ahead, freeing);
    const unroutedAt = nextUnroutedAt(this.db);
    if (unroutedAt !== null && unroutedAt <= horizon) return [];
    return this.claim(now, horizon, ahead, freeing);
  }

  /**
   * The clock time a pass works at and how far it may route and claim: `now`, or during an advance up to the
   * safe horizon, after the visible clock has moved to the earliest unfinished work (each attempt still
   * starts and is recorded at its scheduled time).
   */
  private passBounds(ahead: AheadWindow | undefined, freeing: readonly Finished[] = []): { now: number; horizon: number } {
    if (!ahead) {
      const now = this.clock.now();
      return { now, horizon: now };
    }
    const bounds = this.aheadBounds(ahead.until, freeing);
    ahead.show(bounds.visible);
    return { now: this.clock.now(), horizon: bounds.horizon };
  }

  /** Whether the free slots are worth a claim: under load only once CLAIM_BATCH_FLOOR are (fewer, larger claims). */
  private worthClaiming(inFlight: number): boolean {
    const capacity = this.settings.concurrency - inFlight;
    return capacity >= Math.min(CLAIM_BATCH_FLOOR, this.settings.concurrency) || (capacity > 0 && inFlight < CLAIM_BATCH_FLOOR);
  }

  /**
   * Claims due work (up to `upTo` during an advance) for the free slots, those of `freeing` counted as free,
   * in the caller's transaction; the round-robin cursor moves once it commits.
   */
  private claim(now: number, upTo: number, ahead: AheadWindow | undefined, freeing: readonly Finished[] = []): Claimed[] {
    const capacity = this.settings.concurrency - this.runner.inFlightAfter(freeing);
    const gate = this.runner.claimGate(freeing);
    const claimed = claimDue(this.db, now, capacity, gate, this.claimCursor, ahead ? { upTo } : undefined).map((claim) => ({ claim, body: this.bodyOf(claim) }));
    const lastUrl = claimed.findLast(({ claim }) => claim.callbackUrlId !== null)?.claim.callbackUrlId;
    if (lastUrl != null) transactionScope(this.db)?.afterCommit.set('claim-cursor', () => (this.claimCursor = lastUrl));
    return claimed;
  }

  /**
   * Paces routing passes by their real duration (the event loop's turn, not the simulated clock): a pass
   * over ROUTE_TURN_MS shrinks the next batch in proportion, a full one under half of it grows the batch a
   * quarter (up to ROUTE_BATCH); one over half of it leaves the claim to the next pass. What a pass routes
   * does not depend on its size (router.ts), only how the work is cut into turns.
   */
  private paceRouting(routed: number, ms: number): void {
    if (ms > ROUTE_TURN_MS) this.routeBatch = Math.max(MIN_ROUTE_BATCH, Math.floor((this.routeBatch * ROUTE_TURN_MS) / ms));
    else if (routed >= this.routeBatch && ms < ROUTE_TURN_MS / 2) this.routeBatch = Math.min(ROUTE_BATCH, Math.ceil(this.routeBatch * 1.25));
    this.claimOnly = ms > ROUTE_TURN_MS / 2;
  }

  /** Wakes the dispatcher at clock time `next` (when the clock runs). */
  private armTimer(next: number): void {
    const delay = this.clock.realDelayUntil(next);
    if (!Number.isFinite(delay)) return;
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(delay, 1), MAX_TIMER_MS));
    this.timerDueAt = delay > MAX_TIMER_MS ? undefined : next;
  }

  /** After recorded attempts freed their slots: a drain may be done, and freed slots may claim more. */
  private released(): void {
    if (this.draining && this.runner.settled()) for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.wake();
  }

  private bodyOf(claim: ClaimedDelivery): string {
    if (claim.parseRouteId !== null) return inboundPayloadOfDelivery(this.db, claim.id) ?? '{}';
    const payloads = payloadsOfDelivery(this.db, claim.id);
    return claim.version === 2 ? `[${payloads.join(',')}]` : (payloads[0] ?? '{}');
  }

  /**
   * The horizon of the running advance and the visible clock (the earliest unfinished work, never past the
   * horizon).
   */
  private aheadBounds(until: number, freeing: readonly Finished[]): { horizon: number; visible: number } {
    let earliest: number | null = null;
    let lastInFlight: number | null = null;
    for (const attempt of this.runner.openAttempts(freeing)) {
      earliest = earliest === null ? attempt.scheduledAt : Math.min(earliest, attempt.scheduledAt);
      if (attempt.suspends) lastInFlight = lastInFlight === null ? attempt.scheduledAt : Math.min(lastInFlight, attempt.scheduledAt);
    }
    for (const time of [nextPendingAt(this.db), nextUnroutedAt(this.db)]) {
      if (time !== null) earliest = earliest === null ? time : Math.min(earliest, time);
    }
    const figures = { until, earliestUnfinished: earliest, suspensionReachMs: this.suspensionReachMs, earliestLastInFlight: lastInFlight };
    const bound = safeHorizon({ ...figures, earliestLastPending: null });
    const lastPending =
      this.runner.suspendingCount !== null && this.runner.lastAttemptsPending
        ? earliestPendingAfterAttempts(this.db, this.runner.suspendingCount, bound)
        : null;
    const horizon = safeHorizon({ ...figures, earliestLastPending: lastPending });
    return { horizon, visible: Math.min(earliest ?? horizon, horizon) };
  }
}
