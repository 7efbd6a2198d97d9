/**
 * Clearing one account: its callback URLs, events, deliveries and attempts. The account and the clock stay.
 */
import { inTransaction, type Db } from './open-db.js';
import { statement } from './statements.js';

/** Deletes everything an account owns but the account itself; returns what was removed. */
export function resetAccount(db: Db, accountId: number): { callbackUrls: number; events: number; deliveries: number } {
  return inTransaction(db, () => {
    statement(db, 'delete from attempts where delivery_id in (select id from deliveries where account_id = ?)').run(accountId);
    statement(db, 'delete from delivery_events where delivery_id in (select id from deliveries where account_id = ?)').run(accountId);
    const deliveries = statement(db, 'delete from deliveries where account_id = ?').run(accountId).changes;
    const events = statement(db, 'delete from events where account_id = ?').run(accountId).changes;
    const callbackUrls = statement(db, 'delete from callback_urls where account_id = ?').run(accountId).changes;
    return { callbackUrls, events, deliveries };
  });
}
