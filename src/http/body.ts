/**
 * Reading request bodies: size cap (413), exact big integers, malformed JSON as a 400.
 */
import type { Context } from 'hono';
import { parseJson, type JsonValue } from '../core/json.js';
import { ApiError } from './errors.js';

/** Largest body the REST and control APIs accept. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the body as JSON (integers above 2^53 as `bigint`); an empty body is `undefined`.
 *
 * @example
 * const body = await readJson(c);
 */
export async function readJson(c: Context, maxBytes = MAX_BODY_BYTES): Promise<JsonValue | undefined> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > maxBytes) throw tooLarge(maxBytes);
  const text = new TextDecoder().decode(buffer);
  if (text.trim() === '') return undefined;
  try {
    return parseJson(text);
  } catch (error) {
    throw new ApiError('malformed-json', `Malformed JSON: ${(error as Error).message}. Please review the syntax and property types.`, 'mj-0002');
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload-too-large', `Request body too large: at most ${maxBytes} bytes are accepted`);
}
