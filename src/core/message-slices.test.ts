import { describe, expect, it } from 'vitest';
import { arrivalRanges, idRanges, splitAtFiled, type IdRange } from './message-slices.js';

describe('idRanges', () => {
  it.each([
    { span: { low: 1, high: 1 }, size: 10, descending: false, expected: [[1, 11]] },
    { span: { low: 1, high: 10 }, size: 10, descending: false, expected: [[1, 11]] },
    { span: { low: 1, high: 11 }, size: 10, descending: false, expected: [[1, 11], [11, 21]] },
    { span: { low: 1, high: 25 }, size: 10, descending: false, expected: [[1, 11], [11, 21], [21, 31]] },
    { span: { low: 1, high: 25 }, size: 10, descending: true, expected: [[21, 31], [11, 21], [1, 11]] },
    { span: { low: 40, high: 47 }, size: 3, descending: false, expected: [[40, 43], [43, 46], [46, 49]] },
    { span: { low: 7, high: 7 }, size: 1, descending: true, expected: [[7, 8]] },
  ])('$span.low..$span.high by $size, descending $descending', ({ span, size, descending, expected }) => {
    expect([...idRanges(span, descending, size)].map((range) => [range.low, range.high])).toEqual(expected);
  });

  it('covers the span once, without gaps, in either direction', () => {
    for (const size of [1, 3, 7, 1_000, 20_000]) {
      for (const span of [{ low: 1, high: 1 }, { low: 5, high: 100 }, { low: 1, high: 1_001 }]) {
        const ranges = [...idRanges(span, false, size)];
        expect(ranges[0]?.low).toBe(span.low);
        expect(ranges.at(-1)?.high).toBeGreaterThan(span.high);
        expect(ranges.at(-1)?.low).toBeLessThanOrEqual(span.high);
        for (const [i, range] of ranges.entries()) {
          expect(range.high - range.low).toBe(size);
          if (i > 0) expect(range.low).toBe(ranges[i - 1]?.high);
        }
        expect([...idRanges(span, true, size)]).toEqual(ranges.reverse());
      }
    }
  });
});

describe('splitAtFiled', () => {
  const one: IdRange[] = [{ low: 11, high: 21 }];
  it.each([
    { through: 0, descending: false, expected: [{ low: 11, high: 21 }] },
    { through: 10, descending: false, expected: [{ low: 11, high: 21 }] },
    { through: 11, descending: false, expected: [{ low: 11, high: 12, filed: true }, { low: 12, high: 21 }] },
    { through: 15, descending: false, expected: [{ low: 11, high: 16, filed: true }, { low: 16, high: 21 }] },
    { through: 15, descending: true, expected: [{ low: 16, high: 21 }, { low: 11, high: 16, filed: true }] },
    { through: 19, descending: false, expected: [{ low: 11, high: 20, filed: true }, { low: 20, high: 21 }] },
    { through: 20, descending: false, expected: [{ low: 11, high: 21, filed: true }] },
    { through: 99, descending: true, expected: [{ low: 11, high: 21, filed: true }] },
  ])('filed through $through, descending $descending', ({ through, descending, expected }) => {
    expect([...splitAtFiled(one, through, descending)]).toEqual(expected);
  });

  it('cuts only the range that holds the filing point, keeping walk order', () => {
    const ranges = [...idRanges({ low: 1, high: 30 }, false, 10)];
    expect([...splitAtFiled(ranges, 14, false)]).toEqual([
      { low: 1, high: 11, filed: true },
      { low: 11, high: 15, filed: true },
      { low: 15, high: 21 },
      { low: 21, high: 31 },
    ]);
    const descending = [...idRanges({ low: 1, high: 30 }, true, 10)];
    expect([...splitAtFiled(descending, 14, true)]).toEqual([
      { low: 21, high: 31 },
      { low: 15, high: 21 },
      { low: 11, high: 15, filed: true },
      { low: 1, high: 11, filed: true },
    ]);
  });

  it('drops no row ID and yields none twice (7 ranges of 8 from 3: IDs 3..58)', () => {
    const ranges = [...idRanges({ low: 3, high: 58 }, false, 8)];
    for (let through = 0; through <= 70; through++) {
      const ids = [...splitAtFiled(ranges, through, false)].flatMap((part) => Array.from({ length: part.high - part.low }, (_, i) => part.low + i));
      expect(ids).toEqual(Array.from({ length: 56 }, (_, i) => 3 + i));
    }
  });
});

describe('arrivalRanges', () => {
  it.each([
    { lo: undefined, hi: undefined, expected: ['all'] },
    { lo: undefined, hi: { at: 5, id: 9 }, expected: ['beforeHiTime', 'atHiTimeUpToHi'] },
    { lo: { at: 5, id: 9 }, hi: undefined, expected: ['atLoTimeAfterLo', 'afterLoTime'] },
    { lo: { at: 5, id: 9 }, hi: { at: 5, id: 30 }, expected: ['atOneTimeBetween'] },
    { lo: { at: 5, id: 9 }, hi: { at: 8, id: 2 }, expected: ['atLoTimeAfterLo', 'betweenTimes', 'atHiTimeUpToHi'] },
  ])('from $lo to $hi', ({ lo, hi, expected }) => {
    expect(arrivalRanges(lo, hi)).toEqual(expected);
  });
});
