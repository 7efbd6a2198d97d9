/**
 * What the commands that talk to a running mjsim share: its address and credentials, one call to its control
 * API (`/sim`) over node:http, the exit codes, the error that carries one, and the table printer. Heavier
 * modules (SQLite, p-retry, the stored clock) are loaded inside the commands that use them: every command
 * pays only for itself.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import type BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_DB } from '../config/config-options.js';
import { parseJson, stringifyJson } from '../core/json.js';

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
  return credentialsOf(options)?.pair;
}

/**
 * The credentials to use and where they came from (`--api-key`, `MJSIM_API_KEY`, or the dev key in the
 * database file), so that a refusal can say which key was tried.
 */
export function credentialsOf(options: ClientOptions): { pair: string; source: string } | undefined {
  if (options.apiKey) return { pair: options.apiKey, source: '--api-key' };
  if (process.env.MJSIM_API_KEY) return { pair: process.env.MJSIM_API_KEY, source: 'MJSIM_API_KEY' };
  const path = devKeyPath(options);
  if (path === ':memory:' || !existsSync(path)) return undefined;
  // Loaded here, synchronously, and only when no key was given: better-sqlite3 costs more than the whole CLI.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('select public_key, secret_key from accounts where is_dev = 1 limit 1').get() as
      | { public_key: string; secret_key: string }
      | undefined;
    return row && { pair: `${row.public_key}:${row.secret_key}`, source: `the dev key in ${path}` };
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

const devKeyPath = (options: ClientOptions) => options.db ?? process.env.MJSIM_DB ?? DEFAULT_DB;

/**
 * What a 401 adds: the key tried (its public part only: the secret is never printed) and where it came
 * from, or that none was found and where mjsim looked.
 */
function refusedKey(options: ClientOptions, sent: { pair: string; source: string } | undefined): string {
  if (!sent) return `no key was sent (no --api-key, no MJSIM_API_KEY, no dev key in ${devKeyPath(options)}): pass --api-key PUBLIC:SECRET or set MJSIM_API_KEY`;
  const colon = sent.pair.indexOf(':');
  const publicKey = colon < 0 ? '(not a PUBLIC:SECRET pair)' : `"${sent.pair.slice(0, colon)}"`;
  return `the server refused key ${publicKey} from ${sent.source}: pass --api-key PUBLIC:SECRET or set MJSIM_API_KEY to a key it serves (mjsim serve prints them)`;
}

/**
 * Calls the control API; throws a `CliError` with the right exit code on failure. A `Buffer` body is sent as
 * is with `contentType` (a raw mail to `/sim/inbound`); any other body as JSON.
 */
export async function call(options: ClientOptions, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
  const base = options.server ?? process.env.MJSIM_URL ?? `http://127.0.0.1:${process.env.MJSIM_PORT ?? 7355}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  const sent = credentialsOf(options);
  if (sent) headers.authorization = `Basic ${Buffer.from(sent.pair).toString('base64')}`;
  if (body !== undefined) headers['content-type'] = contentType;
  let response: { status: number; text: string };
  try {
    response = await request(new URL(path, base), method, headers, body === undefined ? undefined : Buffer.isBuffer(body) ? body : stringifyJson(body));
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
    throw new CliError(response.status === 401 ? `${message}: ${refusedKey(options, sent)}` : message, EXIT.apiError);
  }
  return data;
}

/**
 * One HTTP(S) request through node:http, not `fetch`: Node 20 builds its fetch (undici) on first use, which
 * alone costs about twice bare Node's start-up, more than the rest of a CLI command.
 */
function request(url: URL, method: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<{ status: number; text: string }> {
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
export const printJson = (value: unknown): void => console.log(stringifyJson(value));

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
