/**
 * The composition root: opens the database, builds the clock, accounts, engine and HTTP app, listens, and
 * shuts down cleanly. The CLI's `serve` and the library API both start mjsim through `startServer`.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createClock, type Clock } from './clock.js';
import type { ServeConfig } from './config.js';
import { ensureAccounts, ensureDevAccount, type Account } from './db/accounts.js';
import { openDb, type Db } from './db/open-db.js';
import { readState } from './db/sim-state.js';
import { Engine } from './engine/engine.js';
import { createHttpTransport } from './engine/http-transport.js';
import { createApp } from './http/app.js';
import { Retention } from './retention.js';

/** A running simulator. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:7355`. */
  readonly url: string;
  readonly port: number;
  readonly db: Db;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly accounts: readonly Account[];
  /** The generated development account, when no key pair was configured. */
  readonly devAccount: Account | undefined;
  /** How many attempts a previous run left in flight (recorded as interrupted and retried). */
  readonly interrupted: number;
  /** The pruner when `--retain` is set. */
  readonly retention: Retention | undefined;
  close(): Promise<void>;
}

/**
 * Starts mjsim from a parsed configuration. `clockStart` sets where a manual or scaled clock starts on a
 * fresh database (a persisted time wins).
 *
 * @example
 * const server = await startServer(parseServeConfig({ port: '0', db: ':memory:', clock: 'manual' }, {}));
 * await server.close();
 */
export async function startServer(config: ServeConfig, options: { clockStart?: number } = {}): Promise<RunningServer> {
  const db = openDb(config.db, { incrementalVacuum: config.retainMs !== null });
  const persisted = readState(db, 'clock_now');
  const clock = createClock(config.clock, persisted === undefined ? options.clockStart : Number(persisted));
  const now = clock.now();
  const configured = config.apiKeys.length ? ensureAccounts(db, config.apiKeys, now) : [];
  const devAccount = config.apiKeys.length ? undefined : ensureDevAccount(db, now);
  const accounts = devAccount ? [devAccount] : configured;
  const engine = new Engine(db, clock, config.settings, createHttpTransport(config.settings.concurrency));
  const app = createApp({ db, clock, engine, settings: config.settings });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: config.host }) as Server;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { interrupted } = engine.start();
  engine.persistClock();
  const retention = config.retainMs === null ? undefined : new Retention(db, clock, engine, config.retainMs);
  retention?.start();
  const clockSaver = clock.mode === 'scaled' ? setInterval(() => engine.persistClock(), 1_000).unref() : undefined;
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    db,
    clock,
    engine,
    accounts,
    devAccount,
    interrupted,
    retention,
    close() {
      closing ??= (async () => {
        clearInterval(clockSaver);
        retention?.stop();
        engine.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        db.$client.close();
      })();
      return closing;
    },
  };
}
