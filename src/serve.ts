/**
 * The composition root: opens the database, builds the clock, accounts, engine and HTTP app, listens, and
 * shuts down cleanly. The CLI's `serve` and the library API both start mjsim through `startServer`.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Clock } from './engine/clock.js';
import type { SelfListener } from './core/self-target.js';
import type { ServeConfig } from './config/config.js';
import { ensureAccounts, ensureDevAccount, type Account } from './db/accounts.js';
import { startCheckpointer } from './db/checkpointer.js';
import { MessageFiler } from './jobs/message-filer.js';
import { lockDatabase } from './db/db-lock.js';
import { openDb, type Db } from './db/open-db.js';
import { storageHealth } from './db/storage-health.js';
import { Engine } from './engine/engine.js';
import { createHttpTransport } from './engine/http-transport.js';
import { createApp } from './http/app.js';
import { answerClientErrors, nodeListener } from './http/node-listener.js';
import { restoreClock } from './engine/stored-clock.js';
import { httpsRequiredApp } from './http/https-required.js';
import { createHttpsListener, type Listener } from './tls/https-listener.js';
import { ensureSelfSignedCertificate, type SelfSignedCertificate } from './tls/self-signed.js';
import { Retention } from './jobs/retention.js';
import { createParseInbox, type ParseInbox } from './use-cases/receive-inbound.js';
import type { InboundMailbox } from './use-cases/inbound-mailbox.js';
import { SmtpLog } from './smtp/smtp-log.js';
import { startSmtpListener, type SmtpListener } from './smtp/smtp-listener.js';

/** A running simulator. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:7355`, or `https://…` when serving TLS. */
  readonly url: string;
  /** With `--tls self-signed`: the CA certificate clients must trust, its path, and whether it is new. */
  readonly selfSigned: SelfSignedCertificate | undefined;
  readonly port: number;
  readonly db: Db;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly accounts: readonly Account[];
  /** The generated development account, when no key pair was configured. */
  readonly devAccount: Account | undefined;
  /** How many attempts a previous run left in flight (recorded as interrupted and retried). */
  readonly interrupted: number;
  /** Inbound mail for the Parse API (the SMTP listener, `/sim/inbound`, the library and the CLI all end here). */
  readonly inbox: ParseInbox;
  /** Answers a request in-process through the same app the port serves (no socket, no TLS). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The SMTP relay's ports, unless it is off (`--no-smtp`). */
  readonly smtp: { readonly port: number; readonly smtpsPort: number | null } | undefined;
  /** Why the relay is not running although it was on (its default port was in use). */
  readonly smtpWarning: string | undefined;
  /** The relay's recent replies (what `GET /sim/smtp/log` shows). */
  readonly smtpLog: SmtpLog;
  /** The pruner when `--retain` is set. */
  readonly retention: Retention | undefined;
  /**
   * Stops cleanly within `stopTimeoutMs` (default: the configuration's): takes no new connections, stops
   * claiming, lets in-flight attempts finish and records them, then persists the clock and closes the
   * database. Attempts still in flight at the deadline stay open and are retried at the next start.
   */
  close(options?: { stopTimeoutMs?: number }): Promise<void>;
}

/** Kept from the stop timeout for closing connections and the database after the drain. */
const CLOSING_MARGIN_MS = 200;

/**
 * Starts mjsim from a parsed configuration. `clockStart` sets where a manual or scaled clock starts on a
 * fresh database (a persisted time wins).
 *
 * @example
 * const server = await startServer(parseServeConfig({ port: '0', db: ':memory:', clock: 'manual' }, {}));
 * await server.close();
 */
