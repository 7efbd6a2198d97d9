/**
 * An in-process simulator for tests: real SQLite (`:memory:` or a temp file), real HTTP on 127.0.0.1
 * port 0, the manual clock, and one account with known keys.
 */
import { parseServeConfig, type RawServeOptions } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/serve.js';
import type { InboundMailbox } from '../../src/use-cases/inbound-mailbox.js';

export const KEY = 'testpublickey0000000000000000001';
export const SECRET = 'testsecretkey0000000000000000001';
export const OTHER_KEY = 'testpublickey0000000000000000002';
export const OTHER_SECRET = 'testsecretkey0000000000000000002';

/** Start of the manual clock in tests: 2026-01-01T00:00:00Z. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export interface TestSim {
  server: RunningServer;
  /** fetch against the simulator with the first account's Basic auth. */
  api(path: string, init?: RequestInit & { json?: unknown; as?: 'other' | 'none' }): Promise<Response>;
  close(): Promise<void>;
}

/** Basic auth header for a key pair. */
export function basic(key = KEY, secret = SECRET): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

/**
 * Headers and body for a test request: the first account's Basic auth (`as: 'other'` for the second,
 * `'none'` for none), and `json` sent as a JSON body.
 */
export function authorized(init: { headers?: RequestInit['headers']; body?: RequestInit['body']; json?: unknown; as?: 'other' | 'none' }): {
  headers: Headers;
  body: RequestInit['body'];
} {
  const headers = new Headers(init.headers);
  if (init.as !== 'none') headers.set('authorization', init.as === 'other' ? basic(OTHER_KEY, OTHER_SECRET) : basic());
  if (init.json === undefined) return { headers, body: init.body };
  headers.set('content-type', 'application/json');
  return { headers, body: JSON.stringify(init.json) };
}

/**
 * Starts a simulator with two accounts on the manual clock at `T0` (the clock starts there only for a fresh
 * database). `close()` stops at once (stop timeout 0), as a test that leaves a receiver hanging wants;
 * test/clean-stop.test.ts covers the drain.
 */
export async function startTestSim(options: RawServeOptions = {}, serve: { inbound?: InboundMailbox } = {}): Promise<TestSim> {
  const config = parseServeConfig(
    { port: '0', db: ':memory:', clock: 'manual', apiKeys: [`${KEY}:${SECRET}`, `${OTHER_KEY}:${OTHER_SECRET}`], stopTimeout: '0', ...options },
    {},
  );
  const server = await startServer(config, { clockStart: T0, inbound: serve.inbound });
  return {
    server,
    api(path, init = {}) {
      return fetch(`${server.url}${path}`, { ...init, ...authorized(init) });
    },
    close: () => server.close(),
  };
}
