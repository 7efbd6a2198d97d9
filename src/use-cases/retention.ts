/**
 * Retention: prunes finished history older than `--retain` on the simulator's clock, in small steps that
 * leave the event loop free (each step is one short transaction; the step size adapts to stay near
 * STEP_TARGET_MS), then gives excess free pages back to the file system. Runs after every clock move
 * (so the manual clock prunes during an advance) and every second of real time.
 */
import type { Clock } from '../engine/clock.js';
import type { Db } from '../db/open-db.js';
import { addCounts, emptyCounts, newPruneCursor, pruneStep, reclaimFreePages, type PruneCounts } from '../db/prune.js';
import type { Engine } from '../engine/engine.js';
import { storageHealth } from '../db/storage-health.js';
import type { PruneSummary } from '../core/prune-summary.js';

export type { PruneSummary } from '../core/prune-summary.js';

const STEP_TARGET_MS = 15;
const MIN_STEP = 20;
const MAX_STEP = 500;
const VACUUM_STEP_PAGES = 128;
const TICK_MS = 1_000;

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

/**
 * Keeps the history within `retainMs` of clock time while the engine runs.
 *
 * @example
 * const retention = new Retention(db, clock, engine, 86_400_000);
 * retention.start();
 * await retention.settled();
 * retention.stop();
 */
export class Retention {
  /** Totals since start. */
  readonly removed: PruneCounts = emptyCounts();
  /** Free pages given back since start, and the longest step of any pass (ms). */
  pagesReleased = 0;
  longestStepMs = 0;
  steps = 0;
  slowSteps = 0;
  private running = false;
  private pass: Promise<void> | undefined;
  private requested = false;
  private lastBefore = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly step = { step: 200 };
  private readonly onClock = () => this.request();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly engine: Engine,
    readonly retainMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.engine.on('clock', this.onClock);
    this.timer = setInterval(this.onClock, TICK_MS).unref();
    this.request();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    this.engine.off('clock', this.onClock);
  }

  /** Resolves once no pass runs and none is due for the clock's current time. */
  async settled(): Promise<void> {
    while (this.pass) await this.pass;
  }

  /** Starts a pass for the clock's time now, or one right after the running pass. */
  private request(): void {
    if (!this.running) return;
    if (this.pass) {
      this.requested = true;
      return;
    }
    const before = this.clock.now() - this.retainMs;
    if (before <= this.lastBefore) return;
    this.lastBefore = before;
    this.pass = pruneBefore(this.db, before, null, this.step).then(
      (summary) => {
        addCounts(this.removed, summary);
        this.pagesReleased += summary.pagesReleased;
        this.longestStepMs = Math.max(this.longestStepMs, summary.longestStepMs);
        this.steps += summary.steps;
        this.slowSteps += summary.slowSteps;
        this.finishPass();
      },
      (error: Error) => {
        this.finishPass();
        // The database closed under a pass (shutdown): nothing to say; a full disk is reported as a state
        // (storage-health.ts). Otherwise the next pass tries again.
        if (this.running && this.db.$client.open && !storageHealth(this.db.$client).noteFault(error)) console.error(`mjsim: pruning failed: ${error.message}`);
        // Pruned nothing up to this cutoff: the next pass takes it again.
        if (storageHealth(this.db.$client).state.status !== 'ok') this.lastBefore = Number.NEGATIVE_INFINITY;
      },
    );
  }

  private finishPass(): void {
    this.pass = undefined;
    if (this.requested) {
      this.requested = false;
      this.request();
    }
  }
}
