/**
 * Counts in words: "1 attempt", "2 attempts". One home for it, so no message says "1 attempts".
 * Pure.
 */

/**
 * `count` and the noun, singular for exactly one.
 *
 * @example
 * plural(1, 'attempt')                   // '1 attempt'
 * plural(3, 'delivery', 'deliveries')    // '3 deliveries'
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
