/**
 * `mjsim deliveries` lists deliveries, newest first, with filters and key paging; `mjsim delivery <id>` shows
 * one with its attempts; `mjsim reset` empties the account.
 */
import type { Command } from 'commander';
import { stringifyJson } from '../core/json.js';
import { call, printJson, run, table, withClientOptions, type ClientOptions } from './client.js';

/**
 * Adds `deliveries`, `delivery` and `reset`.
 *
 * @example
 * registerDeliveryCommands(program); // $ mjsim deliveries --status failed --json
 */
export function registerDeliveryCommands(program: Command): void {
  withClientOptions(program.command('deliveries').description('list deliveries, newest first'))
    .option('--status <status>', 'pending, in_flight, delivered, failed, suppressed or handed_over')
    .option('--event-type <type>', 'event type: sent, open, click, bounce, spam, blocked or unsub')
    .option('--event <type>', 'same as --event-type')
    .option('--url <url>', 'callback URL')
    .option('--message-id <id>', 'deliveries carrying an event of this MessageID')
    .option('--limit <n>', 'how many', '50')
    .option('--offset <n>', 'skip this many')
    .option('--before <id>', 'only deliveries older than this delivery ID (next page: the last ID shown)')
    .option('--after <id>', 'only deliveries newer than this delivery ID')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & Record<'status' | 'eventType' | 'event' | 'url' | 'messageId' | 'offset' | 'before' | 'after', string | undefined> & { limit: string }) => {
        const query = new URLSearchParams({ limit: options.limit });
        const eventType = options.eventType ?? options.event;
        for (const [name, value] of Object.entries({ status: options.status, eventType, url: options.url, messageId: options.messageId, offset: options.offset, before: options.before, after: options.after })) {
          if (value !== undefined) query.set(name, value);
        }
        const data = (await call(options, 'GET', `/sim/deliveries?${query}`)) as { deliveries: Record<string, unknown>[] };
        if (options.json) return printJson(data);
        console.log(table(data.deliveries, ['id', 'status', 'eventTypes', 'eventCount', 'attemptCount', 'nextAttemptAt', 'callbackUrlId']));
      }),
    );

  withClientOptions(program.command('delivery <id>').description('show one delivery with its attempts'))
    .option('--json', 'print JSON')
    .action(
      run(async (id: string, options: ClientOptions) => {
        const data = (await call(options, 'GET', `/sim/deliveries/${encodeURIComponent(id)}`)) as Record<string, unknown> & { attempts: Record<string, unknown>[] };
        if (options.json) return printJson(data);
        console.log(`delivery ${data.id}: ${data.status}, ${data.attemptCount} attempt(s), next ${data.nextAttemptAt ?? '-'}`);
        console.log(table(data.attempts, ['number', 'startedAt', 'outcome', 'httpStatus', 'latencyMs', 'url']));
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
