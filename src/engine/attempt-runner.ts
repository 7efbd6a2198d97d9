/**
 * The attempts in flight: each claimed delivery is POSTed (bounded by the dispatcher's claims), and finished
 * attempts are recorded in batches, one transaction per flush (record-attempt.ts applies the retry policy,
 * suspensions and hand-overs), then their slots are freed and they are announced. What is here lives only in
 * memory: a crash leaves open attempts that the next start marks interrupted (`recover`).
 */
import type { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import { suspendingAttemptCount } from '../core/advance-horizon.js';
import type { Settings } from './settings.js';
import { ClaimGate, UrlSpeeds, type UrlSpeed } from '../core/fair-share.js';
import { maskCredentials } from '../core/webhook-url.js';
import type { AttemptCounts, EngineEvents } from '../core/engine-events.js';
import { interruptOpenAttempts, type AttemptResult } from '../db/attempts.js';
import { earliestPendingAfterAttempts, type ClaimedDelivery } from '../db/claim-due.js';
import { requeueInFlight } from '../db/delivery-status.js';
import { inTransaction, type Db } from '../db/open-db.js';
import { recordAttempts, type Recorded } from './record-attempt.js';
import type { PostResult, Transport } from './http-transport.js';
import { WEBHOOK_USER_AGENT } from '../core/version.js';
import { storageHealth } from '../db/storage-health.js';
import { WriteBackoff } from './write-backoff.js';

/** What the attempts in flight need from the dispatcher and the engine. */
export interface AttemptRunnerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly transport: Transport;
  /** Where attempts and suspensions are announced (the engine). */
  readonly announcer: Pick<EventEmitter<EngineEvents>, 'emit'>;
  /** Whether the engine runs: once stopped, finished attempts are no longer recorded (the next start recovers them). */
  readonly running: () => boolean;
  /** Called after recorded attempts freed their slots (and the work claimed for them started). */
  readonly released: () => void;
  /**
   * Called inside a flush's transaction once its attempts are recorded: claims due work for the slots that
   * `freeing` gives back (the dispatcher's claim pass, see `Dispatcher.claimFreed`), started after the commit.
   */
  readonly claimFreed: (freeing: readonly Finished[]) => Claimed[];
}

/** A finished attempt waiting to be recorded. */
export interface Finished {
  readonly claim: ClaimedDelivery;
  readonly result: AttemptResult;
}

/** A claimed delivery and the body its POST carries. */
export interface Claimed {
  readonly claim: ClaimedDelivery;
  readonly body: string;
}

/** A claimed attempt not yet recorded: its scheduled time and whether a failure would suspend its URL. */
export interface OpenAttempt {
  scheduledAt: number;
  suspends: boolean;
}

/**
 * POSTs claimed deliveries and records the attempts. The transaction that records a flush's attempts also
 * claims due work for the slots they free (`claimFreed`), so under load one transaction per tick claims,
 * records and counts.
 *
 * @example
 * const runner = new AttemptRunner({ db, clock, settings, transport, announcer: engine, running: () => true, released: () => {}, claimFreed: () => [] });
 * runner.start(claim, body); // recorded in the next flush, then announced as an `attempt` event
 */
export class AttemptRunner {
  readonly counters: AttemptCounts = { attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 };
  /** The policy's attempt number whose failure suspends a URL (null: none does). */
  readonly suspendingCount: number | null;
  private inFlightCount = 0;
  private readonly inFlightByUrl = new Map<number, number>();
  /** How quickly each URL's last attempt came back: slow ones share the slow lane (core/fair-share.ts). */
  private readonly speeds: UrlSpeeds;
  private completions: Finished[] = [];
  private flushScheduled = false;
  private lastLateness = 0;
  /** Claimed attempts not yet recorded, by attempt ID. */
  private readonly open = new Map<number, OpenAttempt>();
  /** Whether a pending delivery may be waiting for its last attempt (a failure would suspend its URL). */
  private lastPending = false;
  /** While the storage fails (a full disk), flushes wait and try again (write-backoff.ts). */
  private readonly flushBackoff = new WriteBackoff();
  private flushRetry: NodeJS.Timeout | undefined;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly settings: Settings;

