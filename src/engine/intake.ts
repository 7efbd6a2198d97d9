/**
 * Fair intake: large batches of injected events (`POST /sim/events`) are built and stored in bounded
 * chunks, one chunk per turn of the event loop, so that dispatch — which also runs in those turns — keeps
 * its share while events pour in. Stored all at once, 1,000 events hold the single thread for tens of
 * milliseconds, and a client posting such batches back to back took 95 % of it.
 *
 * Routing waits while a batch pours (Engine.pour): a routing pass per chunk cost about twice as much per
 * event as one pass per 2,000 events (issue #22), so the dispatcher routes once a full pass gathered or the
 * batch ended. Claims are not held: deliveries already due go out between chunks as before.
 *
 * Durability: each chunk commits in its own transaction, and a batch's promise resolves only after its last
 * chunk has committed, so an acknowledged batch is entirely on disk. A batch cut short by a crash was never
 * acknowledged; the chunks it had committed stay and are delivered.
 */
import type { EventPayload } from '../core/event-payload.js';
import type { EventType } from '../core/event-types.js';
import { inTransaction } from '../db/open-db.js';
import type { Engine } from './engine.js';

/** Events built and stored per turn (with their routing, about 1.5 ms of work on this project's machine): measured with `npm run bench:intake`, 32 kept delivery at 74–80 % of its idle rate, 64 at 60–69 %. */
export const INTAKE_CHUNK = 32;
/**
 * Real milliseconds a turn of the default intake may spend storing chunks of INTAKE_CHUNK, in one
 * transaction: with routing held while a batch pours, a chunk costs far less than the 1.5 ms it was sized
 * for, and each chunk's commit was a tenth of the intake's time (bench:v2). Measured with
 * `npm run bench:intake -- 200000` on a quiet machine: 1 ms let delivery while pouring fall to 38 % of its
 * idle rate, 0.4 ms to 54 %; 0.25 ms keeps 68 % and still accepts 8,000 events/s (twice the fixed chunk).
 */
export const INTAKE_TURN_MS = 0.25;

/** An event to inject: its type and the payload fields given (the rest is generated). */
export interface IntakeInput {
  type: EventType;
  fields: EventPayload;
}

/** Accepts batches of events in chunks. */
export interface Intake {
  /**
   * Builds and stores `inputs` for `accountId` (as `engine.emitEvents` does) and resolves with each
   * payload's stored JSON text, in input order, once all are committed.
   */
  emit(accountId: number, inputs: readonly IntakeInput[]): Promise<string[]>;
}

interface Batch {
  accountId: number;
  /** Ends the batch's hold on routing (Engine.pour). */
  endPour: () => void;
  inputs: readonly IntakeInput[];
  firstId: bigint | undefined;
  done: number;
  texts: string[];
  resolve: (texts: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * An intake over `engine`. Batches take turns chunk by chunk (round robin), so a small batch is not kept
 * waiting behind a large one; within a batch, events are stored in input order with consecutive MessageIDs
 * (where the fields give none). A turn stores chunks of INTAKE_CHUNK for up to INTAKE_TURN_MS, or exactly one
 * chunk of `fixedChunk` events when that is given.
 *
 * @example
 * const intake = createIntake(engine);
 * const texts = await intake.emit(accountId, [{ type: 'bounce', fields: { email: 'x@example.com' } }]);
 */
export function createIntake(engine: Engine, fixedChunk?: number): Intake {
  const batches: Batch[] = [];
  const chunkSize = fixedChunk ?? INTAKE_CHUNK;
  const turnMs = fixedChunk === undefined ? INTAKE_TURN_MS : 0;

  const step = () => {
    const batch = batches.shift() as Batch;
    try {
      const started = performance.now();
      inTransaction(engine.db, () => {
        batch.firstId ??= engine.reserveMessageIds(batch.inputs.length);
        do {
          const end = Math.min(batch.done + chunkSize, batch.inputs.length);
          const payloads = engine.buildPayloads(batch.inputs.slice(batch.done, end), batch.firstId + BigInt(batch.done));
          for (const text of engine.store(batch.accountId, payloads)) batch.texts.push(text);
          batch.done = end;
        } while (batch.done < batch.inputs.length && performance.now() - started < turnMs);
      });
      if (batch.done === batch.inputs.length) {
        batch.endPour();
        batch.resolve(batch.texts);
      } else batches.push(batch);
    } catch (error) {
      batch.endPour();
      batch.reject(error);
    }
    if (batches.length > 0) setImmediate(step);
  };

  return {
    emit(accountId, inputs) {
      return new Promise((resolve, reject) => {
        // A batch of one chunk has nothing to gather: it routes as any store does.
        const endPour = inputs.length > chunkSize ? engine.pour() : () => {};
        batches.push({ accountId, endPour, inputs, firstId: undefined, done: 0, texts: [], resolve, reject });
        if (batches.length === 1) setImmediate(step);
      });
    },
  };
}
