/**
 * The Node side of the HTTP app: @hono/node-server's request listener, with the errors raised before the
 * app runs (a request target such as `OPTIONS *`, a bad Host header, a request Node's parser rejects)
 * answered in the JSON envelope of the route family like every other 4xx, instead of an empty 400.
 */
import type { Server as HttpsServer } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import { errorEnvelope } from './app.js';
import { ApiError } from './errors.js';

/**
 * A Node request listener for `fetch` whose adapter-level errors carry mjsim's envelopes.
 *
 * @example
 * const server = createServer(nodeListener(app.fetch, '127.0.0.1'));
 * answerClientErrors(server);
 */
export function nodeListener(fetch: (request: Request, env: object) => Response | Promise<Response>, hostname: string): RequestListener {
  // The adapter calls errorHandler synchronously while it builds the request, so this is the request at fault.
  let current: IncomingMessage | undefined;
  const listener = getRequestListener(fetch, {
    hostname,
    errorHandler: (error) => {
      if (error instanceof RequestError) {
        return errorEnvelope(pathOf(current?.url), new ApiError('invalid-input', `Bad request: ${error.message} (request target ${JSON.stringify((current?.url ?? '').slice(0, 200))})`));
      }
      console.error('mjsim: unexpected error', error);
      return errorEnvelope('/', new ApiError('internal', 'Internal error'));
    },
  });
  return (incoming, outgoing) => {
    current = incoming;
    return listener(incoming, outgoing);
  };
}

/**
 * Answers requests that Node's HTTP parser rejects (malformed request line or headers, headers too large)
 * with a JSON body in mjsim's envelope, then closes the connection.
 *
 * @example
 * answerClientErrors(server);
 */
export function answerClientErrors(server: Server | HttpsServer): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: { code: 'invalid-input', message: `Bad request: ${STATUS_CODES[status]} (${error.code ?? 'parse error'})` } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function pathOf(target: string | undefined): string {
  if (!target) return '/';
  if (target.startsWith('/')) return target.split('?')[0] as string;
  try {
    return new URL(target).pathname;
  } catch {
    return '/';
  }
}
