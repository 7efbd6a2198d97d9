/**
 * A delivery's timeline: every slot of its retry policy with what happened there (each attempt's outcome
 * and latency) or when it is due. Pure: plain data in, plain data out; the dashboard draws it.
 */
import type { DeliveryStatus } from './delivery-state.js';
import { scheduleOffsets, type RetryPolicy } from './retry-policy.js';

/** The attempt fields a timeline needs (a subset of the `attempts` row). */
export interface TimelineAttempt {
  readonly number: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly outcome: string | null;
  readonly httpStatus: number | null;
  readonly latencyMs: number | null;
}

/**
 * What a slot shows: `success`/`failed` (an attempt finished there), `in-flight`, `next` (the due
 * attempt), `planned` (a later slot, if every earlier one fails) or `unused` (the delivery ended first).
 */
export type SlotState = 'success' | 'failed' | 'in-flight' | 'next' | 'planned' | 'unused';

export interface TimelineSlot {
  /** 1-based attempt number. */
  readonly number: number;
  /** The slot's offset from the first attempt in the policy's table. */
  readonly offsetMs: number;
  readonly state: SlotState;
  /** When it happened (the last attempt's start) or is expected; null for unused slots. */
  readonly at: number | null;
  /** Every attempt in this slot, oldest first (an interrupted one is tried again in the same slot). */
  readonly attempts: readonly TimelineAttempt[];
}

export interface Timeline {
  readonly slots: readonly TimelineSlot[];
  /** Slots left out before and after the shown window (long policies such as `mailjet-current`). */
  readonly hiddenBefore: number;
  readonly hiddenAfter: number;
  readonly totalSlots: number;
}

/**
 * Builds the timeline of a delivery under `policy`, showing at most `window` slots around the current one.
 *
 * @example
 * const timeline = deliveryTimeline(RETRY_POLICIES['mailjet-2017']!, { status: 'pending', attemptCount: 1, nextAttemptAt: 31_000 },
 *   [{ number: 1, startedAt: 1_000, endedAt: 1_012, outcome: 'http-status', httpStatus: 500, latencyMs: 12 }]);
 * timeline.slots.map((slot) => slot.state).slice(0, 3) // ['failed', 'next', 'planned']
 * timeline.slots[2]?.at                                 // 61_000
 */
export function deliveryTimeline(
  policy: RetryPolicy,
  delivery: { readonly status: DeliveryStatus; readonly attemptCount: number; readonly nextAttemptAt: number | null },
  attempts: readonly TimelineAttempt[],
  window = 40,
): Timeline {
  const offsets = scheduleOffsets(policy);
  const byNumber = new Map<number, TimelineAttempt[]>();
  for (const attempt of attempts) byNumber.set(attempt.number, [...(byNumber.get(attempt.number) ?? []), attempt]);
  const totalSlots = Math.max(offsets.length, ...attempts.map((attempt) => attempt.number));
  const waiting = delivery.status === 'pending' && delivery.nextAttemptAt !== null;
  const nextNumber = delivery.attemptCount + 1;
  const current = Math.min(totalSlots, nextNumber);
  const start = Math.max(1, Math.min(current - Math.floor(window / 2), totalSlots - window + 1));
  const end = Math.min(totalSlots, start + window - 1);
  const slots: TimelineSlot[] = [];
  for (let number = start; number <= end; number++) {
    const offsetMs = offsets[number - 1] ?? (offsets.at(-1) as number);
    const here = byNumber.get(number) ?? [];
    const last = here.at(-1);
    let state: SlotState;
    let at: number | null = last?.startedAt ?? null;
    if (last && last.endedAt === null) state = 'in-flight';
    else if (last && last.outcome !== 'interrupted') state = last.outcome === 'success' ? 'success' : 'failed';
    else if (waiting && number === nextNumber) {
      state = 'next';
      at = delivery.nextAttemptAt;
    } else if (waiting && number > nextNumber && number <= offsets.length) {
      state = 'planned';
      at = (delivery.nextAttemptAt as number) + offsetMs - (offsets[nextNumber - 1] as number);
    } else state = 'unused';
    slots.push({ number, offsetMs, state, at: state === 'unused' ? null : at, attempts: here });
  }
  return { slots, hiddenBefore: start - 1, hiddenAfter: totalSlots - end, totalSlots };
}
