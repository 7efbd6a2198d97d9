/**
 * Clearing one account: its callback URLs, events, deliveries, attempts and sent messages. The account and
 * the clock stay.
 */
import { deleteMessagesOf } from './messages.js';
import { inTransaction, type Db } from './open-db.js';
import { statement } from './statements.js';

/** Deletes everything an account owns but the account itself; returns what was removed. */
export function resetAccount(db: Db, accountId: number): { callbackUrls: number; events: number; deliveries: number; messages: number } {
  return inTransaction(db, () => {
    statement(db, 'delete from attempts where delivery_id in (select id from deliveries where account_id = ?)').run(accountId);
    statement(db, 'delete from delivery_events where delivery_id in (select id from deliveries where account_id = ?)').run(accountId);
    const deliveries = statement(db, 'delete from deliveries where account_id = ?').run(accountId).changes;
    statement(db, 'delete from delivery_counts where account_id = ?').run(accountId);
    statement(db, 'delete from due_events where (occurred_at, event_id) in (select occurred_at, id from events where account_id = ?)').run(accountId);
    const events = statement(db, 'delete from events where account_id = ?').run(accountId).changes;
    const callbackUrls = statement(db, 'delete from callback_urls where account_id = ?').run(accountId).changes;
    // Parse API: the account's routes and inbound mails (the key keeps its assigned address).
    statement(db, 'delete from inbound_messages where account_id = ?').run(accountId);
    statement(db, 'delete from parse_routes where account_id = ?').run(accountId);
    const messages = deleteMessagesOf(db, accountId);
    return { callbackUrls, events, deliveries, messages };
  });
}
