/**
 * The registration-time half of the self-delivery guard: a webhook URL (eventcallbackurl) or Parse API URL
 * (parseroute) that points at mjsim's own listener would feed every delivery back in. The delivery-time half
 * is in the HTTP transport (src/engine/http-transport.ts).
 */
import type { Context } from 'hono';
import { isSelfUrl, normalizeHost } from '../core/self-target.js';
import { maskCredentials } from '../core/webhook-url.js';
import type { AppDeps } from './app-deps.js';
import { ApiError } from './errors.js';

/**
 * Refuses `url` (400) when it points at this mjsim itself, or at the host:port this request reached it by.
 *
 * @example
 * assertNotSelfUrl(deps, c, input.Url);
 */
export function assertNotSelfUrl(deps: Pick<AppDeps, 'selfListener'>, c: Context, url: string | undefined): void {
  const listener = deps.selfListener?.();
  if (url === undefined || listener === undefined) return;
  const host = c.req.header('host') ?? '';
  const reached = URL.canParse(`http://${host}`) ? new URL(`http://${host}`) : undefined;
  const reachedAs = reached ? [`${normalizeHost(reached.hostname)}:${reached.port || 80}`] : [];
  if (isSelfUrl(url, { ...listener, reachedAs })) {
    throw new ApiError(
      'invalid-input',
      `Invalid value "${maskCredentials(url)}" for property "Url": it points at this mjsim itself (port ${listener.port}); ` +
        'mjsim refuses to deliver webhooks to its own listener, since every delivery would come back as new events',
    );
  }
}
