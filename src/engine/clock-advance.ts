/**
 * Advancing the clock by hand (`POST /sim/clock/advance`, `mjsim clock advance`, `sim.advance`): on the manual
 * clock the dispatcher claims work ahead of the visible clock, up to a safe horizon, through the run lent
 * here (`window`); a scaled clock is stepped to each due time in turn. The advance reaches the engine only
 * through `AdvanceHost`, so it imports neither the engine nor the dispatcher.
 */
import type { Clock } from './clock.js';
import { ClockNotMovableError, ClockRangeError } from './clock.js';
import { isoTime, targetBeyondLimit } from '../core/clock-range.js';
import type { AdvanceOptions, AdvanceSummary, AttemptCounts } from '../core/engine-events.js';

/** What an advance needs of the engine. */
export interface AdvanceHost {
  /** Whether the engine runs (an advance ends, cancelled, when it stops). */
  readonly running: boolean;
  /** The engine's running counts (an advance's summary is their growth). */
  readonly counters: Readonly<AttemptCounts>;
  /** Resolves when nothing is due now and nothing is in flight. */
  idle(): Promise<void>;
  /** When the next thing (an event's time, a due attempt) happens, or null. */
  nextDueAt(): number | null;
  /** Schedules a dispatch pass soon. */
  wake(): void;
  /** Saves the clock's time so a restart continues from it. */
  persistClock(): void;
  /** Announces the clock's new time (the `clock` event). */
  clockShown(now: number): void;
}

/** A running advance of the manual clock, as the dispatcher sees it (its `AheadWindow`) and more. */
interface AheadRun {
  until: number;
  /** The attempt counter when the advance began (its progress is the difference). */
  attemptsBefore: number;
  cancelled: boolean;
  /** Moves the visible clock forward to `time` (during an advance, announced at most every CLOCK_SHOW_MS). */
  show: (time: number) => void;
  /** Resolves the run: true when it was cancelled (or the engine stopped) before reaching `until`. */
  finish: (cancelled: boolean) => void;
  /** Real time (performance.now) the clock was last shown (persisted and announced). */
  shownAt: number;
}

/** While an advance runs, the moving clock is persisted and announced at most this often (real ms). */
const CLOCK_SHOW_MS = 100;

/**
 * Advances of the clock, one at a time.
 *
 * @example
 * const advances = new ClockAdvance(clock, host);
 * const summary = await advances.advance(clock.now() + 30_000);
 */
export class ClockAdvance {
  /**
   * The counters when the last advance ended: the next summary counts from here, not from its own start, so an
   * attempt due before it began counts whether or not it had finished by then (issue 18: a summary that
   * counted attempt 1 in one run and not in another).
   */
  private summarized: AttemptCounts = { attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 };
  private advancing: Promise<unknown> = Promise.resolve();
  /** The advance running now (manual clock): work is claimed ahead of the visible clock, up to a safe horizon. */
  private ahead: AheadRun | undefined;
  /** The summary the running advance will resolve with (for `cancel`). */
  private currentAdvance: Promise<AdvanceSummary> | undefined;
  /** The clock time last persisted and announced (`clock` event). */
  private shownNow: number;

  constructor(
    private readonly clock: Clock,
    private readonly host: AdvanceHost,
  ) {
    this.shownNow = clock.now();
  }

  /** The advance running now, as the dispatcher claims ahead for it; undefined when none runs. */
  get window(): AheadRun | undefined {
    return this.ahead;
  }

