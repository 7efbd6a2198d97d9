/**
 * Guards for mjsim's own state-changing routes (`/sim` POSTs). A browser that has cached Basic credentials
 * for mjsim (the prompt `--host 0.0.0.0` shows) would attach them to a form or `fetch` from any site; a
 * cross-site "simple" request is `text/plain` or a form, and carries its page's `Origin`. So a POST must come
 * from no page or mjsim's own, and a body must be declared `application/json`, which another origin cannot
 * send without a CORS preflight that mjsim never grants.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

/**
 * Rejects a request whose `Origin` is another site's (403). No `Origin` (curl, SDKs, the CLI) and mjsim's own
 * origin pass; `Origin: null` (sandboxed pages, files) does not.
 *
 * @example
 * app.post('*', sameOriginOnly);
 */
export const sameOriginOnly: MiddlewareHandler = async (c, next) => {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(c.req.url).origin) {
    throw new ApiError('forbidden', `Requests from another origin (${origin.slice(0, 200)}) are refused: mjsim's control API is not for web pages`);
  }
  await next();
};

/**
 * Rejects a body not declared `application/json` (415). A request without a body (no `Content-Length`, or
 * `0`, and no `Transfer-Encoding`) needs no content type, so `POST /sim/reset` works bare.
 *
 * @example
 * app.post('*', jsonBodyOnly);
 */
export const jsonBodyOnly: MiddlewareHandler = async (c, next) => {
  const length = c.req.header('content-length');
  const hasBody = c.req.header('transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (hasBody && type !== 'application/json') {
    throw new ApiError('unsupported-media-type', `A request body must be sent as Content-Type: application/json${type ? `, not ${type.slice(0, 100)}` : ''}`);
  }
  await next();
};
