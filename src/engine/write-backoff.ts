/**
 * How long the engine waits before trying its writes again while the storage fails (a full disk, an I/O
 * error): doubling from a short first wait to a ceiling, back to nothing once a write succeeds. Retried
 * writes lose nothing: a claim that failed claimed nothing, and a flush that failed keeps its finished
 * attempts in memory, their slots taken, until it commits.
 */

/** The first wait and the ceiling (real ms). */
export const FIRST_WAIT_MS = 100;
export const MAX_WAIT_MS = 5_000;

/**
 * A backoff for one kind of write.
 *
 * @example
 * const backoff = new WriteBackoff();
 * backoff.failed(); // 100, then 200, 400 … up to 5000
 * backoff.succeeded();
 */
export class WriteBackoff {
  private wait = 0;

  /** Notes a failure; returns how long to wait before the next try (ms). */
  failed(): number {
    this.wait = this.wait === 0 ? FIRST_WAIT_MS : Math.min(this.wait * 2, MAX_WAIT_MS);
    return this.wait;
  }

  succeeded(): void {
    this.wait = 0;
  }

  /** Whether the last try failed. */
  get waiting(): boolean {
    return this.wait > 0;
  }
}
