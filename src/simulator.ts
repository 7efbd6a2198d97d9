/**
 * The library API: mjsim started in-process for a test suite. Reads and clock moves call the same engine
 * and database functions as the `/sim` routes; writes that Mailjet validates (registering URLs, sending
 * mail) go through the simulator's own HTTP app (in-process) so they get exactly the API's checks and errors.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type BetterSqlite3 from 'better-sqlite3';
import { advanceUntilSuspended } from './use-cases/advance-until-suspended.js';
import type { AdvanceOptions, AdvanceSummary, EngineEvents, UntilSuspendedSummary } from './core/engine-events.js';
import type { Attempt } from './core/attempt.js';
import type { PruneCounts, PruneSummary } from './core/prune-summary.js';
import type { EmitOutcome } from './core/emit-outcome.js';
import { ClockNotMovableError, ClockRangeError, type Clock } from './engine/clock.js';
import { StoredClockError } from './engine/stored-clock.js';
import { DatabaseInUseError } from './db/db-lock.js';
import { DatabaseTooNewError, DiskFullError } from './db/open-db.js';
import { VanishedDatabaseError } from './db/vanished-database.js';
import { serveConfigOf } from './simulator-config.js';
import type { SimulatorOptions } from './simulator-options.js';
import type { DeliveryStatus } from './core/delivery-state.js';
import { clockTargetAt, readClockTarget } from './core/clock-target.js';
import { filterProblemText, readDeliveryFilter } from './core/delivery-filter.js';
import { readTime } from './core/duration.js';
import { readEmitEvents } from './core/emit-input.js';
import type { EventPayload } from './core/event-payload.js';
import type { EventType } from './core/event-types.js';
import { pruneCutoffAt, readPruneInput } from './core/prune-input.js';
import { readResetOptions } from './core/reset-input.js';
import { parseJson, stringifyJson, type JsonValue } from './core/json.js';
import { attemptsOf } from './db/attempts.js';
import { listCallbackUrls, type CallbackUrl } from './db/callback-urls.js';
import { continuationsOf, getDelivery } from './db/deliveries.js';
import { messagesOfDelivery } from './db/messages.js';
import { listDeliveries } from './db/delivery-listing.js';
import { payloadsOfDelivery } from './db/events.js';
import { resetAccountWhenIdle } from './use-cases/reset-account.js';
import { describeDelivery as describe } from './core/delivery-view.js';
import { pruneBefore } from './use-cases/prune-history.js';
import { emitOutcomes } from './use-cases/emit-outcomes.js';
import { countPrunable } from './db/prune.js';
import { startServer } from './serve.js';
import { listInboundMessages } from './db/inbound-messages.js';
import { describeInbound, type InboundReceipt } from './core/inbound-view.js';
import { InboundMailError } from './inbound/read-mime.js';

export type { SimulatorOptions } from './simulator-options.js';

/**
 * An event to emit: its type, and any payload field you want to fix (the rest is generated).
 *
 * @example
 * const input: EmitInput = { event: 'click', email: 'a@example.com', url: 'https://example.com/pricing' };
 */
export type EmitInput = { event: EventType; email?: string } & EventPayload;

/**
 * A registered callback URL (Mailjet's `eventcallbackurl`), with field names in camelCase.
 *
 * @example
 * const info: CallbackUrlInfo = await sim.registerUrl({ eventType: 'open', url });
 * info.status // 'alive'
 */
export interface CallbackUrlInfo {
  id: number;
  eventType: EventType;
  url: string;
  isBackup: boolean;
  status: 'alive' | 'dead';
  version: 1 | 2;
}

/**
 * A delivery as `GET /sim/deliveries` shows it.
 *
 * @example
 * const [latest]: DeliveryInfo[] = sim.deliveries({ status: 'pending' });
 */
export type DeliveryInfo = ReturnType<typeof describe>;

/**
 * A delivery with its attempts (times in epoch ms) and the event payloads it carries.
 *
 * @example
 * const detail: DeliveryDetail | undefined = sim.delivery(1);
 * detail?.attempts.map((a) => a.httpStatus); // [500, 500, 200]
 */
export type DeliveryDetail = DeliveryInfo & {
  attempts: Attempt[];
  events: EventPayload[];
  /** The messages its events belong to, and how each arrived: `api` (the Send API) or `smtp` (the relay). */
  messages: { messageId: string; source: 'api' | 'smtp' }[];
};

