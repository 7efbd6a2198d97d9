/**
 * How long the event loop did not run: a heartbeat notes every gap far longer than its period, whether the
 * process was paused (SIGSTOP, a laptop's sleep, a frozen CI container) or the loop was held by other work.
 * An attempt's timeout counts only the time the loop ran: after a pause, the timers of every attempt in
 * flight fire before the loop reads the responses waiting in their sockets, and would blame the receiver
 * for time mjsim itself was not running.
 */

/** The heartbeat's period (ms). */
const BEAT_MS = 50;
/** A gap this much longer than the period counts as a stall. */
const STALL_MS = 200;

let stalled = 0;
let lastBeat = 0;
let users = 0;
let heartbeat: NodeJS.Timeout | undefined;

function beat(): void {
  const now = performance.now();
  const gap = now - lastBeat;
  if (gap > BEAT_MS + STALL_MS) stalled += gap - BEAT_MS;
  lastBeat = now;
}

/**
 * Total ms the loop has stalled while watched, the stall going on now included (so a timer that fires
 * right after a pause, before the heartbeat does, already sees it).
 *
 * @example
 * const before = stalledMs(); // … later: performance.now() - start - (stalledMs() - before) is the running time
 */
export function stalledMs(): number {
  const gap = performance.now() - lastBeat;
  return stalled + (users > 0 && gap > BEAT_MS + STALL_MS ? gap - BEAT_MS : 0);
}

/**
 * Keeps the heartbeat going while something measures running time; call the returned function when done.
 *
 * @example
 * const release = watchStalls();
 * release();
 */
export function watchStalls(): () => void {
  users += 1;
  if (!heartbeat) {
    lastBeat = performance.now();
    heartbeat = setInterval(beat, BEAT_MS).unref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    users -= 1;
    if (users === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };
}
