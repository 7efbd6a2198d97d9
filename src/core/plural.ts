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
  return `${count} ${noun(count, singular, pluralForm)}`;
}

/**
 * The noun alone, for a count written some other way (e.g. with thousands separators).
 *
 * @example
 * `${(1234).toLocaleString('en')} ${noun(1234, 'attempt')}`   // '1,234 attempts'
 */
export function noun(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}