/**
 * Filters for `deliveries()`.
 *
 * @example
 * sim.deliveries({ status: 'failed', eventType: 'bounce', limit: 10 });
 * sim.deliveries({ email: 'jane@example.com' }); // every delivery that carried an event of Jane's
 */
export interface DeliveryQuery {
  status?: DeliveryStatus;
  /** An event type, or `'parse'` for the Parse API deliveries of inbound mail. */
  eventType?: EventType | 'parse';
  /** The callback URL exactly as registered. */
  url?: string;
  /** Deliveries carrying an event of this MessageID. */
  messageId?: string | bigint;
  /** Deliveries carrying an event to this recipient (any case). */
  email?: string;
  /** Default 1000. */
  limit?: number;
  offset?: number;
  /** Key paging: deliveries older than this delivery ID (the next page: pass the last ID you got). */
  before?: number;
  /** Key paging: the `limit` deliveries just newer than this ID, still newest first. */
  after?: number;
}

/**
 * The Send API v3.1 answer (HTTP 200, or 400 when some message failed).
 *
 * @example
 * const { httpStatus, body } = await sim.send([{ From: { Email: 'a@x.test' }, To: [{ Email: 'b@y.test' }], Subject: 'Hi', TextPart: 'Hi' }]);
 */
export interface SendResult {
  httpStatus: number;
  body: { Messages?: { Status: 'success' | 'error'; To?: { Email: string; MessageID: number | bigint; MessageUUID: string }[]; Errors?: unknown[] }[] } & Record<string, JsonValue | undefined>;
}

/**
 * An error answered by the simulator's API, or a bad argument.
 *
 * @example
 * await expect(sim.registerUrl({ eventType: 'open', url: 'not a url' })).rejects.toBeInstanceOf(SimulatorError);
 */
export class SimulatorError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

/**
 * The server underneath a simulator: its address, its clock, the engine's events (wait on one instead of
 * sleeping) and the SQLite connection (to read a table directly). Its types stay clear of the storage
 * layer's, so the package's declarations check with `skipLibCheck: false`.
 *
 * @example
 * const attempt = new Promise((resolve) => sim.server.engine.once('attempt', resolve));
 * sim.emit({ event: 'open' });
 * await attempt; // { deliveryId, number: 1, outcome: 'success', httpStatus: 200, … }
 */
export interface SimulatorServer {
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly engine: Pick<EventEmitter<EngineEvents>, 'on' | 'once' | 'off'>;
  readonly db: { readonly $client: BetterSqlite3.Database };
}

