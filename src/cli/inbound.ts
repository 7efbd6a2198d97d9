/**
 * `mjsim inbound --to <route email> [--from <sender>] [--file mail.eml]`: delivers a raw RFC 822 message (from
 * `--file` or standard input) to a parse route of a running mjsim, through `POST /sim/inbound`, as mail to
 * Mailjet's MX would arrive. Mail to an address with no route is refused with the server's message.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { call, printJson, run, withClientOptions, type ClientOptions } from './client.js';

/** Reads standard input whole. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Adds `mjsim inbound`.
 *
 * @example
 * registerInboundCommand(program);
 * // $ mjsim inbound --to support@acme.example < mail.eml
 */
export function registerInboundCommand(program: Command): void {
  withClientOptions(program.command('inbound').description('deliver a raw mail (stdin or --file) to a Parse API route, as Mailjet receives inbound mail'))
    .option('--to <email>', "the route's address (default: the first To/Cc address that has a route)")
    .option('--from <email>', 'the envelope sender (default: the From address)')
    .option('--file <path>', 'read the mail from this .eml file instead of standard input')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { to?: string; from?: string; file?: string; json?: boolean }) => {
        const raw = options.file ? await readFile(options.file) : await readStdin();
        const query = new URLSearchParams();
        if (options.to) query.set('recipient', options.to);
        if (options.from !== undefined) query.set('sender', options.from);
        const path = `/sim/inbound${query.size ? `?${query}` : ''}`;
        const data = (await call(options, 'POST', path, raw, 'message/rfc822')) as { recipients: string[]; deliveries: number[]; sender: string };
        if (options.json) printJson(data);
        else console.log(`accepted for ${data.recipients.join(', ')} (from ${data.sender || '<>'}): delivery #${data.deliveries.join(', #')}`);
      }),
    );
}
