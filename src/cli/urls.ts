/**
 * `mjsim urls`: the account's callback URLs and whether each is alive, through Mailjet's own
 * `GET /v3/REST/eventcallbackurl`. Credentials inside URLs are masked, in the table and in `--json`, so
 * the output is safe in CI logs.
 */
import type { Command } from 'commander';
import { oneOf } from './arguments.js';
import { call, CliError, EXIT, run, table, withClientOptions, type ClientOptions } from './client.js';
import { stringifyJson } from '../core/json.js';
import { maskCredentials } from '../core/webhook-url.js';
import { plural } from '../core/plural.js';

interface MailjetCallbackUrl {
  ID: number;
  EventType: string;
  IsBackup: boolean;
  Status: string;
  Url: string;
  Version: number;
}

/**
 * Adds `mjsim urls [--status alive|dead] [--fail-on-dead] [--json]`.
 *
 * @example
 * registerUrlCommands(program);
 * // $ mjsim urls --fail-on-dead   (exit code 1 when a URL was suspended)
 */
export function registerUrlCommands(program: Command): void {
  withClientOptions(program.command('urls').description('list callback URLs with their status (credentials masked)'))
    .option('--status <status>', 'only alive or dead URLs', oneOf('--status', ['alive', 'dead']))
    .option('--fail-on-dead', 'exit with code 1 when any URL is dead (suspended)')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { status?: string; failOnDead?: boolean }) => {
        const query = new URLSearchParams({ Limit: '0' });
        if (options.status) query.set('Status', options.status);
        const data = (await call(options, 'GET', `/v3/REST/eventcallbackurl?${query}`)) as { Data: MailjetCallbackUrl[] };
        const rows = data.Data.map((row) => ({ ...row, Url: maskCredentials(row.Url) }));
        console.log(options.json ? stringifyJson({ count: rows.length, urls: rows }) : table(rows, ['ID', 'EventType', 'IsBackup', 'Version', 'Status', 'Url']));
        const dead = rows.filter((row) => row.Status === 'dead');
        if (options.failOnDead && dead.length > 0) {
          throw new CliError(`${plural(dead.length, 'callback URL')} dead: #${dead.map((row) => row.ID).join(', #')}`, EXIT.apiError);
        }
      }),
    );
}
