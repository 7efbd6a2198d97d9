/**
 * JSON responses that keep integers above 2^53 exact (Hono's `c.json` throws on `bigint`).
 */
import { stringifyJson } from '../core/json.js';

/**
 * A JSON response written with `stringifyJson`.
 *
 * @example
 * return exactJson({ MessageID: 576460765503091475n }, 201);
 */
export function exactJson(value: unknown, status = 200): Response {
  return new Response(stringifyJson(value), { status, headers: { 'content-type': 'application/json; charset=UTF-8' } });
}
