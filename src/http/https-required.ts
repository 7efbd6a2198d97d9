/**
 * The answer to a plain-HTTP request on a port that speaks HTTPS: 400, in the envelope of the API the
 * path belongs to, naming the https:// URL to use instead.
 */
import { Hono } from 'hono';
import { errorResponse } from './app.js';
import { ApiError } from './errors.js';

/**
 * An app whose every route answers "this port speaks HTTPS", and closes the connection.
 *
 * @example
 * const res = await httpsRequiredApp().request('http://127.0.0.1:7355/sim/health');
 * res.status // 400; (await res.json()).error.message // 'this port speaks HTTPS: use https://127.0.0.1:7355/sim/health'
 */
export function httpsRequiredApp(): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    const url = new URL(c.req.url);
    url.protocol = 'https:';
    throw new ApiError('https-required', `this port speaks HTTPS: use ${url.href}`);
  });
  app.onError((error, c) => {
    const response = errorResponse(error, c);
    response.headers.set('connection', 'close');
    return response;
  });
  return app;
}
