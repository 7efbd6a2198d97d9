/**
 * The retention job: keeps finished history within `--retain` of the simulator's clock, pruning after every
 * clock move (so the manual clock prunes during an advance) and every second of real time, one pass at a
 * time (src/use-cases/prune-history.ts does the pruning).
 */
import type { Clock } from '../engine/clock.js';
import type { Db } from '../db/open-db.js';
import { addCounts, emptyCounts, type PruneCounts } from '../db/prune.js';
import type { Engine } from '../engine/engine.js';
import { storageHealth } from '../db/storage-health.js';
import { pruneBefore } from '../use-cases/prune-history.js';

const TICK_MS = 1_000;

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