  /**
   * Moves the clock to `target` through every attempt due on the way; one advance at a time. The contract
   * (exactness, cancellation, the summary) is `Engine.advance`'s.
   *
   * @example
   * const summary = await advances.advance('next');
   */
  advance(target: number | 'next', options: AdvanceOptions = {}): Promise<AdvanceSummary> {
    if (this.clock.mode === 'real') return Promise.reject(new ClockNotMovableError());
    const beyond = target === 'next' ? null : targetBeyondLimit(this.clock.start, target);
    if (beyond) return Promise.reject(new ClockRangeError(beyond));
    const run: Promise<AdvanceSummary> = this.advancing.then(async () => {
      this.currentAdvance = run;
      const before = { ...this.host.counters };
      const from = this.clock.now();
      // "next" is the next due time once what is due now has been answered (a failure adds its retry).
      if (target === 'next') await this.host.idle();
      const until = target === 'next' ? Math.max(this.host.nextDueAt() ?? this.clock.now(), this.clock.now()) : target;
      const nextBeyond = targetBeyondLimit(this.clock.start, until);
      if (nextBeyond) throw new ClockRangeError(`The next due time: ${nextBeyond}`);
      const cancelled = this.clock.mode === 'manual' ? await this.runAhead(until, options.signal, before.attempts) : await this.stepTo(until);
      if (!cancelled && this.host.running) {
        this.moveClock(until);
        await this.host.idle();
      } else if (this.host.running) {
        this.showClock(true);
      }
      const since = this.summarized;
      this.summarized = { ...this.host.counters };
      return {
        from: isoTime(from),
        to: isoTime(this.clock.now()),
        attempts: this.host.counters.attempts - since.attempts,
        successes: this.host.counters.successes - since.successes,
        failures: this.host.counters.failures - since.failures,
        urlsSuspended: this.host.counters.urlsSuspended - since.urlsSuspended,
        ...(cancelled ? { cancelled: true as const } : {}),
      };
    });
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /**
   * Cancels the advance running now (`Engine.cancelAdvance`): resolves as it does, or undefined when none runs.
   *
   * @example
   * const summary = await advances.cancel(); // { ..., cancelled: true }
   */
  cancel(): Promise<AdvanceSummary> | undefined {
    if (!this.ahead) return undefined;
    this.ahead.cancelled = true;
    this.host.wake();
    return this.currentAdvance;
  }

  /**
   * The advance running now (manual clock): its target and the attempts made so far; undefined when none runs.
   *
   * @example
   * advances.progress // { until: 1767232800000, attempts: 1234 }
   */
  get progress(): { until: number; attempts: number } | undefined {
    return this.ahead && { until: this.ahead.until, attempts: this.host.counters.attempts - this.ahead.attemptsBefore };
  }

  /**
   * A scaled clock runs on by itself, so an advance steps it to each due time in turn and waits until what
   * is due has been answered. Resolves true when the engine stopped on the way.
   */
  private async stepTo(until: number): Promise<boolean> {
    await this.host.idle();
    for (let next = this.host.nextDueAt(); next !== null && next <= until; next = this.host.nextDueAt()) {
      this.moveClock(next);
      await this.host.idle();
      if (!this.host.running) return true;
    }
    return !this.host.running;
  }

  /** Lets the pump claim ahead up to `until`; resolves true when cancelled or stopped before getting there. */
  private async runAhead(until: number, signal: AbortSignal | undefined, attemptsBefore: number): Promise<boolean> {
    if (!this.host.running) return true;
    const onAbort = () => void this.cancel();
    try {
      return await new Promise<boolean>((resolve) => {
        this.ahead = {
          until,
          attemptsBefore,
          cancelled: signal?.aborted ?? false,
          show: (time) => this.showClock(false, time),
          finish: resolve,
          shownAt: performance.now(),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.host.wake();
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.ahead = undefined;
    }
  }

  /**
   * Moves the clock forward to `time` (if later), persists it (so a restart resumes where all earlier work
   * was done) and, when it moved since it was last announced, announces it: during an advance at most every
   * CLOCK_SHOW_MS of real time, unless `force`.
   */
  private showClock(force: boolean, time?: number): void {
    if (time !== undefined && time > this.clock.now()) {
      this.clock.advanceTo(time);
      this.host.persistClock();
    }
    if (this.clock.now() === this.shownNow) return;
    const ahead = this.ahead;
    if (!force && ahead && performance.now() - ahead.shownAt < CLOCK_SHOW_MS) return;
    if (ahead) ahead.shownAt = performance.now();
    this.shownNow = this.clock.now();
    this.host.persistClock();
    this.host.clockShown(this.shownNow);
  }

  private moveClock(time: number): void {
    if (this.clock.mode === 'manual') {
      this.showClock(true, time);
    } else if (time > this.clock.now()) {
      this.clock.advanceTo(time);
      this.host.persistClock();
      this.host.clockShown(this.clock.now());
    }
    this.host.wake();
  }
}
