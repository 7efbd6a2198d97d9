/**
 * Resetting an account, as `POST /sim/reset`, `mjsim reset` and the library's `sim.reset()` do it: wait until
 * no attempt is in flight (an attempt recorded after the delete would bring a deleted delivery's row back),
 * delete, then wake the engine so that it sees the emptier queue at once.
 */
import type { Db } from '../db/open-db.js';
import { resetAccount } from '../db/reset.js';
import type { Engine } from '../engine/engine.js';

/**
 * Deletes the account's callback URLs, events, deliveries, attempts and sent messages once the engine is idle.
 *
 * @example
 * const removed = await resetAccountWhenIdle(engine, db, accountId); // { callbackUrls: 2, events: 10, deliveries: 10, messages: 3 }
 */
export async function resetAccountWhenIdle(engine: Pick<Engine, 'idle' | 'wake'>, db: Db, accountId: number): Promise<ReturnType<typeof resetAccount>> {
  await engine.idle();
  const removed = resetAccount(db, accountId);
  engine.wake();
  return removed;
}
