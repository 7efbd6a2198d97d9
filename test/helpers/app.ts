/**
 * The HTTP app in-process, for route tests with `app.request()`: `:memory:` SQLite, the manual clock at
 * `T0`, an engine that is never started (nothing is sent), and the two test accounts of sim.ts.
 */
import { createClock } from '../../src/engine/clock.js';
import { defaultSettings } from '../../src/config/config.js';
import { ensureAccounts, type Account } from '../../src/db/accounts.js';
import { openDb, type Db } from '../../src/db/open-db.js';
import { Engine } from '../../src/engine/engine.js';
import { createHttpTransport } from '../../src/engine/http-transport.js';
import { createApp } from '../../src/http/app.js';
import { authorized, KEY, OTHER_KEY, OTHER_SECRET, SECRET, T0 } from './sim.js';

export const EVENTCALLBACKURL = '/v3/REST/eventcallbackurl';

/** The object Mailjet returns for a callback URL. */
export interface CallbackUrlObject {
  APIKeyID: number;
  EventType: string;
  ID: number;
  IsBackup: boolean;
  Status: string;
  Url: string;
  Version: number;
}

/** The v3 success envelope. */
export interface Envelope<T = CallbackUrlObject> {
  Count: number;
  Data: T[];
  Total: number;
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: Db;
  /** The app's engine (never started). */
  engine: Engine;
  account: Account;
  otherAccount: Account;
  /**
   * `app.request()` with the first account's Basic auth (`as: 'other'` for the second, `'none'` for none);
   * `json` is sent as a JSON body.
   */
  call(method: string, path: string, init?: { json?: unknown; body?: string; headers?: Record<string, string>; as?: 'other' | 'none' }): Promise<Response>;
  /** POSTs a callback URL and returns the created object (fails the test unless 201). */
  create(body: Record<string, unknown>, as?: 'other'): Promise<CallbackUrlObject>;
  close(): void;
}

/**
 * Builds an app with two accounts.
 *
 * @example
 * const { call } = buildTestApp();
 * const res = await call('GET', EVENTCALLBACKURL);
 */
export function buildTestApp(): TestApp {
  const db = openDb(':memory:');
  const clock = createClock({ mode: 'manual', factor: 0 }, T0);
  const settings = defaultSettings();
  const engine = new Engine(db, clock, settings, createHttpTransport(8));
  const [account, otherAccount] = ensureAccounts(
    db,
    [
      { publicKey: KEY, secretKey: SECRET },
      { publicKey: OTHER_KEY, secretKey: OTHER_SECRET },
    ],
    clock.now(),
  ) as [Account, Account];
  const app = createApp({ db, clock, engine, settings, seed: 'test' });

  const call: TestApp['call'] = (method, path, init = {}) => Promise.resolve(app.request(path, { method, ...authorized(init) }));

  return {
    app,
    db,
    engine,
    account,
    otherAccount,
    call,
    async create(body, as) {
      const res = await call('POST', EVENTCALLBACKURL, { json: body, ...(as ? { as } : {}) });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as Envelope).Data[0] as CallbackUrlObject;
    },
    close() {
      engine.stop();
      db.$client.close();
    },
  };
}

/** Reads an envelope. */
export async function envelopeOf<T = CallbackUrlObject>(res: Response): Promise<Envelope<T>> {
  return (await res.json()) as Envelope<T>;
}