  constructor(private readonly deps: AttemptRunnerDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.settings = deps.settings;
    this.speeds = new UrlSpeeds(deps.settings.attemptTimeoutMs);
    this.suspendingCount = suspendingAttemptCount(deps.settings.policy);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Clock milliseconds by which the last claimed attempt started after it was due. */
  get lateness(): number {
    return this.lastLateness;
  }

  /** Whether a pending delivery may be waiting for its last attempt (a failure would suspend its URL). */
  get lastAttemptsPending(): boolean {
    return this.lastPending;
  }

  /** The claimed attempts not yet recorded, but for those of `freeing` (being recorded now). */
  *openAttempts(freeing: readonly Finished[] = []): IterableIterator<OpenAttempt> {
    if (freeing.length === 0) {
      yield* this.open.values();
      return;
    }
    const recorded = new Set(freeing.map(({ claim }) => claim.attemptId));
    for (const [id, attempt] of this.open) if (!recorded.has(id)) yield attempt;
  }

  /** Attempts in flight once those of `freeing` (being recorded now) have freed their slots. */
  inFlightAfter(freeing: readonly Finished[]): number {
    return this.inFlightCount - freeing.length;
  }

  /** Marks the attempts a crash left open as interrupted and requeues their deliveries; returns how many. */
  recover(): number {
    const now = this.clock.now();
    const interrupted = inTransaction(this.db, () => {
      const count = interruptOpenAttempts(this.db, now);
      requeueInFlight(this.db, now);
      return count;
    });
    this.lastPending =
      this.suspendingCount !== null && earliestPendingAfterAttempts(this.db, this.suspendingCount, Number.MAX_SAFE_INTEGER) !== null;
    return interrupted;
  }

  /**
   * The fair share of the next claim, given what is in flight per URL and how fast each URL answers: as it
   * will be once the attempts of `freeing` (being recorded now) have freed their slots and taught their
   * URLs' speeds, which `release` does only after the commit.
   */
  claimGate(freeing: readonly Finished[] = []): ClaimGate {
    let inFlightByUrl: ReadonlyMap<number, number> = this.inFlightByUrl;
    let speedOf = (id: number) => this.speeds.speedOf(id);
    if (freeing.length > 0) {
      const left = new Map(this.inFlightByUrl);
      const learnt = new Map<number, UrlSpeed>();
      for (const { claim, result } of freeing) {
        if (claim.callbackUrlId === null) continue;
        const count = (left.get(claim.callbackUrlId) ?? 1) - 1;
        if (count <= 0) left.delete(claim.callbackUrlId);
        else left.set(claim.callbackUrlId, count);
        learnt.set(claim.callbackUrlId, this.speeds.judge(this.speedSample(result)));
      }
      inFlightByUrl = left;
      speedOf = (id) => learnt.get(id) ?? this.speeds.speedOf(id);
    }
    return new ClaimGate({ concurrency: this.settings.concurrency, perUrlLimit: this.settings.perUrlConcurrency, inFlightByUrl, speedOf });
  }

  /** Gives up a flush waiting for the storage: the engine stops, and the next start recovers those attempts. */
  stop(): void {
    clearTimeout(this.flushRetry);
    this.flushRetry = undefined;
  }

  /** POSTs a claimed delivery; the attempt is recorded once it finishes. */
  start(claim: ClaimedDelivery, body: string): void {
    this.inFlightCount += 1;
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
    this.deps.transport
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
    let claimed: Claimed[] = [];
    if (this.deps.running()) {
      try {
        claimed = this.record(batch, announcements, suspensions, counted);
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
    for (const { claim, body } of claimed) this.start(claim, body);
    this.deps.released();
  }

  /**
   * The flush's transaction: records the batch, then claims for the slots it frees. Counted only once it
   * commits (a refused one is tried again, its claims rolled back with it).
   */
  private record(
    batch: Finished[],
    announcements: EngineEvents['attempt'][0][],
    suspensions: EngineEvents['suspended'][0][],
    counted: { result: AttemptResult; suspended: number }[],
  ): Claimed[] {
    return inTransaction(this.db, () => {
      const finished = batch.map(({ claim, result }) => ({ claim, result, at: this.attemptTime(claim) }));
      const recordedAll = recordAttempts(this.db, this.settings, finished);
      finished.forEach(({ claim, result, at }, i) => {
        const recorded = recordedAll[i] as Recorded;
        counted.push({ result, suspended: recorded.suspended.length });
        if (this.suspendingCount !== null && claim.attemptNumber >= this.suspendingCount && recorded.status === 'pending') this.lastPending = true;
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
      });
      return this.deps.claimFreed(batch);
    });
  }

  /** Frees the recorded attempts' slots and announces them. */
  private release(
    batch: Finished[],
    announcements: EngineEvents['attempt'][0][],
    suspensions: EngineEvents['suspended'][0][],
  ): void {
    for (const { claim, result } of batch) {
      this.inFlightCount -= 1;
      this.open.delete(claim.attemptId);
      if (claim.callbackUrlId !== null) {
        this.speeds.record(claim.callbackUrlId, this.speedSample(result));
        const left = (this.inFlightByUrl.get(claim.callbackUrlId) ?? 1) - 1;
        if (left <= 0) this.inFlightByUrl.delete(claim.callbackUrlId);
        else this.inFlightByUrl.set(claim.callbackUrlId, left);
      }
    }
    for (const announcement of announcements) this.deps.announcer.emit('attempt', announcement);
    for (const suspension of suspensions) this.deps.announcer.emit('suspended', suspension);
  }

  private speedSample(result: AttemptResult): { timedOut: boolean; latencyMs: number } {
    return { timedOut: result.outcome === 'timeout', latencyMs: result.latencyMs };
  }

  /** Nothing in flight and nothing finished but unrecorded. */
  settled(): boolean {
    return this.inFlightCount === 0 && this.completions.length === 0;
  }
}
