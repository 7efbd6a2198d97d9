/**
 * What the engine reports: the summary of a clock move, its options, and the events it announces. Plain
 * types here, so the package's public declarations reach them without the engine and the storage layer.
 */
import type { AttemptOutcome } from './attempt.js';

/**
 * What one advance of the clock did. The counts cover every attempt that finished since the previous advance
 * ended (or the engine started) up to its end: those due when it began, whether they had already been
 * answered or were still in flight, and those due on the way. So each attempt is counted once, and on the
 * manual clock the counts depend only on clock times, never on how fast a receiver answered. `cancelled` is there when the advance was cancelled (or mjsim
 * stopped) before it reached its target; `to` is then where the clock stopped.
 */
export interface AdvanceSummary {
  from: string;
  to: string;
  attempts: number;
  successes: number;
  failures: number;
  urlsSuspended: number;
  cancelled?: true;
}

/** The engine's running counts of attempts, successes, failures and suspended URLs (an advance reports their growth). */
export type AttemptCounts = Pick<AdvanceSummary, 'attempts' | 'successes' | 'failures' | 'urlsSuspended'>;

/** Options of `Engine.advance`. */
export interface AdvanceOptions {
  /** Cancels the advance: attempts in flight finish and are recorded, and the clock stops where all earlier work is done. */
  signal?: AbortSignal;
}

/** Events the engine announces (for the dashboard's live feed and for tests that wait instead of sleeping). */
export interface EngineEvents {
  accepted: [{ accountId: number; count: number }];
  /** `at`: the attempt's clock time (during an advance, ahead of the visible clock while earlier work is in flight). */
  attempt: [
    { deliveryId: number; accountId: number; number: number; outcome: AttemptOutcome; httpStatus: number | null; latencyMs: number; status: string; at?: number },
  ];
  /** `at`: the clock time of the suspension (the failed last attempt's). */
  suspended: [{ callbackUrlId: number; accountId: number; eventType: string; url: string; at?: number }];
  clock: [{ now: number }];
  idle: [];
}

/**
 * What `advanceUntilSuspended` did: the sums over every step, and why it stopped.
 *
 * @example
 * const { stoppedBecause, attempts }: UntilSuspendedSummary = await sim.advanceUntilSuspended();
 */
export interface UntilSuspendedSummary extends AdvanceSummary {
  steps: number;
  /**
   * `suspended`: a URL was suspended; `nothing-due`: no attempt is left; `schedule-elapsed`: the next
   * attempt is later than the policy's whole schedule from the start, so the work that was pending has run
   * its course (with a live traffic source, new events would otherwise keep it going forever);
   * `step-limit`: `maxSteps` steps were taken; `cancelled`: a step was cancelled (`DELETE /sim/clock/advance`,
   * the dashboard's Cancel).
   */
  stoppedBecause: 'suspended' | 'nothing-due' | 'schedule-elapsed' | 'step-limit' | 'cancelled';
}