export async function startServer(config: ServeConfig, options: { clockStart?: number; inbound?: InboundMailbox } = {}): Promise<RunningServer> {
  // Certificates follow real time, never the simulator's clock: clients check them against their own.
  const selfSigned = config.tls.mode === 'self-signed' ? await ensureSelfSignedCertificate(config.tls.dir, config.tls.names, Date.now()) : undefined;
  const pair = config.tls.mode === 'certificate' ? config.tls.pair : selfSigned;
  // One server per database, held until `close()` (or the process's end, however it ends): db-lock.ts.
  const lock = lockDatabase(config.db, 'serve');
  let db: Db;
  let clock: Clock;
  try {
    db = openDb(config.db, { incrementalVacuum: config.retainMs !== null });
    try {
      clock = restoreClock(db, config.clock, config.db, options.clockStart);
    } catch (error) {
      db.$client.close();
      throw error;
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  // The log's checkpoints run beside the event loop (a file database; ':memory:' has no log).
  const checkpointer = config.db === ':memory:' ? undefined : startCheckpointer(db, config.db);
  // Notices a database file deleted or replaced under the running server (storage-health.ts).
  storageHealth(db.$client).watch();
  // A failed start gives back, in reverse, what it opened, so the caller (or a retry) finds the file free.
  const giveBack = async () => {
    await checkpointer?.stop();
    storageHealth(db.$client).unwatch();
    db.$client.close();
    lock.release();
  };
  const now = clock.now();
  const configured = config.apiKeys.length ? ensureAccounts(db, config.apiKeys, now) : [];
  const devAccount = config.apiKeys.length ? undefined : ensureDevAccount(db, now);
  const accounts = devAccount ? [devAccount] : configured;
  // Known once listening: the transport and the registration routes refuse webhooks to mjsim itself.
  let listener: SelfListener | undefined;
  const selfListener = () => listener;
  const engine = new Engine(db, clock, config.settings, createHttpTransport(config.settings.concurrency, selfListener));
  const inbox = createParseInbox({ db, clock, engine });
  const smtpLog = new SmtpLog();
  let smtp: SmtpListener | undefined;
  const smtpStatus = () => (smtp ? { port: smtp.port, smtpsPort: smtp.smtpsPort, connections: smtp.connections() } : undefined);
  // Without a seed in the scenario file, each process draws its own: runs differ, as real mail does.
  const seed = randomUUID();
  const app = createApp({ db, clock, engine, settings: config.settings, seed, selfListener, inbox, smtp: smtpStatus, smtpLog });
  const { server, closeAllConnections } = pair ? createHttpsListener(app.fetch, httpsRequiredApp().fetch, pair) : httpListener(app.fetch, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await giveBack();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  listener = { host: config.host, port, localAddresses: interfaceAddresses };
  let smtpWarning: string | undefined;
  if (config.smtp) {
    const smtpConfig = config.smtp;
    const relay = { db, clock, engine, settings: config.settings, seed, log: smtpLog, inbound: options.inbound ?? inbox, chaos: config.smtp.chaos, random: Math.random };
    const listen = { host: config.host, port: config.smtp.port, smtpsPort: config.smtp.smtpsPort, tls: pair };
    smtp = await startSmtpListener(relay, listen).catch(async (error: NodeJS.ErrnoException) => {
      // The relay is on by default: its default port taken (another mjsim, a parallel job) must not stop the API.
      if (error.code === 'EADDRINUSE' && !smtpConfig.portChosen) {
        smtpWarning = `SMTP relay not started: port ${smtpConfig.port} is in use (give --smtp-port 0 for a free one, or --no-smtp)`;
        return undefined;
      }
      // Nothing else has started yet: release the HTTP port and the database, then report.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await giveBack();
      throw error;
    });
  }
  const { interrupted } = engine.start();
  engine.persistClock();
  const retention = config.retainMs === null ? undefined : new Retention(db, clock, engine, config.retainMs);
  retention?.start();
  const filer = new MessageFiler(db);
  filer.start();
  const clockSaver = clock.mode === 'scaled' ? setInterval(() => engine.persistClock(), 1_000).unref() : undefined;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${pair ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  lock.listening(url, port);
  let closing: Promise<void> | undefined;
  return {
    url,
    selfSigned,
    port,
    db,
    clock,
    engine,
    accounts,
    devAccount,
    interrupted,
    inbox,
    request: async (path, init) => app.request(path, init),
    smtp: smtp && { port: smtp.port, smtpsPort: smtp.smtpsPort },
    smtpLog,
    smtpWarning,
    retention,
    close(options = {}) {
      closing ??= (async () => {
        const budget = options.stopTimeoutMs ?? config.stopTimeoutMs;
        const deadline = performance.now() + Math.max(0, budget - CLOSING_MARGIN_MS);
        clearInterval(clockSaver);
        retention?.stop();
        filer.stop();
        // The relay first: a mail accepted now would be answered while the database closes.
        await smtp?.close(Math.min(1_000, Math.max(0, deadline - performance.now())));
        // No new connections; requests already being answered finish while the attempts drain.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await engine.drain(Math.max(0, deadline - performance.now()));
        // Give requests still being answered what is left of the budget, then cut the rest (a dashboard's
        // live feed never ends by itself). The engine stays up meanwhile: a request may still need it.
        await Promise.race([closed, delay(Math.min(Math.max(0, deadline - performance.now()), REQUEST_GRACE_MS))]);
        engine.stop();
        closeAllConnections();
        await closed;
        await checkpointer?.stop();
        storageHealth(db.$client).unwatch();
        db.$client.close();
        lock.release();
      })();
      return closing;
    },
  };
}

/** How long a stop waits, at most, for requests still being answered once the attempts are done. */
const REQUEST_GRACE_MS = 100;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every address of this machine's interfaces (read at each check: interfaces may come and go). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

function httpListener(fetch: (request: Request) => Response | Promise<Response>, hostname: string): Listener {
  const server = createServer(nodeListener(fetch, hostname));
  answerClientErrors(server);
  server.keepAliveTimeout = 65_000;
  return { server, closeAllConnections: () => server.closeAllConnections() };
}
