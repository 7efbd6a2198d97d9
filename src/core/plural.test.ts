import { describe, expect, it } from 'vitest';
import { noun, plural } from './plural.js';

describe('plural', () => {
  it('is singular for exactly one', () => {
    expect(plural(1, 'attempt')).toBe('1 attempt');
    expect(plural(0, 'attempt')).toBe('0 attempts');
    expect(plural(21, 'attempt')).toBe('21 attempts');
    expect(plural(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(plural(2, 'delivery', 'deliveries')).toBe('2 deliveries');
  });

  it('gives the noun alone for a count written elsewhere', () => {
    expect(noun(1, 'attempt')).toBe('attempt');
    expect(noun(1234, 'attempt')).toBe('attempts');
    expect(noun(2, 'delivery', 'deliveries')).toBe('deliveries');
  });
});