/**
 * A running in-process simulator (see `createSimulator`).
 *
 * @example
 * let sim: Simulator;
 * beforeEach(async () => { sim = await createSimulator(); });
 * afterEach(() => sim.close());
 */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (`https://…` with `tls`): point your Mailjet client here. */
  readonly url: string;
  /** With `tls: 'self-signed'`: the CA certificate file clients trust (`NODE_EXTRA_CA_CERTS`, an https Agent's `ca`). */
  readonly caPath: string | undefined;
  /** With `tls: 'self-signed'`: that CA certificate, PEM. */
  readonly ca: string | undefined;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The account's `APIKeyID`. */
  readonly accountId: number;
  /** With `smtp`: the SMTP relay's port on `host` (AUTH with `apiKey` / `apiSecret`); else undefined. */
  readonly smtpPort: number | undefined;
  /** The relay's implicit-TLS port (Mailjet's 465), when `smtp.smtpsPort` was given with `tls`. */
  readonly smtpsPort: number | undefined;
  /** The server underneath (engine events: `server.engine.on('attempt', ...)`). */
  readonly server: SimulatorServer;
  /** The simulator clock's time. */
  now(): Date;
  /** Registers a webhook URL through `POST /v3/REST/eventcallbackurl` (same validation and errors). */
  registerUrl(input: { eventType: EventType; url: string; version?: 1 | 2; isBackup?: boolean; status?: 'alive' | 'dead' }): Promise<CallbackUrlInfo>;
  /** Changes a URL through `PUT /v3/REST/eventcallbackurl/{id}`; `{ status: 'alive' }` reactivates a dead one. */
  updateUrl(id: number, changes: { url?: string; status?: 'alive' | 'dead'; version?: 1 | 2 }): Promise<CallbackUrlInfo>;
  /** The account's callback URLs, by ID. */
  callbackUrls(): CallbackUrlInfo[];
  /** Registers a Parse API route through `POST /v3/REST/parseroute`; without `email`, the key's `…@parse-in1.mailjet.com` address. */
  registerParseRoute(input: { url: string; email?: string }): Promise<ParseRouteInfo>;
  /**
   * Delivers a raw RFC 822 message to a parse route, as mail to Mailjet's MX would be: stored, then POSTed by
   * the engine. Without `recipients`, the first To/Cc address that has a route. Rejects with `SimulatorError`
   * when no route takes it or the message is refused (over 15 MiB, nested too deep, too many parts).
   */
  receiveInbound(raw: string | Buffer, envelope?: { sender?: string; recipients?: readonly string[] }): Promise<InboundReceipt>;
  /** The account's inbound mails, newest first (`status: 'failed'` means dead: every attempt failed). */
  inbound(limit?: number): InboundInfo[];
  /** Emits events (due at once); returns the full payloads (MessageID as bigint). */
  emit(events: EmitInput | readonly EmitInput[]): EventPayload[];
  /**
   * Emits events as `emit` does and also says what will happen to them, per event type, as `POST /sim/events`
   * with `?echo=true` and `mjsim emit` do: which URL routing picks now and when the POST goes out on this clock.
   */
  emit(events: EmitInput | readonly EmitInput[], options: { outcomes: true }): EmittedWithOutcomes;
  /** Sends mail through `POST /v3.1/send`. */
  send(messages: readonly Record<string, unknown>[], options?: { sandbox?: boolean }): Promise<SendResult>;
  /**
   * Moves the clock by a duration (`'30s'`, `'5h5m'`; a bare number is refused) or to the next due attempt
   * (`'next'`), running every
   * attempt due on the way, each at its scheduled time. The summary counts every attempt that finished during
   * the advance, those already due or in flight when it began included. `signal` cancels it: the summary then
   * has `cancelled: true` and the clock stands where all earlier work is done.
   */
  advance(by: string | 'next', options?: AdvanceOptions): Promise<AdvanceSummary>;
  /** Moves the clock to a time, a Date or ISO 8601 text (as `advance`). */
  advanceTo(time: Date | string, options?: AdvanceOptions): Promise<AdvanceSummary>;
  /** Steps through due attempts until a URL is suspended or nothing is due. */
  advanceUntilSuspended(): Promise<UntilSuspendedSummary>;
  /** Resolves when nothing is due now and no attempt is in flight. */
  waitUntilIdle(): Promise<void>;
  deliveries(query?: DeliveryQuery): DeliveryInfo[];
  delivery(id: number): DeliveryDetail | undefined;
  /**
   * Prunes the account's deliveries that finished before `before` (a Date, ISO 8601 text, or a duration such
   * as `'7d'` meaning that long before the simulator's now; never a bare number), with their attempts, events
   * and event-less messages. Pending work is never pruned.
   */
  prune(before: Date | string): Promise<PruneSummary>;
  /** Counts what `prune(before)` would remove, removing nothing (as `/sim/prune` with `"dryRun": true`). */
  prune(before: Date | string, options: { dryRun: true }): Promise<PruneDryRun>;
  /** Deletes the account's URLs, events, deliveries and attempts (the clock stays). It takes no options: `{}` at most. */
  reset(options?: Readonly<Record<string, never>>): Promise<void>;
  close(): Promise<void>;
}

/** What `emit(events, { outcomes: true })` returns. @example const { events, outcomes } = sim.emit({ event: 'open' }, { outcomes: true }) */
export interface EmittedWithOutcomes {
  events: EventPayload[];
  /** One per event type emitted: `outcome` is `due`, `grouped` (Version 2) or `suppressed` (no alive URL). */
  outcomes: (EmitOutcome & { eventType: string })[];
}

/** What `prune(before, { dryRun: true })` returns: the rows a prune would remove now. @example const { deliveries } = await sim.prune('7d', { dryRun: true }) */
export interface PruneDryRun extends PruneCounts {
  dryRun: true;
  /** The cutoff (epoch ms) the count used. */
  before: number;
}

/** A parse route as the library returns it. @example const route: ParseRouteInfo = await sim.registerParseRoute({ url }) */
export interface ParseRouteInfo {
  id: number;
  email: string;
  url: string;
}

/** An inbound mail as `GET /sim/inbound` shows it. @example const [latest]: InboundInfo[] = sim.inbound() */
export type InboundInfo = ReturnType<typeof describeInbound>;

