/**
 * The filer: every second of real time, files the messages sent since its last pass (src/db/message-filing.ts),
 * a few thousand per turn of the event loop, so that polling filters find all but the newest through their
 * indexes while sends never pay for those indexes.
 */
import { fileMessages } from '../db/message-filing.js';
import type { Db } from '../db/open-db.js';
import { storageHealth } from '../db/storage-health.js';

/** Row IDs per step: one short transaction (a few ms), then the event loop's turn. */
const STEP = 2_000;
const TICK_MS = 1_000;

/** Files messages in the background until `stop()`. @example const filer = new MessageFiler(db); filer.start(); filer.stop(); */
export class MessageFiler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly db: Db) {}

  start(): void {
    this.stopped = false;
    // A full disk fails a pass; the next tick tries again (storage-health.ts reports the state).
    const tick = () =>
      this.pass().catch((error: unknown) => {
        if (!storageHealth(this.db.$client).noteFault(error)) throw error;
      });
    this.timer ??= setInterval(tick, TICK_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /** Files everything sent so far, step by step. Resolves when done (or stopped). */
  async pass(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped && this.db.$client.open && fileMessages(this.db, STEP) > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      this.running = false;
    }
  }
}
