/**
 * The advance through its narrow interface (`AdvanceHost`), with a fake engine: what it asks of the engine,
 * where it moves the clock, what it persists and announces, and its summary. The engine's own behaviour under
 * an advance is test/engine.test.ts and the advance-* and clock-* suites.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptCounts } from '../core/engine-events.js';
import { ClockAdvance, type AdvanceHost } from './clock-advance.js';
import { ClockNotMovableError, ClockRangeError, createClock, type Clock } from './clock.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A fake engine: on each wake it plays one dispatch pass (`onWake`), and records what it was asked to do. */
class FakeHost implements AdvanceHost {
  running = true;
  readonly counters: AttemptCounts = { attempts: 0, successes: 0, failures: 0, urlsSuspended: 0 };
  readonly persisted: number[] = [];
  readonly shown: number[] = [];
  wakes = 0;
  idles = 0;
  onWake: () => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly dueTimes: number[] = [],
  ) {}

  idle(): Promise<void> {
    this.idles += 1;
    return Promise.resolve();
  }
  nextDueAt(): number | null {
    return this.dueTimes.find((time) => time > this.clock.now()) ?? null;
  }
  wake(): void {
    this.wakes += 1;
    // A dispatch pass runs later, as the engine's does (setImmediate).
    setImmediate(() => this.onWake());
  }
  persistClock(): void {
    this.persisted.push(this.clock.now());
  }
  clockShown(now: number): void {
    this.shown.push(now);
  }
}

describe('ClockAdvance', () => {
  it('on the manual clock, lends the dispatcher a window up to the target, then moves the clock there and sums the attempts', async () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const host = new FakeHost(clock);
    const advances = new ClockAdvance(clock, host);
    const seen: { until: number; cancelled: boolean }[] = [];
    host.onWake = () => {
      const window = advances.window;
      if (!window) return;
      seen.push({ until: window.until, cancelled: window.cancelled });
      host.counters.attempts += 2;
      host.counters.failures += 1;
      host.counters.successes += 1;
      window.show(T0 + 400);
      window.finish(false);
    };

    const summary = await advances.advance(T0 + 1_000);

    expect(seen).toEqual([{ until: T0 + 1_000, cancelled: false }]);
    expect(summary).toEqual({ from: iso(T0), to: iso(T0 + 1_000), attempts: 2, successes: 1, failures: 1, urlsSuspended: 0 });
    expect(clock.now()).toBe(T0 + 1_000);
    // The visible clock moved to T0+400 at once (persisted); it is announced at most every 100 ms of real time,
    // so T0+400 is announced only when the first pass came that late.
    expect(host.persisted.slice(0, 1)).toEqual([T0 + 400]);
    expect(host.persisted.at(-1)).toBe(T0 + 1_000);
    expect(host.shown.at(-1)).toBe(T0 + 1_000);
    expect(host.shown.every((time) => time === T0 + 400 || time === T0 + 1_000)).toBe(true);
    expect(advances.window).toBeUndefined();
    expect(advances.progress).toBeUndefined();
  });

  it('counts the next summary from where the last one ended', async () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const host = new FakeHost(clock);
    const advances = new ClockAdvance(clock, host);
    host.onWake = () => advances.window?.finish(false);
    host.counters.attempts = 3; // answered before the first advance: counted by it
    expect((await advances.advance(T0 + 10)).attempts).toBe(3);
    host.counters.attempts = 5;
    expect((await advances.advance(T0 + 20)).attempts).toBe(2);
  });

  it('cancels: shows progress while running, resolves cancelled where the clock stopped', async () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const host = new FakeHost(clock);
    const advances = new ClockAdvance(clock, host);
    let passes = 0;
    host.onWake = () => {
      const window = advances.window;
      if (!window) return;
      passes += 1;
      if (passes === 1) {
        host.counters.attempts += 4;
        window.show(T0 + 250);
      }
      if (window.cancelled) window.finish(true);
    };
    expect(advances.cancel()).toBeUndefined();

    const running = advances.advance(T0 + 1_000);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(advances.progress).toEqual({ until: T0 + 1_000, attempts: 4 });
    const cancelled = advances.cancel();
    expect(cancelled).toBe(running);

    const summary = await running;
    expect(summary).toEqual({ from: iso(T0), to: iso(T0 + 250), attempts: 4, successes: 0, failures: 0, urlsSuspended: 0, cancelled: true });
    expect(clock.now()).toBe(T0 + 250);
    expect(advances.progress).toBeUndefined();
  });

  it('ends an advance as cancelled when the engine stops during it', async () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const host = new FakeHost(clock);
    const advances = new ClockAdvance(clock, host);
    host.onWake = () => {
      host.running = false;
      advances.window?.finish(true);
    };
    const summary = await advances.advance(T0 + 1_000);
    expect(summary).toMatchObject({ to: iso(T0), cancelled: true });
    expect(clock.now()).toBe(T0);
  });

  it('steps a scaled clock to each due time in turn, waiting for the engine to be idle at each', async () => {
    const wall = T0;
    const clock = createClock({ mode: 'scaled', factor: 10 }, T0, () => wall);
    const host = new FakeHost(clock, [T0 + 100, T0 + 300, T0 + 2_000]);
    const advances = new ClockAdvance(clock, host);

    const summary = await advances.advance(T0 + 500);

    expect(host.shown).toEqual([T0 + 100, T0 + 300, T0 + 500]);
    expect(host.persisted).toEqual([T0 + 100, T0 + 300, T0 + 500]);
    expect(host.idles).toBe(4);
    expect(host.wakes).toBe(3);
    expect(summary).toMatchObject({ from: iso(T0), to: iso(T0 + 500) });
    expect(summary.cancelled).toBeUndefined();
  });

  it("'next' moves to the next due time; a target beyond the clock's limit rejects before the clock moves", async () => {
    const clock = createClock({ mode: 'manual', factor: 0 }, T0);
    const host = new FakeHost(clock, [T0 + 30_000]);
    const advances = new ClockAdvance(clock, host);
    host.onWake = () => advances.window?.finish(false);

    expect((await advances.advance('next')).to).toBe(iso(T0 + 30_000));
    await expect(advances.advance(clock.limit + 1)).rejects.toBeInstanceOf(ClockRangeError);
    expect(clock.now()).toBe(T0 + 30_000);
  });

  it('refuses to move the real clock', async () => {
    const clock = createClock({ mode: 'real', factor: 1 }, T0);
    const advances = new ClockAdvance(clock, new FakeHost(clock));
    await expect(advances.advance(T0 + 1_000)).rejects.toBeInstanceOf(ClockNotMovableError);
  });
});
