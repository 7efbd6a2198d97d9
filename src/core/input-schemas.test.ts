import { describe, expect, it } from 'vitest';
import { clockTargetAt, clockTargetOfText, readClockTarget } from './clock-target.js';
import { filterProblemText, readDeliveryFilter } from './delivery-filter.js';
import { readEmitEvent, readEmitEvents } from './emit-input.js';
import { pruneCutoffAt, readPruneInput } from './prune-input.js';
import { readResetOptions } from './reset-input.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('the delivery filter', () => {
  it('reads text and typed values into the shapes storage takes', () => {
    expect(readDeliveryFilter({ status: 'failed', eventType: 'parse', messageId: '007', email: ' Jane@Example.COM ', limit: '20', after: 0 })).toEqual({
      filter: { status: 'failed', eventType: 'parse', messageId: '7', email: 'jane@example.com', limit: 20, after: 0 },
      problems: [],
    });
    expect(readDeliveryFilter({ url: '12', messageId: 576460752303423489n }).filter).toEqual({ callbackUrlId: 12, messageId: '576460752303423489' });
    expect(readDeliveryFilter({ url: 'https://a.test/h' }).filter).toEqual({ url: 'https://a.test/h' });
  });

  it('lists every bad field, and keeps the good ones', () => {
    const { filter, problems } = readDeliveryFilter({ status: 'lost', limit: '0', email: 'a@b.c', messageId: '18446744073709551616' });
    expect(filter).toEqual({ email: 'a@b.c' });
    expect(problems.map(filterProblemText)).toEqual([
      'status "lost": one of pending, in_flight, delivered, failed, suppressed, handed_over',
      'MessageID "18446744073709551616": a MessageID (a whole number)',
      'limit "0": a whole number from 1 to 1000',
    ]);
    for (const bad of [1.5, -1, -0, '1e3', '', Number.NaN]) expect(readDeliveryFilter({ before: bad }).problems).toHaveLength(1);
  });
});

describe('events to emit', () => {
  it('names the event of an array by index, a lone one not at all', () => {
    expect(readEmitEvents({ event: 'open', time: 1.5 })).toEqual({ ok: false, problem: expect.stringMatching(/^"time" must be Unix seconds/) });
    expect(readEmitEvents([{ event: 'open' }, null])).toEqual({ ok: false, problem: expect.stringMatching(/^Event 1: expected an object/) });
    expect(readEmitEvents([])).toMatchObject({ ok: false });
    expect(readEmitEvent({ event: 'click', url: 'https://x.test', CustomID: 'c1' })).toEqual({ ok: true, value: { type: 'click', fields: { event: 'click', url: 'https://x.test', CustomID: 'c1' } } });
  });
});

describe('the clock target', () => {
  it('reads the shape and the grammar, then places the target against now', () => {
    expect(readClockTarget({ by: '5h5m' })).toEqual({ ok: true, value: { by: 18_300_000 } });
    expect(readClockTarget({ to: new Date(NOW) })).toEqual({ ok: true, value: { to: NOW } });
    expect(readClockTarget({ by: 7 })).toEqual({ ok: false, problem: { field: 'by', message: '7: add a unit, e.g. 7s, 7m, 7d' } });
    expect(readClockTarget({ by: null })).toMatchObject({ ok: false, problem: { field: null } });
    expect(readClockTarget(['by'])).toMatchObject({ ok: false, problem: { field: null } });
    expect(clockTargetAt({ by: 1_000 }, NOW)).toEqual({ ok: true, value: NOW + 1_000 });
    expect(clockTargetAt({ to: NOW - 1 }, NOW)).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/only moves forward/) } });
    expect(clockTargetOfText('next')).toEqual({ to: 'next' });
    expect(clockTargetOfText('2026-06-01')).toEqual({ to: '2026-06-01' });
    expect(clockTargetOfText('2026')).toEqual({ by: '2026' });
  });
});

describe('the prune cutoff', () => {
  it('tells a time from a duration ago, and refuses a cutoff after now', () => {
    expect(readPruneInput({ before: '7d' })).toEqual({ ok: true, value: { cutoff: { ago: 604_800_000 }, dryRun: false } });
    expect(readPruneInput({ olderThan: '1h', dryRun: true })).toEqual({ ok: true, value: { cutoff: { ago: 3_600_000 }, dryRun: true } });
    expect(readPruneInput({ before: '2026-01-01T00:00:00Z' })).toEqual({ ok: true, value: { cutoff: { at: Date.parse('2026-01-01T00:00:00Z') }, dryRun: false } });
    expect(readPruneInput({ olderThan: new Date(NOW) })).toMatchObject({ ok: false, problem: { field: null } });
    expect(pruneCutoffAt({ ago: 1_000 }, NOW)).toEqual({ ok: true, value: NOW - 1_000 });
    expect(pruneCutoffAt({ at: NOW + 1 }, NOW)).toMatchObject({ ok: false, problem: { field: 'before' } });
  });
});

describe("reset's options", () => {
  it('takes none', () => {
    expect(readResetOptions(undefined)).toEqual({ ok: true });
    expect(readResetOptions({})).toEqual({ ok: true });
    expect(readResetOptions(null)).toMatchObject({ ok: false });
    expect(readResetOptions({ keepUrls: false })).toMatchObject({ ok: false });
  });
});
