/**
 * One port that speaks HTTPS and still answers a plain-HTTP request clearly. A bare TLS server drops such a
 * request (the client sees an empty reply or a reset and is left guessing); here the first byte of each
 * connection decides: a TLS handshake goes to the HTTPS server, anything else to a plain HTTP server that
 * answers 400 "this port speaks HTTPS".
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server as HttpServer } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { answerClientErrors, nodeListener } from './node-listener.js';
import type { PemPair } from '../tls/generate-certificates.js';

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A listening-ready server and a way to drop every open connection (for a quick shutdown). */
export interface Listener {
  readonly server: net.Server;
  closeAllConnections(): void;
}

/** A TLS record of type "handshake" starts every TLS connection (a ClientHello). */
const TLS_HANDSHAKE = 0x16;
/** How long a connection may stay silent before its first byte. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/**
 * Builds the server; call `listener.server.listen(port, host)`.
 *
 * @example
 * const listener = createHttpsListener(app.fetch, httpsRequired.fetch, { cert, key });
 * listener.server.listen(7355, '127.0.0.1');
 */
export function createHttpsListener(fetch: FetchHandler, plainFetch: FetchHandler, pair: PemPair): Listener {
  const secure = https.createServer({ cert: pair.cert, key: pair.key }, nodeListener(fetch, 'localhost'));
  answerClientErrors(secure);
  secure.keepAliveTimeout = 65_000;
  const plain = createAdaptorServer({ fetch: plainFetch }) as HttpServer;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    const onReadable = () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return;
      socket.off('readable', onReadable);
      socket.setTimeout(0);
      // Put the byte back: both servers read the connection from its start.
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
    };
    socket.on('readable', onReadable);
  });
  return {
    server,
    closeAllConnections() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
