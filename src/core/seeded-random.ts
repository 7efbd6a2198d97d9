/**
 * Reproducible randomness: the same seed always gives the same sequence, so a seeded scenario run twice
 * produces identical events (MessageUUIDs, delays, outcomes, user agents). Pure: no Math.random, no crypto.
 */

/**
 * A uniform [0, 1) generator seeded by any text (sfc32 over a cyrb128 hash of the seed).
 *
 * @example
 * const random = seededRandom('42:576460752303423489');
 * random(); // 0.3163… (always the same for this seed)
 */
export function seededRandom(seed: string | number): () => number {
  let [a, b, c, d] = cyrb128(String(seed));
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A 128-bit hash of a string as four 32-bit words (seeds sfc32). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * A version-4 UUID drawn from `random` (so seeded runs get the same MessageUUIDs).
 *
 * @example
 * uuidFrom(seededRandom('x')) // 'a3c1…-…-4…-8…-…' (always the same for seed 'x')
 */
export function uuidFrom(random: () => number): string {
  // Every send draws one: sixteen table lookups, no intermediate arrays.
  let uuid = '';
  for (let i = 0; i < 16; i++) {
    let byte = Math.floor(random() * 256);
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    uuid += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (HEX[byte] as string);
  }
  return uuid;
}

/** Two hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A whole number of milliseconds drawn uniformly from `[min, max]`.
 *
 * @example
 * drawDelay([60_000, 3_600_000], random) // somewhere between 1 min and 60 min
 */
export function drawDelay(range: readonly [number, number], random: () => number): number {
  const [min, max] = range;
  return min + Math.floor(random() * (max - min + 1));
}
