/**
 * Rates as people write them for `mjsim generate --rate`: `200/s`, `600/m`, `36000/h`, or a bare number
 * per second. Pure.
 */

const PER_UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/**
 * Parses a rate into messages per second, or `null` when the text is not one.
 *
 * @example
 * parseRate('200/s') // 200
 * parseRate('30/m')  // 0.5
 * parseRate('0/s')   // null (a rate is positive)
 */
export function parseRate(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/i.exec(text);
  if (!match) return null;
  const perSecond = Number(match[1]) / (PER_UNIT_SECONDS[(match[2] ?? 's').toLowerCase()] as number);
  return perSecond > 0 && Number.isFinite(perSecond) ? perSecond : null;
}

/**
 * How many messages should have been started `elapsedMs` into a run at `perSecond`, capped at `total`.
 *
 * @example
 * dueCount(200, 1500, 12_000) // 300
 */
export function dueCount(perSecond: number, elapsedMs: number, total: number): number {
  return Math.min(total, Math.floor((perSecond * elapsedMs) / 1000) + 1);
}
