/**
 * The dashboard's live feed: the engine's `accepted`, `attempt`, `suspended` and `clock` events as
 * Server-Sent Events, already worded (and with URLs masked) so the client only prints them.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { maskCredentials } from '../../core/webhook-url.js';
import type { Engine, EngineEvents } from '../../engine/engine.js';
import { accountScope, type DashboardEnv, type Viewer } from './access.js';
import { clockText, resultText } from './format.js';

/** One line of the feed. */
export interface FeedItem {
  kind: 'accepted' | 'attempt' | 'suspended' | 'clock';
  /** Clock time, epoch ms. */
  at: number;
  atText: string;
  text: string;
  ok?: boolean;
}

const KEEPALIVE_MS = 15_000;

/**
 * Words an engine event for the feed, or returns null when the viewer may not see it.
 *
 * @example
 * feedItem('suspended', { callbackUrlId: 3, accountId: 1, eventType: 'bounce', url: 'https://u:p@h/x' }, { scope: 'all' }, 0)?.text
 * // 'URL #3 (bounce) suspended: https://***:***@h/x'
 */
export function feedItem<K extends keyof EngineEvents>(kind: K, payload: EngineEvents[K][0], viewer: Viewer, now: number): FeedItem | null {
  const scope = accountScope(viewer);
  // An attempt or suspension carries its own clock time: during an advance it may lie ahead of the clock shown.
  const at = (payload as { at?: number }).at ?? now;
  const base = { at, atText: clockText(at) };
  if (kind === 'clock') return { ...base, kind, text: `clock moved to ${clockText((payload as EngineEvents['clock'][0]).now)}` };
  const owned = payload as { accountId: number };
  if (scope !== null && owned.accountId !== scope) return null;
  if (kind === 'accepted') {
    const { count, accountId } = payload as EngineEvents['accepted'][0];
    return { ...base, kind, text: `${count} event${count === 1 ? '' : 's'} accepted (account ${accountId})` };
  }
  if (kind === 'attempt') {
    const attempt = payload as EngineEvents['attempt'][0];
    const ok = attempt.outcome === 'success';
    return {
      ...base,
      kind,
      ok,
      text: `delivery #${attempt.deliveryId} attempt ${attempt.number}: ${resultText(attempt)} in ${attempt.latencyMs} ms → ${attempt.status}`,
    };
  }
  const suspended = payload as EngineEvents['suspended'][0];
  return { ...base, kind: 'suspended', text: `URL #${suspended.callbackUrlId} (${suspended.eventType}) suspended: ${maskCredentials(suspended.url)}` };
}

/**
 * Streams the feed to one browser until it disconnects.
 *
 * @example
 * app.get('/dashboard/stream', (c) => liveFeed(c, engine));
 */
export function liveFeed(c: Context<DashboardEnv>, engine: Engine): Response {
  const viewer = c.get('viewer');
  return streamSSE(c, async (stream) => {
    const subscribe = <K extends keyof EngineEvents>(kind: K) => {
      const listener = (...[payload]: EngineEvents[K]) => {
        const item = feedItem(kind, payload, viewer, engine.clock.now());
        if (item && !stream.aborted) void stream.writeSSE({ event: kind, data: JSON.stringify(item) }).catch(() => undefined);
      };
      engine.on(kind, listener as never);
      return () => engine.off(kind, listener as never);
    };
    const listeners = [subscribe('accepted'), subscribe('attempt'), subscribe('suspended'), subscribe('clock')];
    let wake: (() => void) | undefined;
    stream.onAbort(() => wake?.());
    try {
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ now: engine.clock.now() }) });
      while (!stream.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, KEEPALIVE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (!stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
      }
    } finally {
      for (const remove of listeners) remove();
    }
  });
}