/**
 * Starts mjsim in-process: a free port on 127.0.0.1, an in-memory database and the manual clock unless
 * told otherwise. Close it in `afterEach`/`afterAll`.
 *
 * @example
 * import { createSimulator } from 'mailjet-webhook-simulator';
 *
 * const sim = await createSimulator();
 * await sim.registerUrl({ eventType: 'bounce', url: 'http://127.0.0.1:8080/hooks' });
 * sim.emit({ event: 'bounce', email: 'gone@example.com' });
 * await sim.waitUntilIdle();                 // attempt 1 has happened
 * await sim.advance('5h5m');                 // every retry of mailjet-2017
 * sim.deliveries()[0]?.status;               // 'delivered' or 'failed'
 * await sim.close();
 */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  const apiSecret = options.apiSecret ?? randomBytes(16).toString('hex');
  const config = serveConfigOf(options, apiKey, apiSecret);
  const clockStart = options.startAt === undefined ? undefined : readTime(options.startAt);
  if (typeof clockStart === 'string') throw new SimulatorError(`startAt: ${clockStart}`);
  const server = await startServer(config, { clockStart }).catch(asSimulatorError);
  const { db, engine } = server;
  const accountId = (server.accounts[0] as { id: number }).id;
  const authorization = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;

  async function request(method: string, path: string, body?: unknown): Promise<{ status: number; data: JsonValue | undefined }> {
    // In-process through the same app the port serves: no socket, so no certificate to trust here.
    const response = await server.request(path, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : stringifyJson(body),
    });
    const text = await response.text();
    return { status: response.status, data: text ? parseJson(text) : undefined };
  }

  async function callbackUrlCall(method: string, path: string, body: Record<string, unknown>): Promise<CallbackUrlInfo> {
    const { status, data } = await request(method, path, body);
    const row = (data as { Data?: Record<string, unknown>[] } | undefined)?.Data?.[0];
    if (status >= 300 || !row) {
      const message = (data as { ErrorMessage?: string } | undefined)?.ErrorMessage ?? `HTTP ${status}`;
      throw new SimulatorError(`${method} ${path}: ${message}`, status, data);
    }
    return { id: row.ID, eventType: row.EventType, url: row.Url, isBackup: row.IsBackup, status: row.Status, version: row.Version } as CallbackUrlInfo;
  }

  /** Moves the clock to a target read by the one clock-target schema (core/clock-target.ts). */
  async function advance(name: string, given: unknown, options?: AdvanceOptions): Promise<AdvanceSummary> {
    const read = readClockTarget(given);
    const target = read.ok ? clockTargetAt(read.value, server.clock.now()) : read;
    if (!target.ok) throw new SimulatorError(`${name}: ${target.problem.message}`);
    return engine.advance(target.value, options).catch(asSimulatorError);
  }

  return {
    url: server.url,
    caPath: server.selfSigned?.caPath,
    ca: server.selfSigned?.ca,
    apiKey,
    apiSecret,
    accountId,
    smtpPort: server.smtp?.port,
    smtpsPort: server.smtp?.smtpsPort ?? undefined,
    server,
    now: () => new Date(server.clock.now()),
    registerUrl: (input) =>
      callbackUrlCall('POST', '/v3/REST/eventcallbackurl', {
        EventType: input.eventType,
        Url: input.url,
        Version: input.version ?? 1,
        IsBackup: input.isBackup ?? false,
        ...(input.status ? { Status: input.status } : {}),
      }),
    updateUrl: (id, changes) =>
      callbackUrlCall('PUT', `/v3/REST/eventcallbackurl/${id}`, {
        ...(changes.url !== undefined ? { Url: changes.url } : {}),
        ...(changes.status !== undefined ? { Status: changes.status } : {}),
        ...(changes.version !== undefined ? { Version: changes.version } : {}),
      }),
    callbackUrls: () => listCallbackUrls(db, accountId, {}, 10_000, 0).map(toInfo),
    async registerParseRoute(input) {
      const { status, data } = await request('POST', '/v3/REST/parseroute', { Url: input.url, ...(input.email !== undefined ? { Email: input.email } : {}) });
      const row = (data as { Data?: { ID: number; Email: string; Url: string }[] } | undefined)?.Data?.[0];
      if (status !== 201 || !row) {
        throw new SimulatorError(`POST /v3/REST/parseroute: ${(data as { ErrorMessage?: string } | undefined)?.ErrorMessage ?? `HTTP ${status}`}`, status, data);
      }
      return { id: row.ID, email: row.Email, url: row.Url };
    },
    async receiveInbound(raw, envelope) {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      return server.inbox.receiveRaw(bytes, envelope).catch((error: unknown) => {
        if (error instanceof InboundMailError) throw new SimulatorError(`receiveInbound: ${error.message}`);
        throw error;
      });
    },
    inbound: (limit = 100) => listInboundMessages(db, accountId, limit).map(describeInbound),
    emit: ((events: EmitInput | readonly EmitInput[], emitOptions?: { outcomes?: boolean }) => {
      const read = readEmitEvents(events);
      if (!read.ok) throw new SimulatorError(`emit: ${read.problem}`);
      const emitted = engine.emitEvents(accountId, read.value);
      if (emitOptions?.outcomes !== true) return emitted;
      return { events: emitted, outcomes: emitOutcomes(db, server.clock, accountId, read.value) };
    }) as Simulator['emit'],
    async send(messages, sendOptions = {}) {
      const { status, data } = await request('POST', '/v3.1/send', { Messages: messages, ...(sendOptions.sandbox ? { SandboxMode: true } : {}) });
      if (status !== 200 && status !== 400) {
        throw new SimulatorError(`POST /v3.1/send: ${(data as { ErrorMessage?: string } | undefined)?.ErrorMessage ?? `HTTP ${status}`}`, status, data);
      }
      return { httpStatus: status, body: data as SendResult['body'] };
    },
    advance: async (by, advanceOptions) => advance('advance', by === 'next' ? { to: by } : { by }, advanceOptions),
    advanceTo: async (time, advanceOptions) => advance('advanceTo', { to: time }, advanceOptions),
    advanceUntilSuspended: () => advanceUntilSuspended(engine).catch(asSimulatorError),
    waitUntilIdle: () => engine.idle(),
    deliveries(query = {}) {
      const { filter, problems } = readDeliveryFilter(query);
      if (problems[0]) throw new SimulatorError(`deliveries: invalid ${filterProblemText(problems[0])}`);
      const { limit = 1_000, offset = 0, ...where } = filter;
      return listDeliveries(db, accountId, where, limit, offset).map((row) => describe(row, continuationsOf(db, row.id)));
    },
    delivery(id) {
      const delivery = getDelivery(db, accountId, id);
      if (!delivery) return undefined;
      const events = payloadsOfDelivery(db, delivery.id).map((text) => parseJson(text) as EventPayload);
      return { ...describe(delivery, continuationsOf(db, delivery.id)), attempts: attemptsOf(db, delivery.id), events, messages: messagesOfDelivery(db, delivery.id) };
    },
    prune: (async (before: Date | string, pruneOptions?: { dryRun?: boolean }) => {
      const read = readPruneInput({ before, ...(pruneOptions?.dryRun === undefined ? {} : { dryRun: pruneOptions.dryRun }) });
      const cutoff = read.ok ? pruneCutoffAt(read.value.cutoff, server.clock.now()) : read;
      if (!cutoff.ok) throw new SimulatorError(`prune: ${cutoff.problem.message}`);
      if (read.ok && read.value.dryRun) return { dryRun: true, before: cutoff.value, ...countPrunable(db, cutoff.value, accountId) };
      return pruneBefore(db, cutoff.value, accountId);
    }) as Simulator['prune'],
    async reset(options) {
      const read = readResetOptions(options);
      if (!read.ok) throw new SimulatorError(`reset: ${read.problem}`);
      await resetAccountWhenIdle(engine, db, accountId);
    },
    close: () => server.close(),
  };
}

function toInfo(row: CallbackUrl): CallbackUrlInfo {
  return { id: row.id, eventType: row.eventType as EventType, url: row.url, isBackup: row.isBackup, status: row.status, version: row.version as 1 | 2 };
}

/** Clock, stored-clock and start-up database errors reach library users as `SimulatorError`, with the same message. */
function asSimulatorError(error: unknown): never {
  const known = [ClockRangeError, StoredClockError, ClockNotMovableError, DatabaseTooNewError, DiskFullError, VanishedDatabaseError, DatabaseInUseError];
  if (known.some((kind) => error instanceof kind)) {
    throw new SimulatorError((error as Error).message);
  }
  throw error;
}
