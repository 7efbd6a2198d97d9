/**
 * CLI commands that talk to a running mjsim through its control API (`/sim`). Heavier modules (SQLite,
 * p-retry, the stored clock) are loaded inside the commands that use them: every command pays only for itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import type BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_DB } from './config-options.js';
import { clockLimit, isoTime } from './core/clock-range.js';
import { parseJson, stringifyJson, type JsonValue } from './core/json.js';

export interface ClientOptions {
  server?: string;
  apiKey?: string;
  db?: string;
  json?: boolean;
}

/** Exit codes: 0 success, 1 the server answered an error, 2 bad usage, 3 the server could not be reached. */
export const EXIT = { ok: 0, apiError: 1, usage: 2, unreachable: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The credentials to use: the flag, the environment, or the dev key stored in the local database. */
export function credentials(options: ClientOptions): string | undefined {
  const pair = options.apiKey ?? process.env.MJSIM_API_KEY;
  if (pair) return pair;
  const path = options.db ?? process.env.MJSIM_DB ?? DEFAULT_DB;
  if (path === ':memory:' || !existsSync(path)) return undefined;
  // Loaded here, synchronously, and only when no key was given: better-sqlite3 costs more than the whole CLI.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('select public_key, secret_key from accounts where is_dev = 1 limit 1').get() as
      | { public_key: string; secret_key: string }
      | undefined;
    return row && `${row.public_key}:${row.secret_key}`;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/** Calls the control API; throws a `CliError` with the right exit code on failure. */
export async function call(options: ClientOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = options.server ?? process.env.MJSIM_URL ?? `http://127.0.0.1:${process.env.MJSIM_PORT ?? 7355}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  const pair = credentials(options);
  if (pair) headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: { status: number; text: string };
  try {
    response = await request(new URL(path, base), method, headers, body === undefined ? undefined : stringifyJson(body));
  } catch (error) {
    const cause = ((error as Error).cause ?? error) as NodeJS.ErrnoException | undefined;
    // Node's fetch trusts only the CAs it started with: a self-signed mjsim needs its CA named at start.
    const hint = cause?.code && /CERT|SELF_SIGNED|ISSUER|LEAF/.test(cause.code) ? ' (start the command with NODE_EXTRA_CA_CERTS=mjsim-ca.pem, the file beside the database)' : '';
    throw new CliError(`cannot reach mjsim at ${base}: ${cause ?? (error as Error).message}${hint}`, EXIT.unreachable);
  }
  const text = response.text;
  const data = parseAnswer(text);
  if (response.status < 200 || response.status > 299) {
    const message = (data as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}${data === null && text ? `: ${text.slice(0, 200)}` : ''}`;
    throw new CliError(response.status === 401 ? `${message}: pass --api-key PUBLIC:SECRET or set MJSIM_API_KEY` : message, EXIT.apiError);
  }
  return data;
}

/**
 * One HTTP(S) request through node:http, not `fetch`: Node 20 builds its fetch (undici) on first use, which
 * alone costs about twice bare Node's start-up, more than the rest of a CLI command.
 */
function request(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Parses an answer with the project's exact parser: MessageIDs above 2^53 stay exact `bigint`s, where
 * `JSON.parse` would round them (…529 printed as …500). Text that is not JSON gives `null`.
 */
function parseAnswer(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return parseJson(text);
  } catch {
    return null;
  }
}

/** Prints a server answer (or any value) as exact JSON: big integers written as they came. */
const printJson = (value: unknown): void => console.log(stringifyJson(value));

/**
 * A progress line on stderr while a long advance runs: the server's clock and the attempts made so far,
 * polled every 250 ms, ending with a final line.
 */
async function advanceProgress(options: ClientOptions): Promise<{ stop(): Promise<void> }> {
  type ClockView = { now: string; attemptsMade: number };
  const first = (await call(options, 'GET', '/sim/clock')) as ClockView;
  const show = (clock: ClockView, end: string) => process.stderr.write(`\r  clock ${clock.now}, ${clock.attemptsMade - first.attemptsMade} attempts made${end}`);
  show(first, '');
  const timer = setInterval(() => {
    call(options, 'GET', '/sim/clock').then((clock) => show(clock as ClockView, ''), () => undefined);
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      show((await call(options, 'GET', '/sim/clock')) as ClockView, '\n');
    },
  };
}

/** Prints rows as an aligned table. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((cell) => (cell[i] as string).length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export function withClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'mjsim base URL [env MJSIM_URL, default http://127.0.0.1:7355]')
    .option('--api-key <public:secret>', 'account key pair [env MJSIM_API_KEY, default: the dev key in --db]')
    .option('--db <path>', `database to read the dev key from [default ${DEFAULT_DB}]`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander passes positional args then options
export function run<A extends any[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof CliError) {
        console.error(`mjsim: ${error.message}`);
        process.exitCode = error.exitCode;
        return;
      }
      throw error;
    }
  };
}

/** Adds health, clock, emit, deliveries, delivery, replay and reset. */
export function registerClientCommands(program: Command): void {
  withClientOptions(program.command('health').description('check that mjsim answers'))
    .option('--wait <seconds>', 'keep trying for this long (for CI)', '0')
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions & { wait: string }) => {
        const seconds = Number(options.wait);
        if (!Number.isFinite(seconds) || seconds < 0) throw new CliError('--wait takes a number of seconds', EXIT.usage);
        const deadline = Date.now() + seconds * 1000;
        const { default: pRetry, AbortError } = await import('p-retry');
        const health = await pRetry(
          async () => {
            try {
              return await call(options, 'GET', '/sim/health');
            } catch (error) {
              if (error instanceof CliError && error.exitCode === EXIT.unreachable && Date.now() < deadline) throw error;
              throw new AbortError(error as Error);
            }
          },
          { retries: Math.ceil(seconds * 4), minTimeout: 250, maxTimeout: 250, factor: 1 },
        );
        console.log(options.json ? stringifyJson(health) : `mjsim is up: ${stringifyJson(health)}`);
      }),
    );

  const clock = program.command('clock').description('show or move the simulator clock');
  withClientOptions(clock.command('show', { isDefault: true }).description('show the clock'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions) => {
        const data = (await call(options, 'GET', '/sim/clock')) as Record<string, unknown>;
        console.log(options.json ? stringifyJson(data) : `${data.now} (${data.mode}${data.mode === 'scaled' ? ` ${data.factor}x` : ''}), next due: ${data.nextDueAt ?? 'nothing'}`);
      }),
    );
  withClientOptions(clock.command('advance <target>').description('advance by a duration (30s, 5h5m), to "next", or to an ISO time'))
    .option('--json', 'print JSON')
    .option('--progress', 'show the clock and the attempts made while it moves (default when stderr is a terminal)')
    .action(
      run(async (target: string, options: ClientOptions & { progress?: boolean }) => {
        const body = target === 'next' ? { to: 'next' } : /^\d{4}-\d\d-\d\d/.test(target) ? { to: target } : { by: target };
        const progress = !options.json && (options.progress || process.stderr.isTTY) ? await advanceProgress(options) : undefined;
        let data: Record<string, unknown>;
        try {
          data = (await call(options, 'POST', '/sim/clock/advance', body)) as Record<string, unknown>;
        } finally {
          await progress?.stop();
        }
        console.log(
          options.json
            ? stringifyJson(data)
            : `clock ${data.from} -> ${data.to}: ${data.attempts} attempts, ${data.successes} succeeded, ${data.failures} failed, ${data.urlsSuspended} URL(s) suspended`,
        );
      }),
    );

  clock
    .command('set <time>')
    .description('offline, with mjsim stopped: set the clock stored in a database (ISO time or epoch ms); its 100-year range starts there')
    .option('--db <path>', `the database file [env MJSIM_DB, default ${DEFAULT_DB}]`)
    .action(
      run(async (time: string, options: { db?: string }) => {
        const path = options.db ?? process.env.MJSIM_DB ?? DEFAULT_DB;
        const ms = /^\d+$/.test(time) ? Number(time) : Date.parse(time);
        if (Number.isNaN(ms)) throw new CliError(`invalid time "${time}": use an ISO 8601 time such as 2026-01-01T00:00:00Z or epoch milliseconds`, EXIT.usage);
        const [{ ClockRangeError }, { setStoredClock, StoredClockError }] = await Promise.all([import('./clock.js'), import('./stored-clock.js')]);
        try {
          setStoredClock(path, ms);
        } catch (error) {
          if (error instanceof ClockRangeError || error instanceof StoredClockError) throw new CliError(error.message, EXIT.usage);
          throw error;
        }
        console.log(`clock of ${path} set to ${isoTime(ms)}; it may now reach ${isoTime(clockLimit(ms))}`);
      }),
    );

  withClientOptions(program.command('emit <type>').description('inject an event (sent, open, click, bounce, spam, blocked, unsub)'))
    .option('--email <address>', 'recipient address')
    .option('--field <name=value>', 'any payload field; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print JSON')
    .action(
      run(async (type: string, options: ClientOptions & { email?: string; field?: string[] }) => {
        const event: Record<string, unknown> = { event: type };
        if (options.email) event.email = options.email;
        for (const field of options.field ?? []) {
          const eq = field.indexOf('=');
          if (eq <= 0) throw new CliError(`--field takes name=value, got "${field}"`, EXIT.usage);
          const raw = field.slice(eq + 1);
          // parseJson keeps a MessageID such as 576460765503091529 exact (a bigint, sent as a bare integer).
          // Only JSON number syntax is a number: "007" stays the string it is.
          event[field.slice(0, eq)] = /^(true|false|-?(0|[1-9]\d*)(\.\d+)?)$/.test(raw) ? parseJson(raw) : raw;
        }
        const data = (await call(options, 'POST', '/sim/events', event)) as { events: Record<string, unknown>[] };
        console.log(options.json ? stringifyJson(data) : `emitted ${type} for ${data.events[0]?.email} (MessageID ${data.events[0]?.MessageID})`);
      }),
    );

  withClientOptions(program.command('deliveries').description('list deliveries, newest first'))
    .option('--status <status>', 'pending, in_flight, delivered, failed, suppressed or handed_over')
    .option('--event-type <type>', 'event type: sent, open, click, bounce, spam, blocked or unsub')
    .option('--event <type>', 'same as --event-type')
    .option('--url <url>', 'callback URL')
    .option('--message-id <id>', 'deliveries carrying an event of this MessageID')
    .option('--email <address>', 'deliveries carrying an event to this recipient (any case)')
    .option('--limit <n>', 'how many', '50')
    .option('--offset <n>', 'skip this many')
    .option('--before <id>', 'only deliveries older than this delivery ID (next page: the last ID shown)')
    .option('--after <id>', 'only deliveries newer than this delivery ID')
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

  withClientOptions(program.command('replay <id|file>').description('send a delivery\'s events again, or post a fixture file\'s events'))
    .option('--now', 'for a file: drop each event\'s "time" so it gets the clock\'s time')
    .option('--json', 'print JSON')
    .action(
      run(async (id: string, options: ClientOptions & { now?: boolean }) => {
        if (!/^\d+$/.test(id)) return replayFile(id, options);
        const data = (await call(options, 'POST', `/sim/deliveries/${encodeURIComponent(id)}/replay`)) as { deliveries: number[] };
        console.log(options.json ? stringifyJson(data) : `replayed as delivery ${data.deliveries.join(', ')}`);
      }),
    );

  /** Posts a fixture file (one event object or an array) to `POST /sim/events`; given fields are kept. */
  async function replayFile(path: string, options: ClientOptions & { now?: boolean }): Promise<void> {
    let events: JsonValue;
    try {
      events = parseJson(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CliError(`cannot read ${path}: ${(error as Error).message} (give a delivery ID or a JSON file of events)`, EXIT.usage);
    }
    const list = (Array.isArray(events) ? events : [events]).map((event) => {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new CliError(`${path}: every event must be a JSON object`, EXIT.usage);
      if (!options.now) return event;
      const { time: _time, ...rest } = event as Record<string, JsonValue>;
      return rest;
    });
    const data = (await call(options, 'POST', '/sim/events', list)) as { count: number; events: { event: string; email: string }[] };
    if (options.json) return printJson(data);
    console.log(`replayed ${data.count} event(s) from ${path}: ${data.events.map((event) => `${event.event} ${event.email}`).join(', ')}`);
  }

  withClientOptions(program.command('reset').description('delete this account\'s callback URLs, events and deliveries'))
    .option('--json', 'print JSON')
    .action(
      run(async (options: ClientOptions) => {
        const data = await call(options, 'POST', '/sim/reset');
        console.log(options.json ? stringifyJson(data) : `reset: ${stringifyJson(data)}`);
      }),
    );
}
