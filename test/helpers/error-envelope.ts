/**
 * The project's own error envelope (`{ "error": { "code", "message" } }`, what /sim and the control routes
 * answer), checked in one place for the tests that expect it.
 */
import { expect } from 'vitest';

/**
 * Expects `res` to be the envelope with this status and code, and a message matching `message`.
 *
 * @example
 * await expectError(await sim.api('/sim/nothing'), 404, 'not-found', /No route/);
 */
export async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}
