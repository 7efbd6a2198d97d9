/**
 * The HTTP app: Mailjet's routes, mjsim's own `/sim` control API, and the one error edge.
 */
import { Hono, type Context, type ErrorHandler, type Handler, type NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { randomUUID } from 'node:crypto';
import { ClockNotMovableError, ClockRangeError } from '../engine/clock.js';
import { basicAuth, type AuthVariables } from './auth.js';
import { closeIfBodyUnread } from './body.js';
import { ApiError, AUTH_REALM, RETRY_AFTER_SECONDS, retryableCode, SEND_API_AUTH_MESSAGE } from './errors.js';
import { StorageFaultError, storageFaultOf, storageHealth } from '../db/storage-health.js';
import { eventCallbackUrlRoutes } from './eventcallbackurl-routes.js';
import type { AppDeps } from './app-deps.js';
import { simRoutes } from './sim-routes.js';
import { messageHistoryRoutes, messageRoutes } from './message-routes.js';
import { sendV3Routes, sendV31Routes } from './send-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { isMjsimUserAgent } from '../core/version.js';
import { InboundMailError } from '../inbound/read-mime.js';
import { createParseInbox } from '../use-cases/receive-inbound.js';
import { inboundRoutes } from './inbound-routes.js';
import { parseRouteRoutes } from './parseroute-routes.js';

type Api = 'mailjet-v3' | 'mailjet-send-v31' | 'sim';

/** Which error envelope a path promises. */
function apiOf(path: string): Api {
  if (path.startsWith('/v3.1/')) return 'mailjet-send-v31';
  if (path.startsWith('/v3/')) return 'mailjet-v3';
  return 'sim';
}

/**
 * Builds the whole HTTP app from its dependencies; test it in-process with `app.request()`.
 *
 * @example
 * const app = createApp({ db, clock, engine, settings });
 * const res = await app.request('/v3/REST/eventcallbackurl', { headers: { authorization } });
 */
export function createApp(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const auth = basicAuth(deps.db);

  app.use('*', closeIfBodyUnread);
  // A request with mjsim's webhook User-Agent is a webhook that came back in (a URL pointing at this or
  // another mjsim): accepting it would turn one event into an endless stream.
  app.use('*', async (c, next) => {
    if (isMjsimUserAgent(c.req.header('user-agent'))) {
      throw new ApiError('forbidden', 'Refused: this request carries the User-Agent of an mjsim webhook; mjsim does not accept its own webhooks (they would loop)');
    }
    await next();
  });

  // A database that vanished takes no new work (storage-health.ts); reads still show what was pending.
  const storage = storageHealth(deps.db.$client);
  // Answered, not thrown: middleware such as closeIfBodyUnread then still sees the response.
  const notFound: NotFoundHandler = (c) => errorResponse(new ApiError('not-found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c);
  // SQLite reports some writes on a full disk as I/O errors; the storage state knows which they were.
  const onError: ErrorHandler = (error, c) =>
    errorResponse(storageFaultOf(error) === 'io-error' && storage.state.status === 'full' ? new StorageFaultError('full', error.message) : error, c);
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') storage.refuseIfGone();
    await next();
  });

  app.use('/v3/*', auth);
  app.use('/v3.1/*', auth);
  app.route('/v3/REST/eventcallbackurl', eventCallbackUrlRoutes(deps));
  app.route('/v3/REST/parseroute', parseRouteRoutes(deps));
  app.route('/v3.1/send', sendV31Routes(deps));
  app.route('/v3/send', sendV3Routes(deps));
  app.route('/v3/REST/message', messageRoutes(deps));
  app.route('/v3/REST/messagehistory', messageHistoryRoutes(deps));
  // Before `/sim`, whose POSTs take JSON only: this one takes a raw message.
  app.route('/sim/inbound', inboundRoutes(deps, deps.inbox ?? createParseInbox(deps), auth));
  app.route('/sim', simRoutes(deps, auth));
  app.route('/metrics', metricsRoutes(deps));
  // Loaded by its first request: `mjsim serve` answers sooner without the dashboard's modules (bench:start).
  const dashboard = loadedOnFirstRequest(async () => {
    const { dashboardRoutes } = await import('./dashboard/dashboard-routes.js');
    return new Hono().route('/', dashboardRoutes(deps)).notFound(notFound).onError(onError);
  });
  app.all('/', dashboard);
  app.all('/dashboard', dashboard);
  app.all('/dashboard/*', dashboard);

  app.all('/v3/REST/eventcallbackurl', () => methodNotAllowed('GET, POST'));
  app.all('/v3/REST/eventcallbackurl/:id', () => methodNotAllowed('GET, PUT, DELETE'));
  app.all('/v3/REST/eventcallbackurl/:id/test', () => methodNotAllowed('POST'));
  app.all('/v3/REST/parseroute', () => methodNotAllowed('GET, POST'));
  app.all('/v3/REST/parseroute/:id', () => methodNotAllowed('GET, PUT, DELETE'));
  app.notFound(notFound);
  app.onError(onError);
  return app;
}

/**
 * A sub-app built on its first request, then answering every request routed to it as if it were mounted:
 * the same request, the same Node bindings (the dashboard reads the socket's address), its own error edge.
 */
function loadedOnFirstRequest(load: () => Promise<Hono>): Handler {
  let loading: Promise<Hono> | undefined;
  return async (c) => (await (loading ??= load())).fetch(c.req.raw, c.env);
}

function methodNotAllowed(allowed: string): never {
  throw new ApiError('method-not-allowed', `Method not allowed on this resource: use ${allowed}`);
}

/**
 * An error as the API of `path` writes it: Mailjet's envelopes under `/v3` and `/v3.1`, mjsim's
 * `{"error":{"code","message"}}` elsewhere. Also used for errors raised before the app runs (serve.ts).
 *
 * @example
 * errorEnvelope('/sim/clock', new ApiError('not-found', 'No route')).status // 404
 */
export function errorEnvelope(path: string, apiError: ApiError): Response {
  const status = apiError.status;
  const retryable = retryableCode(apiError.code);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(retryable ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}) };
  const json = (body: unknown) => new Response(JSON.stringify(body), { status, headers });
  switch (apiOf(path)) {
    case 'mailjet-v3':
      if (apiError.code === 'unauthorized') {
        return new Response(null, { status: 401, headers: { 'content-type': 'text/html', 'www-authenticate': AUTH_REALM } });
      }
      return json({ ErrorInfo: retryable ?? '', ErrorMessage: apiError.message, StatusCode: status });
    case 'mailjet-send-v31': {
      const message = apiError.code === 'unauthorized' ? SEND_API_AUTH_MESSAGE : apiError.message;
      const code = apiError.code === 'unauthorized' ? 'mj-0015' : (apiError.mailjetCode ?? retryable ?? 'mj-0003');
      const response = json({ ErrorIdentifier: randomUUID(), ErrorCode: code, StatusCode: status, ErrorMessage: message });
      if (apiError.code === 'unauthorized') response.headers.set('www-authenticate', AUTH_REALM);
      return response;
    }
    case 'sim': {
      const response = json({ error: { code: apiError.code, message: apiError.message } });
      if (apiError.code === 'unauthorized') response.headers.set('www-authenticate', AUTH_REALM);
      return response;
    }
  }
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ClockRangeError) return new ApiError('clock-out-of-range', error.message);
  if (error instanceof ClockNotMovableError) return new ApiError('clock-not-movable', error.message);
  if (error instanceof InboundMailError) return new ApiError(error.kind === 'too-large' ? 'payload-too-large' : 'invalid-input', error.message);
  const fault = storageFaultOf(error);
  if (fault === 'full') return new ApiError('storage-full', `mjsim's disk is full: nothing was stored; retry once space is freed (${error.message})`);
  if (fault !== null) return new ApiError('storage-unavailable', `mjsim cannot store this now: ${error.message}`);
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('payload-too-large', 'Request body too large');
    return new ApiError(error.status === 404 ? 'not-found' : 'invalid-input', error.message || 'Bad request');
  }
  console.error('mjsim: unexpected error', error);
  return new ApiError('internal', `Internal error: ${error.message}`);
}

/**
 * The error edge for apps other than the main one (the plain-HTTP answer on a TLS port): the same envelopes.
 *
 * @example
 * app.onError((error, c) => errorResponse(error, c));
 */
export function errorResponse(error: Error, c: Context): Response {
  return errorEnvelope(new URL(c.req.url).pathname, toApiError(error));
}
