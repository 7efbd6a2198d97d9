/**
 * Reset's options, read once for every door that resets an account: `POST /sim/reset`, the library's
 * `sim.reset()` and `mjsim reset`. Reset has none today: it always deletes the account's URLs, events,
 * deliveries and attempts and keeps the clock. So no body (or `{}`) is the one good input, and an option
 * that someone expects to narrow it (`{"keepUrls":true}`) is refused rather than silently ignored, since a
 * reset cannot be undone. Pure.
 */

/**
 * Reads reset's options: `undefined` (no body) or an empty object.
 *
 * @example
 * readResetOptions(undefined)          // { ok: true }
 * readResetOptions({ keepUrls: true }) // { ok: false, problem: 'Reset takes no options: … "keepUrls"' }
 */
export function readResetOptions(input: unknown): { ok: true } | { ok: false; problem: string } {
  if (input === undefined) return { ok: true };
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const keys = Object.keys(input);
    if (keys.length === 0) return { ok: true };
    return { ok: false, problem: `Reset takes no options: send no body or {} (it deletes every URL, event and delivery of the account; got ${keys.map((key) => JSON.stringify(key)).join(', ')})` };
  }
  return { ok: false, problem: 'Reset takes no options: send no body or {}' };
}
