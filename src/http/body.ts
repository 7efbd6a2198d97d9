/**
 * Reading request bodies: a size cap counted while the bytes stream in (so a chunked body without
 * `Content-Length` is stopped at the cap, not buffered whole), exact big integers, malformed JSON as a 400.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, type JsonValue } from '../core/json.js';
import { ApiError } from './errors.js';

/** One decoder for every body (it keeps no state between calls without `stream: true`). */
const UTF8 = new TextDecoder();

/** Largest body the REST and control APIs accept. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the body as JSON (integers above 2^53 as `bigint`); an empty body is `undefined`. Throws
 * `payload-too-large` as soon as more than `maxBytes` have arrived, whatever the framing.
 *
 * @example
 * const body = await readJson(c);
 */
export async function readJson(c: Context, maxBytes = MAX_BODY_BYTES): Promise<JsonValue | undefined> {
  const text = UTF8.decode(await readBody(c, maxBytes));
  if (text.trim() === '') return undefined;
  try {
    return parseJson(text);
  } catch (error) {
    throw new ApiError('malformed-json', `Malformed JSON: ${(error as Error).message}. Please review the syntax and property types.`, 'mj-0002');
  }
}

/**
 * Reads the raw body, counting bytes as they arrive and stopping at `maxBytes`: the rest is never read.
 *
 * @example
 * const bytes = await readBody(c, 1024 * 1024);
 */
export async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  // A declared length frames the body (the HTTP parser reads no more than that), so it can be read whole
  // without building a web stream, which costs more than the rest of a small send.
  if (declared !== undefined && /^\d+$/.test(declared.trim())) return new Uint8Array(await c.req.arrayBuffer());
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** How long a connection stays open after an early answer, so the client reads it before the close. */
const LINGER_MS = 500;

/**
 * Answers with `Connection: close` whenever the request body has not fully arrived by the time the answer
 * is ready (a 413 mid-stream, a 401 before the body was read): the connection is closed instead of the
 * server reading, or buffering, whatever the client keeps sending.
 *
 * Node destroys a `Connection: close` socket as soon as the answer is written; with unread bytes still
 * arriving, that sends a TCP reset that can reach the client before it has read the answer. So the close
 * lingers for half a second (as web servers' "lingering close" does), reading nothing more into memory.
 *
 * @example
 * app.use('*', closeIfBodyUnread);
 */
export const closeIfBodyUnread: MiddlewareHandler<{ Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse } }> = async (c, next) => {
  await next();
  const incoming = c.env?.incoming;
  if (!incoming || incoming.complete) return;
  c.res.headers.set('connection', 'close');
  c.env.outgoing?.once('finish', () => {
    const socket = incoming.socket;
    socket.removeListener('finish', socket.destroy);
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
};

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload-too-large', `Request body too large: at most ${maxBytes} bytes are accepted`);
}
