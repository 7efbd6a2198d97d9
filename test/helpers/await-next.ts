/**
 * Waiting for engine events instead of sleeping: `awaitNext` resolves with the next announcements of one
 * `EngineEvents` event, typed by the event's name.
 */
import type { EventEmitter } from 'node:events';
import type { EngineEvents } from '../../src/engine/engine.js';

/** What one announcement of `K` carries (`undefined` for `idle`, which carries nothing). */
export type EnginePayload<K extends keyof EngineEvents> = EngineEvents[K] extends [infer P] ? P : undefined;

/**
 * Resolves with the next `n` announcements of `event` (only those `match` accepts, when given), in order;
 * the listener is removed once they have come.
 *
 * @example
 * const [attempt] = await awaitNext(engine, 'attempt');
 * const timeouts = await awaitNext(sim.server.engine, 'attempt', 3, (a) => a.outcome === 'timeout');
 */
export function awaitNext<K extends keyof EngineEvents>(
  engine: Pick<EventEmitter<EngineEvents>, 'on' | 'off'>,
  event: K,
  n = 1,
  match: (payload: EnginePayload<K>) => boolean = () => true,
): Promise<EnginePayload<K>[]> {
  return new Promise((resolve) => {
    const seen: EnginePayload<K>[] = [];
    const listener = (...args: EngineEvents[K]) => {
      const payload = args[0] as EnginePayload<K>;
      if (!match(payload)) return;
      seen.push(payload);
      if (seen.length < n) return;
      engine.off(event, listener as never);
      resolve(seen);
    };
    // `as never`: the emitter types a listener by a conditional type that stays unresolved for a generic K.
    engine.on(event, listener as never);
  });
}
