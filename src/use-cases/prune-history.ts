/**
 * Pruning history: removes finished history older than a time on the simulator's clock, in small steps that
 * leave the event loop free (each step is one short transaction; the step size adapts to stay near
 * STEP_TARGET_MS), then gives excess free pages back to the file system. Called by `POST /sim/prune`, the
 * library and the retention job (src/jobs/retention.ts).
 */
import type { Db } from '../db/open-db.js';
import { addCounts, emptyCounts, newPruneCursor, pruneStep, reclaimFreePages } from '../db/prune.js';
import type { PruneSummary } from '../core/prune-summary.js';

export type { PruneSummary } from '../core/prune-summary.js';

const STEP_TARGET_MS = 15;
const MIN_STEP = 20;
const MAX_STEP = 500;
const VACUUM_STEP_PAGES = 128;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Prunes everything finished before `before` (one account, or all when `accountId` is null), step by step,
 * yielding to the event loop between steps. Resolves with what was removed.
 *
 * @example
 * const removed = await pruneBefore(db, clock.now() - 86_400_000, null);
 * removed.deliveries // 1234
 */
export async function pruneBefore(db: Db, before: number, accountId: number | null, state: { step: number } = { step: 200 }): Promise<PruneSummary> {
  const cursor = newPruneCursor();
  const total = emptyCounts();
  let longestStepMs = 0;
  let steps = 0;
  let slowSteps = 0;
  const timed = (took: number) => {
    longestStepMs = Math.max(longestStepMs, took);
    steps += 1;
    if (took > 50) slowSteps += 1;
  };
  while (!cursor.done && db.$client.open) {
    const started = performance.now();
    addCounts(total, pruneStep(db, cursor, before, accountId, state.step, STEP_TARGET_MS));
    const took = performance.now() - started;
    timed(took);
    // Halve quickly when a step ran long, grow gently when it was short.
    state.step = took > STEP_TARGET_MS ? Math.max(MIN_STEP, Math.floor(state.step / 2)) : Math.min(MAX_STEP, Math.ceil(state.step * 1.25));
    await yieldToLoop();
  }
  let pagesReleased = 0;
  for (let released = 1; released > 0 && db.$client.open; pagesReleased += released) {
    const started = performance.now();
    released = reclaimFreePages(db, VACUUM_STEP_PAGES);
    timed(performance.now() - started);
    if (released > 0) await yieldToLoop();
  }
  return { before, pagesReleased, longestStepMs: Math.round(longestStepMs), steps, slowSteps, ...total };
}
