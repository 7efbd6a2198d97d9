/**
 * "Advance to suspension": steps the clock from one due attempt to the next until a callback URL is
 * suspended or nothing is left to do. The dashboard's button and the library API share it.
 */
import { isoTime } from '../core/clock-range.js';
import { scheduleOffsets } from '../core/retry-policy.js';
import type { UntilSuspendedSummary } from '../core/engine-events.js';
import type { Engine } from '../engine/engine.js';

export type { UntilSuspendedSummary } from '../core/engine-events.js';


/** Version 2 groups wait up to a second before their first attempt. */
const GROUP_SLACK_MS = 1_000;

/**
 * Advances the engine's (manual or scaled) clock to the next due attempt, again and again, until a URL is
 * suspended, nothing is due, the retry policy's whole schedule has passed since the start, or `maxSteps`
 * steps were taken.
 *
 * @example
 * const summary = await advanceUntilSuspended(server.engine);
 * summary.stoppedBecause // 'suspended'
 * summary.attempts       // 21 with mailjet-2017 and one always-failing URL (attempt 1, due at the start, counts)
 */
export async function advanceUntilSuspended(engine: Engine, maxSteps = 5_000): Promise<UntilSuspendedSummary> {
  const start = engine.clock.now();
  const horizon = start + (scheduleOffsets(engine.settings.policy).at(-1) ?? 0) + GROUP_SLACK_MS;
  const from = isoTime(start);
  const total: UntilSuspendedSummary = { from, to: from, attempts: 0, successes: 0, failures: 0, urlsSuspended: 0, steps: 0, stoppedBecause: 'nothing-due' };
  for (;;) {
    const next = engine.nextDueAt();
    if (next === null && total.steps > 0) break;
    if (next !== null && next > horizon) {
      total.stoppedBecause = 'schedule-elapsed';
      break;
    }
    if (total.steps >= maxSteps) {
      total.stoppedBecause = 'step-limit';
      break;
    }
    const step = await engine.advance('next');
    total.steps += 1;
    total.to = step.to;
    total.attempts += step.attempts;
    total.successes += step.successes;
    total.failures += step.failures;
    total.urlsSuspended += step.urlsSuspended;
    if (step.cancelled) {
      total.stoppedBecause = 'cancelled';
      break;
    }
    if (total.urlsSuspended > 0) {
      total.stoppedBecause = 'suspended';
      break;
    }
  }
  return total;
}
