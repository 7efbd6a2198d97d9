/**
 * Fair shares of the attempt pool. A URL whose attempts come back quickly may use the whole pool (up to the
 * per-URL limit): its slots turn over in milliseconds, so it delays nobody for long. A URL that hangs, times
 * out or answers slowly holds its slots for up to the attempt timeout, so such URLs share a **slow lane** of
 * half the pool, each at most an equal part of it while several hold lane slots. A URL not seen yet gets one probe slot outside the lane while it has nothing in flight, so
 * a new healthy URL never waits behind the lane. Pure: the engine feeds in what it observes.
 */

/** What the engine knows about a URL's speed: `fast` (its last attempt came back quickly), `slow`, or `unknown`. */
export type UrlSpeed = 'fast' | 'slow' | 'unknown';

/** How many URLs' speeds are remembered; the oldest entries are forgotten past this. */
const REMEMBERED_URLS = 50_000;

/**
 * The speed of each URL, judged by its last finished attempt: fast when it ended (in any way but a timeout)
 * within half the attempt timeout.
 *
 * @example
 * const speeds = new UrlSpeeds(10_000);
 * speeds.record(7, { timedOut: false, latencyMs: 12 });
 * speeds.speedOf(7) // 'fast'
 */
export class UrlSpeeds {
  private readonly speeds = new Map<number, 'fast' | 'slow'>();

  constructor(private readonly attemptTimeoutMs: number) {}

  record(callbackUrlId: number, attempt: { timedOut: boolean; latencyMs: number }): void {
    this.speeds.delete(callbackUrlId);
    this.speeds.set(callbackUrlId, this.judge(attempt));
    if (this.speeds.size > REMEMBERED_URLS) this.speeds.delete(this.speeds.keys().next().value as number);
  }

  /** The speed a URL has once `attempt` is its last. @example new UrlSpeeds(10_000).judge({ timedOut: false, latencyMs: 12 }) // 'fast' */
  judge(attempt: { timedOut: boolean; latencyMs: number }): 'fast' | 'slow' {
    return !attempt.timedOut && attempt.latencyMs < this.attemptTimeoutMs / 2 ? 'fast' : 'slow';
  }

  speedOf(callbackUrlId: number): UrlSpeed {
    return this.speeds.get(callbackUrlId) ?? 'unknown';
  }
}

/** The slow lane's size: half the pool, at least one slot. @example slowLaneSize(128) // 64 */
export function slowLaneSize(concurrency: number): number {
  return Math.max(1, Math.floor(concurrency / 2));
}

/**
 * Decides, slot by slot within one claim pass, whether a URL may take one more attempt slot.
 *
 * @example
 * const gate = new ClaimGate({ concurrency: 8, perUrlLimit: 4, inFlightByUrl: new Map(), speedOf: () => 'slow' });
 * gate.admits(1) // true (the slow lane has 4 slots)
 * gate.take(1);
 */
export class ClaimGate {
  private readonly taken: Map<number, number>;
  private laneTaken = 0;
  private readonly laneSize: number;
  /** Lane slots held per URL (only URLs holding some). */
  private readonly laneHeld = new Map<number, number>();

  constructor(
    private readonly state: {
      concurrency: number;
      perUrlLimit: number;
      inFlightByUrl: ReadonlyMap<number, number>;
      speedOf: (callbackUrlId: number) => UrlSpeed;
    },
  ) {
    this.taken = new Map(state.inFlightByUrl);
    this.laneSize = slowLaneSize(state.concurrency);
    for (const [id, count] of state.inFlightByUrl) {
      const slots = this.laneSlotsOf(id, count);
      this.laneTaken += slots;
      if (slots > 0) this.laneHeld.set(id, slots);
    }
  }

  /** Whether the URL may take one more slot now. */
  admits(callbackUrlId: number): boolean {
    const count = this.taken.get(callbackUrlId) ?? 0;
    if (count >= this.state.perUrlLimit) return false;
    if (!this.inLane(callbackUrlId, count)) return true;
    if (this.laneTaken >= this.laneSize) return false;
    const held = this.laneHeld.get(callbackUrlId) ?? 0;
    const sharers = this.laneHeld.size + (held > 0 ? 0 : 1);
    return held < Math.ceil(this.laneSize / sharers);
  }

  /** Takes the slot (after `admits` said yes). */
  take(callbackUrlId: number): void {
    const count = this.taken.get(callbackUrlId) ?? 0;
    if (this.inLane(callbackUrlId, count)) {
      this.laneTaken += 1;
      this.laneHeld.set(callbackUrlId, (this.laneHeld.get(callbackUrlId) ?? 0) + 1);
    }
    this.taken.set(callbackUrlId, count + 1);
  }

  /** A slot beyond `count` in flight is a lane slot unless the URL is fast, or unknown and taking its first. */
  private inLane(callbackUrlId: number, count: number): boolean {
    const speed = this.state.speedOf(callbackUrlId);
    return speed === 'slow' || (speed === 'unknown' && count > 0);
  }

  private laneSlotsOf(callbackUrlId: number, count: number): number {
    const speed = this.state.speedOf(callbackUrlId);
    if (speed === 'fast') return 0;
    return speed === 'slow' ? count : Math.max(0, count - 1);
  }
}
