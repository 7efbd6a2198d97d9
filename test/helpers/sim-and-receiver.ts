/**
 * The set-up most integration tests share: an in-process simulator (`startTestSim`: manual clock at T0, two
 * accounts, `:memory:`) and a receiver on 127.0.0.1 port 0, fresh for each test and closed after it.
 */
import { afterEach, beforeEach } from 'vitest';
import type { RawServeOptions } from '../../src/config/config.js';
import { startReceiver, type Receiver } from './receiver.js';
import { startTestSim, type TestSim } from './sim.js';

export interface SimAndReceiver {
  sim: TestSim;
  receiver: Receiver;
}

/**
 * Registers `beforeEach`, which starts a simulator (with `options`) and a receiver and hands them to `use`
 * (the test file keeps them in its own variables), and `afterEach`, which closes both. A file's own
 * `beforeEach` registered after this one runs after it, with the pair in place.
 *
 * @example
 * let sim: TestSim;
 * let receiver: Receiver;
 * useSimAndReceiver((pair) => ({ sim, receiver } = pair));
 */
export function useSimAndReceiver(use: (pair: SimAndReceiver) => void, options: RawServeOptions = {}): void {
  let pair: SimAndReceiver | undefined;
  beforeEach(async () => {
    pair = { sim: await startTestSim(options), receiver: await startReceiver() };
    use(pair);
  });
  afterEach(async () => {
    await pair?.sim.close();
    await pair?.receiver.close();
    pair = undefined;
  });
}
