/**
 * `mjsim deliveries` lists deliveries, newest first, with filters and key paging; `mjsim delivery <id>` shows
 * one with its attempts; `mjsim reset` empties the account.
 */
import type { Command } from 'commander';
import { stringifyJson } from '../core/json.js';
import { filterFlag, wholeNumber } from './arguments.js';
import { call, printJson, run, table, withClientOptions, type ClientOptions } from './client.js';
import { plural } from '../core/plural.js';

/** The last attempt's answer in a table cell: its HTTP status, or what happened instead (timeout, refused, …). */
const lastAnswer = (row: Record<string, unknown>) => String(row.lastHttpStatus ?? row.lastOutcome ?? '-');

/** A reason in a table cell: its first line, at most 60 characters (`delivery <id>` shows it whole). */
const short = (text: unknown) => {
  if (typeof text !== 'string') return '';
  const line = text.split('\n')[0] as string;
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
};

/**
 * Adds `deliveries`, `delivery` and `reset`.
 *
 * @example
 * registerDeliveryCommands(program); // $ mjsim deliveries --status failed --json
 */
export function registerDeliveryCommands(program: Command): void {
  withClientOptions(program.command('deliveries').description('list deliveries, newest first'))
    .option('--status <status>', 'pending, in_flight, delivered, failed, suppressed or handed_over', filterFlag('--status', 'status'))
    .option('--event-type <type>', 'event type: sent, open, click, bounce, spam, blocked or unsub; parse for the Parse API\'s', filterFlag('--event-type', 'eventType'))
    .option('--event <type>', 'same as --event-type', filterFlag('--event', 'eventType'))
    .option('--url <url|id>', 'callback URL, as registered or by the ID `mjsim urls` shows', filterFlag('--url', 'url'))
    .option('--message-id <id>', 'deliveries carrying an event of this MessageID', filterFlag('--message-id', 'messageId'))
    .option('--email <address>', 'deliveries carrying an event to this recipient (any case)', filterFlag('--email', 'email'))
    .option('--limit <n>', 'how many (1 to 1000)', filterFlag('--limit', 'limit'), '50')
    .option('--offset <n>', 'skip this many', filterFlag('--offset', 'offset'))
    .option('--before <id>', 'only deliveries older than this delivery ID (next page: the last ID shown)', filterFlag('--before', 'before'))
    .option('--after <id>', 'only deliveries newer than this delivery ID', filterFlag('--after', 'after'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & Record<'status' | 'eventType' | 'event' | 'url' | 'messageId' | 'email' | 'offset' | 'before' | 'after', string | undefined> & { limit: string }) => {
        const query = new URLSearchParams({ limit: options.limit });
        const eventType = options.eventType ?? options.event;
        for (const [name, value] of Object.entries({ status: options.status, eventType, url: options.url, messageId: options.messageId, email: options.email, offset: options.offset, before: options.before, after: options.after })) {
          if (value !== undefined) query.set(name, value);
        }
        const data = (await call(options, 'GET', `/sim/deliveries?${query}`)) as { deliveries: Record<string, unknown>[] };
        if (options.json) return printJson(data);
        const rows = data.deliveries.map((row) => ({ ...row, lastHttp: lastAnswer(row), reason: short(row.reason ?? row.lastError) }));
        console.log(table(rows, ['id', 'status', 'eventTypes', 'eventCount', 'attemptCount', 'lastHttp', 'reason', 'nextAttemptAt', 'callbackUrlId', 'continuedBy']));
      }),
    );

  withClientOptions(program.command('delivery').argument('<id>', 'the delivery ID', wholeNumber('delivery <id>', 1)).description('show one delivery with its attempts'))
    .option('--json', 'print JSON')
    .action(
      run(async (id: string, options: ClientOptions) => {
        const data = (await call(options, 'GET', `/sim/deliveries/${encodeURIComponent(id)}`)) as Record<string, unknown> & { attempts: Record<string, unknown>[] };
        if (options.json) return printJson(data);
        console.log(`delivery ${data.id}: ${data.status}, ${plural(data.attemptCount as number, 'attempt')}, next ${data.nextAttemptAt ?? '-'}`);
        if (data.reason) console.log(`reason: ${data.reason}`);
        // A hand-over is followed, not hidden: where the events went on, and where they came from.
        const continuedBy = (data.continuedBy as number[] | undefined) ?? [];
        if (continuedBy.length > 0) console.log(`  continued by delivery ${continuedBy.map((next) => `#${next}`).join(', ')} (mjsim delivery ${continuedBy[0]})`);
        if (data.parentId !== null && data.parentId !== undefined) console.log(`  continues delivery #${data.parentId}`);
        const messages = (data.messages as { messageId: string; source: string }[] | undefined) ?? [];
        if (messages.length > 0) console.log(`  messages: ${messages.map((m) => `${m.messageId} (${m.source === 'smtp' ? 'SMTP relay' : 'Send API'})`).join(', ')}`);
        console.log(table(data.attempts, ['number', 'startedAt', 'outcome', 'httpStatus', 'latencyMs', 'url', 'error']));
      }),
    );

  withClientOptions(program.command('reset').description('delete this account\'s callback URLs, events and deliveries'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions) => {
        const data = await call(options, 'POST', '/sim/reset');
        console.log(options.json ? stringifyJson(data) : `reset: ${stringifyJson(data)}`);
      }),
    );
}
