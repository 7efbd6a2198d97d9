/**
 * `mjsim check <url>`: probes a webhook consumer with Mailjet's rules (library: `checkConsumer`) and prints
 * one line per case as it ends, or `--json`, and optionally writes JUnit XML for CI. Exit codes: 0 no
 * failure (warnings allowed), 1 at least one failure, 2 bad usage.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MAX_BURST, MAX_CHECK_BATCH } from '../core/check-cases.js';
import { formatCheckBlocker, formatCheckFooter, formatCheckHeader, formatCheckLine, formatJunit } from '../core/check-report.js';
import { EVENT_TYPES } from '../core/event-types.js';
import { EXIT } from './client.js';

interface CheckFlags {
  version: string;
  types: string;
  timeout?: string;
  burst: string;
  maxBatch?: string;
  policy?: string;
  json?: boolean;
  junit?: string;
  parse?: boolean;
}

/**
 * A `CheckOptionsError` as the user gave the option: its flag (`--types`, not the library's `types`), or the
 * environment variable it came from.
 */
function asFlag(error: { message: string; option?: string }, flags: CheckFlags): string {
  const { option, message } = error;
  if (option === undefined || !message.startsWith(option)) return message;
  const env = { timeout: ['MJSIM_ATTEMPT_TIMEOUT', flags.timeout], maxBatch: ['MJSIM_MAX_BATCH', flags.maxBatch], policy: ['MJSIM_POLICY', flags.policy] }[option];
  const name = option === 'url' ? '<url>' : env && env[1] === undefined && process.env[env[0] as string] !== undefined ? env[0] : `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return `${name}${message.slice(option.length)}`;
}

/**
 * Adds `check`.
 *
 * @example
 * registerCheckCommand(program);
 * // $ mjsim check http://hook:secret@127.0.0.1:8080/webhooks/mailjet --junit mjsim-check.xml
 */
export function registerCheckCommand(program: Command): void {
  program
    .command('check <url>')
    .description('probe a webhook consumer you own with Mailjet\'s rules: one line per case, and what Mailjet would do')
    .option('--version <n>', 'webhook versions to check: 1, 2 or both', 'both')
    .option('--types <list>', 'event types to send, comma-separated (the first one is used by the shared cases)', EVENT_TYPES.join(','))
    .option('--timeout <duration>', 'per-request timeout, as Mailjet\'s [env MJSIM_ATTEMPT_TIMEOUT, default 10s]')
    .option('--burst <n>', `Version 1 events sent at once in the burst case; 0 skips it (max ${MAX_BURST})`, '50')
    .option('--max-batch <n>', `events in the largest Version 2 array (max ${MAX_CHECK_BATCH}) [env MJSIM_MAX_BATCH, default 500]`)
    .option('--policy <name>', 'retry policy that "what Mailjet would do" describes [env MJSIM_POLICY, default mailjet-2017]')
    .option('--parse', "probe a Parse API consumer (inbound mail JSON) instead of an event webhook consumer")
    .option('--json', 'print the report as JSON')
    .option('--junit <file>', 'also write the report as JUnit XML to <file>')
    .action(async (url: string, flags: CheckFlags) => {
      // The runner brings the engine's HTTP transport: loaded only when a check runs.
      const { checkConsumer, CheckOptionsError } = await import('../use-cases/run-check.js');
      const { checkParseConsumer } = await import('../use-cases/run-parse-check.js');
      // `--parse`: the Parse API cases; the event options (--version, --types, --burst, --max-batch) do not apply.
      const check = flags.parse ? checkParseConsumer : checkConsumer;
      let report;
      try {
        report = await check(url, {
          version: flags.version as '1' | '2' | 'both',
          types: flags.types,
          timeout: flags.timeout ?? process.env.MJSIM_ATTEMPT_TIMEOUT ?? '10s',
          burst: flags.burst,
          maxBatch: flags.maxBatch ?? process.env.MJSIM_MAX_BATCH ?? 500,
          policy: flags.policy ?? process.env.MJSIM_POLICY ?? undefined,
          // Text mode prints each line as its case ends: a slow consumer shows progress, not silence.
          onStart: (info) => {
            if (!flags.json) console.log(formatCheckHeader(info));
          },
          onResult: (result) => {
            if (!flags.json) console.log(formatCheckLine(result));
          },
          // Unreachable or silent: one verdict at the top, before the case lines it explains.
          onBlocked: (blocker) => {
            if (!flags.json) console.log(formatCheckBlocker(blocker));
          },
        });
      } catch (error) {
        if (!(error instanceof CheckOptionsError)) throw error;
        console.error(`mjsim: check: ${asFlag(error, flags)}`);
        process.exitCode = EXIT.usage;
        return;
      }
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatCheckFooter(report));
      if (flags.junit) {
        try {
          writeFileSync(flags.junit, formatJunit(report));
        } catch (error) {
          console.error(`mjsim: check: cannot write ${flags.junit}: ${(error as Error).message}`);
          process.exitCode = EXIT.usage;
          return;
        }
      }
      process.exitCode = report.failures.length > 0 ? EXIT.apiError : EXIT.ok;
    });
}
