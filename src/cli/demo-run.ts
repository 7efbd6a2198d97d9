/**
 * `mjsim demo`: mjsim on an accelerated clock with a built-in flaky receiver, registered URLs (a flaky
 * primary, an always-down primary with a backup) and generated traffic, so a newcomer watches retries,
 * a suspension and the backup taking over on the dashboard within a minute.
 *
 * Why 600x: the demo keeps the real `mailjet-2017` schedule rather than a shortened one, so what you see
 * is what Mailjet does. At 600x a 30 s retry takes 50 ms and a 30 min retry 3 s; the always-down URL
 * is suspended 5 h 05 min of clock time after the first bounce, about 30.5 s of real time.
 */
import { EVENT_TYPES, type EventType } from '../core/event-types.js';
import { countDeliveriesByStatus } from '../db/deliveries.js';
import { listAllCallbackUrls } from '../db/callback-urls.js';
import { DEFAULT_PORT, parseServeConfig } from '../config/config.js';
import { startServer, type RunningServer } from '../serve.js';
import { startDemoReceiver, type DemoReceiver } from './demo-receiver.js';
import { plural } from '../core/plural.js';

/** Demo settings; all optional. */
export interface DemoOptions {
  /** `'600x'` (default) or any speed-up; `'manual'` for tests. */
  clock?: string;
  /** Default 7355, or a free port when 7355 is taken. */
  port?: number;
  policy?: string;
  /** Real milliseconds between generated batches of events; 0 sends only the first batch. Default 1500. */
  trafficEveryMs?: number;
  /** Real milliseconds between status lines; 0 for none. Default 5000. */
  statusEveryMs?: number;
  log?: (line: string) => void;
  random?: () => number;
}

/** A running demo. */
export interface RunningDemo {
  readonly server: RunningServer;
  readonly receiver: DemoReceiver;
  /** The dashboard's address. */
  readonly dashboardUrl: string;
  stop(): Promise<void>;
}

const EMAILS = ['ann@example.com', 'bob@example.org', 'chloe@example.net', 'dev@example.com', 'eve@example.org', 'fred@example.net'];
const WEIGHTED_TYPES: EventType[] = ['sent', 'sent', 'sent', 'open', 'open', 'open', 'click', 'click', 'bounce', 'bounce', 'spam', 'blocked', 'unsub'];

/**
 * Starts the demo and prints how to watch it.
 *
 * @example
 * const demo = await runDemo();            // prints the dashboard address
 * process.once('SIGINT', () => demo.stop());
 */
export async function runDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const random = options.random ?? Math.random;
  const receiver = await startDemoReceiver({ random });
  const server = await listen(options);
  const account = server.accounts[0] as { id: number; publicKey: string; secretKey: string };
  const authorization = `Basic ${Buffer.from(`${account.publicKey}:${account.secretKey}`).toString('base64')}`;
  const register = async (body: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/v3/REST/eventcallbackurl`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`demo: registering ${JSON.stringify(body)} answered ${res.status}: ${await res.text()}`);
  };
  await register({ EventType: 'sent', Url: receiver.flakyUrl, Version: 2 });
  for (const type of ['open', 'click', 'spam', 'unsub', 'blocked']) await register({ EventType: type, Url: receiver.flakyUrl });
  await register({ EventType: 'bounce', Url: receiver.downUrl });
  await register({ EventType: 'bounce', Url: receiver.backupUrl, IsBackup: true });

  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const emitBatch = (first: boolean) => {
    // The first batch holds one event of every type, so each URL shows traffic at once.
    const types = first ? [...EVENT_TYPES] : Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(WEIGHTED_TYPES));
    server.engine.emitEvents(account.id, types.map((type) => ({ type, fields: { email: pick(EMAILS) } })));
  };
  emitBatch(true);

  const timers: NodeJS.Timeout[] = [];
  const trafficEvery = options.trafficEveryMs ?? 1_500;
  if (trafficEvery > 0) timers.push(setInterval(() => emitBatch(false), trafficEvery));
  const statusEvery = options.statusEveryMs ?? 5_000;
  if (statusEvery > 0) timers.push(setInterval(() => log(statusLine(server)), statusEvery));
  const onSuspended = (event: { callbackUrlId: number; eventType: string }) =>
    log(`!! URL #${event.callbackUrlId} (${event.eventType}) suspended at ${new Date(server.clock.now()).toISOString()}: its backup takes over`);
  server.engine.on('suspended', onSuspended);

  const dashboardUrl = `${server.url}/`;
  const speed = server.clock.mode === 'scaled' ? `${server.clock.factor}x` : server.clock.mode;
  log(
    [
      `mjsim demo: open ${dashboardUrl} in a browser (Ctrl-C stops the demo)`,
      `  clock ${speed}, retry policy ${server.engine.settings.policy.name}; receiver ${receiver.base}: /flaky fails 40 %, /down always fails, /backup accepts`,
      `  sent (Version 2), open, click, spam, unsub, blocked -> /flaky;  bounce -> /down, backup /backup`,
      `  the /down URL is suspended after its 21st attempt, 5 h 05 min of clock time after the first bounce${server.clock.mode === 'scaled' ? ` (~${Math.round(18_300 / server.clock.factor)} s here)` : ''}`,
      `  API key ${account.publicKey}, secret ${account.secretKey}`,
    ].join('\n'),
  );
  let stopping: Promise<void> | undefined;
  return {
    server,
    receiver,
    dashboardUrl,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        server.engine.off('suspended', onSuspended);
        await server.close();
        await receiver.close();
      })();
      return stopping;
    },
  };
}

async function listen(options: DemoOptions): Promise<RunningServer> {
  const config = (port: number) => parseServeConfig({ port, db: ':memory:', clock: options.clock ?? '600x', policy: options.policy }, {}, { clock: '--speed' });
  if (options.port !== undefined) return startServer(config(options.port));
  try {
    return await startServer(config(DEFAULT_PORT));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startServer(config(0));
  }
}

function statusLine(server: RunningServer): string {
  const counts = countDeliveriesByStatus(server.db);
  const dead = listAllCallbackUrls(server.db).filter((url) => url.status === 'dead').length;
  const { attempts, successes, failures } = server.engine.counters;
  return `[clock ${new Date(server.clock.now()).toISOString().slice(11, 19)}] ${plural(attempts, 'attempt')} (${successes} ok, ${failures} failed) · ${counts.pending ?? 0} pending · ${counts.delivered ?? 0} delivered · ${plural(dead, 'URL')} suspended`;
}
