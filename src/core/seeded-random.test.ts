import { describe, expect, it } from 'vitest';
import { drawDelay, seededRandom, uuidFrom } from './seeded-random.js';

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const draw = (seed: string) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random());
    };
    expect(draw('42:1')).toEqual(draw('42:1'));
    expect(draw('42:1')).not.toEqual(draw('42:2'));
    for (const value of draw('x')) expect(value >= 0 && value < 1).toBe(true);
  });

  it('draws version-4 UUIDs', () => {
    const uuid = uuidFrom(seededRandom('seed'));
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFrom(seededRandom('seed'))).toBe(uuid);
  });

  it('draws delays inside their range, both ends included', () => {
    expect(drawDelay([5, 5], Math.random)).toBe(5);
    expect(drawDelay([0, 10], () => 0)).toBe(0);
    expect(drawDelay([0, 10], () => 0.999_999)).toBe(10);
  });
});
