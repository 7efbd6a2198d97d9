/**
 * `mjsim serve` as a child process, driven by the official node-mailjet SDK exactly as an application drives
 * api.mailjet.com (docs/mailjet-api.md#pointing-clients-at-mjsim), plus raw HTTP for what the SDK cannot express.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailjetModule, { type Client, type Webhook } from 'node-mailjet';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/core/event-types.js';
import { MAX_BODY_BYTES } from '../src/http/body.js';
import type { CallbackUrlObject, Envelope } from './helpers/app.js';
import { killAllCli, startCli, type CliSim } from './helpers/cli.js';

// At run time the default import is the Mailjet class; node-mailjet's typings put it one level down.
const Mailjet = MailjetModule as unknown as typeof MailjetModule.default;

const HOOK = 'https://hooks.example.com/mailjet';
const RESOURCE = 'eventcallbackurl';

/** node-mailjet hard-codes https:// in this public static (typed as the literal). */
const sdkRequest = Mailjet.Request as unknown as { protocol: string };
const SDK_PROTOCOL = sdkRequest.protocol;

/** What node-mailjet rejects with on any non-2xx answer. */
interface SdkError {
  statusCode: number;
  response: { status: number; data: unknown; headers: Record<string, string> };
}

let dir: string;
let sim: CliSim;
let k1: Client;
let k2: Client;
let k1Id: number;
let k2Id: number;

const connect = (key: string, secret: string, port = sim.port) => Mailjet.apiConnect(key, secret, { config: { host: `127.0.0.1:${port}` } });
const accountIdIn = (stdout: string, key: string) => Number(new RegExp(`account APIKeyID (\\d+): ${key}\\b`).exec(stdout)?.[1]);
const rejection = async (promise: Promise<unknown>): Promise<SdkError> => {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK to reject');
};
const errorMessageOf = (error: SdkError) => (error.response.data as { ErrorMessage: string }).ErrorMessage;

async function create(client: Client, body: Record<string, unknown>): Promise<CallbackUrlObject> {
  const { body: envelope, response } = await client.post(RESOURCE).request(body);
  expect(response.status).toBe(201);
  return (envelope as unknown as Envelope).Data[0]!;
}

async function list(client: Client, params: Record<string, unknown> = {}): Promise<Envelope> {
  return (await client.get(RESOURCE).request({}, params)).body as unknown as Envelope;
}

beforeAll(async () => {
  sdkRequest.protocol = 'http://';
  dir = mkdtempSync(join(tmpdir(), 'mjsim-sdk-'));
  sim = await startCli(['--port', '0', '--db', join(dir, 'sim.db'), '--api-key', 'K1:S1', '--api-key', 'K2:S2']);
  k1 = connect('K1', 'S1');
  k2 = connect('K2', 'S2');
  k1Id = accountIdIn(sim.stdout(), 'K1');
  k2Id = accountIdIn(sim.stdout(), 'K2');
});

afterAll(async () => {
  sdkRequest.protocol = SDK_PROTOCOL;
  await killAllCli();
  rmSync(dir, { recursive: true, force: true });
});

describe('the eventcallbackurl lifecycle through node-mailjet', () => {
  beforeEach(async () => {
    for (const client of [k1, k2]) {
      for (const row of (await list(client, { Limit: 0 })).Data) await client.delete(RESOURCE).id(row.ID).request();
    }
  });

  it('creates: 201 with the object, defaults and the caller APIKeyID', async () => {
    const { body, response } = await k1.post(RESOURCE).request({ EventType: 'open', Url: HOOK });
    expect(response.status).toBe(201);
    expect(body).toEqual({
      Count: 1,
      Data: [{ APIKeyID: k1Id, EventType: 'open', ID: expect.any(Number), IsBackup: false, Status: 'alive', Url: HOOK, Version: 1 }],
      Total: 1,
    });
    expect(k1Id).toBeGreaterThan(0);
  });

  it('lists with each filter, pages, sorts on ID and counts', async () => {
    const rows = [
      await create(k1, { EventType: 'open', Url: HOOK, Version: 2 }),
      await create(k1, { EventType: 'open', Url: HOOK, IsBackup: true }),
      await create(k1, { EventType: 'click', Url: HOOK, Status: 'dead' }),
      await create(k1, { EventType: 'bounce', Url: HOOK, IsBackup: true, Version: 2 }),
    ];
    const ids = async (params: Record<string, unknown>) => (await list(k1, params)).Data.map((row) => row.ID);
    expect(await list(k1)).toEqual({ Count: 4, Data: rows, Total: 4 });
    expect(await ids({ EventType: 'open' })).toEqual([rows[0]!.ID, rows[1]!.ID]);
    expect(await ids({ Status: 'dead' })).toEqual([rows[2]!.ID]);
    expect(await ids({ Backup: true })).toEqual([rows[1]!.ID, rows[3]!.ID]);
    expect(await ids({ Version: 2 })).toEqual([rows[0]!.ID, rows[3]!.ID]);
    expect(await ids({ APIKey: k1Id })).toEqual(rows.map((row) => row.ID));
    expect(await ids({ APIKey: k2Id })).toEqual([]);
    expect(await ids({ Limit: 2, Offset: 1 })).toEqual([rows[1]!.ID, rows[2]!.ID]);
    expect(await ids({ Limit: 0, Sort: 'ID' })).toEqual(rows.map((row) => row.ID));
    expect(await list(k1, { countOnly: 1, EventType: 'open' })).toEqual({ Count: 2, Data: [], Total: 2 });
    const descending = await rejection(k1.get(RESOURCE).request({}, { Sort: 'ID DESC' }));
    expect(descending.statusCode).toBe(400);
    expect(errorMessageOf(descending)).toMatch(/"Sort".*only on ID, ascending/);
  });

  it("takes Mailjet's node example with \"Version\":\"2\" and the numeric EventType filter of the SDK's typings", async () => {
    // guides/_event-api.md (2015-16), node: .post("eventcallbackurl").request({..., "Version":"2"})
    const grouped = await create(k1, { EventType: 'open', Url: 'https://mydomain.com/event_handler', Version: '2' });
    expect(grouped).toMatchObject({ Version: 2, IsBackup: false });
    const backup = await create(k1, { EventType: 'open', Url: 'https://mydomain.com/backup', IsBackup: 'true' });
    expect(backup).toMatchObject({ Version: 1, IsBackup: true });
    await create(k1, { EventType: 'click', Url: HOOK });
    // Webhook.GetEventCallbackUrlQueryParams: EventType is EventTypeValue, Open = 6.
    const query: Webhook.GetEventCallbackUrlQueryParams = { EventType: 6 as Webhook.EventTypeValue, Backup: false };
    expect((await list(k1, query)).Data).toEqual([grouped]);
    expect((await list(k1, { EventType: 6 })).Data.map((row) => row.ID)).toEqual([grouped.ID, backup.ID]);
  });

  it('pages through more than the default Limit of 10', async () => {
    for (const type of EVENT_TYPES) {
      await create(k1, { EventType: type, Url: HOOK });
      await create(k1, { EventType: type, Url: HOOK, IsBackup: true });
    }
    expect((await list(k1)).Data).toHaveLength(10);
    expect((await list(k1, { Offset: 10 })).Data).toHaveLength(4);
    expect((await list(k1, { Limit: 0 })).Data).toHaveLength(14);
    expect(await list(k1, { countOnly: 1 })).toMatchObject({ Count: 14, Total: 14 });
  });

  it('gets one by ID and by the unique key', async () => {
    const row = await create(k1, { EventType: 'open', Url: HOOK });
    for (const id of [row.ID, 'open|false', 'open%7Cfalse']) {
      const { body } = await k1.get(RESOURCE).id(id).request();
      expect(body, String(id)).toEqual({ Count: 1, Data: [row], Total: 1 });
    }
  });

  it('updates: 200 with the object, then a promise rejected with 304 when nothing changes', async () => {
    const row = await create(k1, { EventType: 'open', Url: HOOK });
    const { body, response } = await k1.put(RESOURCE).id(row.ID).request({ Version: 2, Url: `${HOOK}/v2` });
    expect(response.status).toBe(200);
    expect(body).toEqual({ Count: 1, Data: [{ ...row, Version: 2, Url: `${HOOK}/v2` }], Total: 1 });
    const unchanged = await rejection(k1.put(RESOURCE).id('open|false').request({ Version: 2 }));
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.response.data).toBeFalsy();
  });

  it('deletes: 204, then the ID answers 404', async () => {
    const row = await create(k1, { EventType: 'open', Url: HOOK });
    const { response } = await k1.delete(RESOURCE).id(row.ID).request();
    expect(response.status).toBe(204);
    const gone = await rejection(k1.get(RESOURCE).id(row.ID).request());
    expect(gone.statusCode).toBe(404);
    expect(gone.response.data).toEqual({ ErrorInfo: '', ErrorMessage: 'Object not found', StatusCode: 404 });
  });

  it('rejects a duplicate EventType|Backup with MJ18', async () => {
    await create(k1, { EventType: 'sent', Url: HOOK, IsBackup: true });
    const duplicate = await rejection(k1.post(RESOURCE).request({ EventType: 'sent', Url: `${HOOK}/2`, IsBackup: true }));
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.response.data).toEqual({
      ErrorInfo: '',
      ErrorMessage: 'MJ18 A EventCallbackURL resource with value "7|true" for EventType|Backup already exists.',
      StatusCode: 400,
    });
  });

  it("answers Mailjet's 401 to a wrong secret and to an unknown key", async () => {
    for (const client of [connect('K1', 'wrong'), connect('nobody', 'S1')]) {
      const denied = await rejection(client.get(RESOURCE).request());
      expect(denied.statusCode).toBe(401);
      expect(denied.response.data).toBeFalsy();
      expect(denied.response.headers['content-type']).toBe('text/html');
      expect(denied.response.headers['www-authenticate']).toBe('Basic realm="Provide an apiKey and secretKey"');
    }
  });

  it("hides one account's URLs from another: 404 on every verb, nothing listed", async () => {
    const theirs = await create(k2, { EventType: 'click', Url: HOOK });
    // One call at a time: started together, a later rejection could settle before it is awaited.
    const attempts = [
      () => k1.get(RESOURCE).id(theirs.ID).request(),
      () => k1.put(RESOURCE).id(theirs.ID).request({ Url: `${HOOK}/hijacked` }),
      () => k1.delete(RESOURCE).id(theirs.ID).request(),
      () => k1.post(RESOURCE).id(theirs.ID).action('test').request(),
      () => k1.get(RESOURCE).id('click|false').request(),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt());
      expect(error.statusCode).toBe(404);
      expect(errorMessageOf(error)).toBe('Object not found');
    }
    expect((await list(k1)).Data).toEqual([]);
    expect((await list(k2)).Data).toEqual([theirs]);
  });

  it('rejects each invalid input with 400 and a message naming the property', async () => {
    const row = await create(k1, { EventType: 'open', Url: HOOK });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => k1.post(RESOURCE).request({ EventType: 'typofix', Url: HOOK }), /"EventType".*sent, open, click, bounce, spam, blocked, unsub/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: HOOK, Version: 3 }), /"Version".*1 or 2/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: HOOK, Status: 'zombie' }), /"Status".*alive or dead/],
      [() => k1.post(RESOURCE).request({ EventType: 'click' }), /"Url" is required/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: 'ftp://example.com/x' }), /"Url".*absolute http/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: HOOK, IsBackup: 'yes' }), /"IsBackup".*boolean/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: HOOK, Version: '1.0' }), /"Version".*1 or 2/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: 'http:///x' }), /"Url".*the host is empty/],
      [() => k1.post(RESOURCE).request({ EventType: 'click', Url: HOOK, ID: 1 }), /^MJ19 Setting a value for property "ID" is not allowed$/],
      [() => k1.put(RESOURCE).id(row.ID).request({ APIKeyID: k2Id }), /^MJ19 Setting a value for property "APIKeyID" is not allowed$/],
      [() => k1.put(RESOURCE).id(row.ID).request({ Version: 7 }), /"Version".*1 or 2/],
      [() => k1.get(RESOURCE).request({}, { EventType: 'typofix' }), /"EventType".*sent, open/],
      [() => k1.get(RESOURCE).request({}, { Limit: 1001 }), /"Limit".*0 to 1000/],
    ];
    for (const [call, message] of cases) {
      const error = await rejection(call());
      expect(error.statusCode, String(message)).toBe(400);
      expect(error.response.data).toEqual({ ErrorInfo: '', ErrorMessage: expect.stringMatching(message), StatusCode: 400 });
    }
  });

  it('answers the test action with the event it sends (a MessageID beyond 2^53)', async () => {
    const row = await create(k1, { EventType: 'bounce', Url: 'http://127.0.0.1:9/unreachable' });
    const { body, response } = await k1.post(RESOURCE).id(row.ID).action('test').request();
    expect(response.status).toBe(200);
    const event = (body as unknown as Envelope<{ event: string; MessageID: unknown }>).Data[0]!;
    expect(event.event).toBe('bounce');
    expect(BigInt(String(event.MessageID)) > 2n ** 53n).toBe(true);
  });
});

describe('raw HTTP, for what the SDK cannot express', () => {
  /** One request with node:http, so the request target is sent exactly as written. */
  function rawRequest(options: { method: string; path: string; body?: string; headers?: Record<string, string> }) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const auth = `Basic ${Buffer.from('K1:S1').toString('base64')}`;
      const req = http.request(
        { host: '127.0.0.1', port: sim.port, method: options.method, path: options.path, headers: { authorization: auth, ...options.headers } },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  beforeEach(async () => {
    for (const row of (await list(k1, { Limit: 0 })).Data) await k1.delete(RESOURCE).id(row.ID).request();
  });

  it('takes a raw | in the path', async () => {
    const row = await create(k1, { EventType: 'unsub', Url: HOOK, IsBackup: true });
    const res = await rawRequest({ method: 'GET', path: '/v3/REST/eventcallbackurl/unsub|true' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ Count: 1, Data: [row], Total: 1 });
  });

  it('takes an absolute-form request target, as sent through a proxy', async () => {
    const res = await rawRequest({
      method: 'POST',
      path: 'https://api.mailjet.com/v3/REST/eventcallbackurl',
      headers: { host: 'api.mailjet.com', 'content-type': 'application/json' },
      body: JSON.stringify({ EventType: 'spam', Url: HOOK }),
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).Data[0]).toMatchObject({ EventType: 'spam', APIKeyID: k1Id });
    const got = await rawRequest({ method: 'GET', path: 'https://api.mailjet.com/v3/REST/eventcallbackurl/spam|false' });
    expect(got.status).toBe(200);
  });

  it('works with the SDK left on https and its proxy option pointed at mjsim', async () => {
    sdkRequest.protocol = SDK_PROTOCOL;
    try {
      const proxied = Mailjet.apiConnect('K1', 'S1', { options: { proxy: { protocol: 'http', host: '127.0.0.1', port: sim.port } } });
      const { body, response } = await proxied.post(RESOURCE).request({ EventType: 'blocked', Url: HOOK });
      expect(response.status).toBe(201);
      const row = (body as unknown as Envelope).Data[0]!;
      expect((await proxied.get(RESOURCE).id('blocked|false').request()).body).toEqual({ Count: 1, Data: [row], Total: 1 });
      expect((await proxied.delete(RESOURCE).id(row.ID).request()).response.status).toBe(204);
    } finally {
      sdkRequest.protocol = 'http://';
    }
  });

  it('answers 413 in the v3 envelope to an oversized body, declared or streamed', async () => {
    const body = JSON.stringify({ EventType: 'open', Url: HOOK, pad: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = { 'content-type': 'application/json' };
    const streamed = { 'content-type': 'application/json', 'transfer-encoding': 'chunked' };
    for (const headers of [declared, streamed]) {
      const res = await rawRequest({ method: 'POST', path: '/v3/REST/eventcallbackurl', headers, body });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual({ ErrorInfo: '', ErrorMessage: expect.stringMatching(/too large/), StatusCode: 413 });
    }
    expect((await list(k1)).Data).toEqual([]);
  });

  it('answers 400 in the v3 envelope to malformed JSON', async () => {
    const res = await fetch(`${sim.url}/v3/REST/eventcallbackurl`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('K1:S1').toString('base64')}`, 'content-type': 'application/json' },
      body: '{"EventType": "open", "Url": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ErrorInfo: '', ErrorMessage: expect.stringMatching(/^Malformed JSON/), StatusCode: 400 });
  });

  it('answers 404 and 405 in the envelope, never 500', async () => {
    const unknown = await rawRequest({ method: 'GET', path: '/v3/REST/nosuchresource' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ ErrorInfo: '', StatusCode: 404 });
    const wrong = await rawRequest({ method: 'PATCH', path: '/v3/REST/eventcallbackurl/1' });
    expect(wrong.status).toBe(405);
    expect(JSON.parse(wrong.body)).toMatchObject({ ErrorInfo: '', StatusCode: 405 });
  });
});

describe('process lifecycle', () => {
  let lifecycleDir: string;
  beforeEach(() => {
    lifecycleDir = mkdtempSync(join(tmpdir(), 'mjsim-life-'));
  });
  afterEach(() => rmSync(lifecycleDir, { recursive: true, force: true }));

  it('exits 0 on SIGTERM, and a restart on the same database keeps registrations and APIKeyIDs', async () => {
    const db = join(lifecycleDir, 'sim.db');
    const first = await startCli(['--port', '0', '--db', db, '--api-key', 'A1:S1', '--api-key', 'A2:S2']);
    const a1 = connect('A1', 'S1', first.port);
    const a2 = connect('A2', 'S2', first.port);
    const rows1 = [await create(a1, { EventType: 'open', Url: HOOK }), await create(a1, { EventType: 'open', Url: HOOK, IsBackup: true })];
    const rows2 = [await create(a2, { EventType: 'sent', Url: HOOK, Version: 2 })];
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.stdout()).toMatch(/SIGTERM received, shutting down/);

    // The keys in the other order: IDs belong to keys, not to positions.
    const second = await startCli(['--port', '0', '--db', db, '--api-key', 'A2:S2', '--api-key', 'A1:S1']);
    expect(accountIdIn(second.stdout(), 'A1')).toBe(accountIdIn(first.stdout(), 'A1'));
    expect(accountIdIn(second.stdout(), 'A2')).toBe(accountIdIn(first.stdout(), 'A2'));
    expect((await list(connect('A1', 'S1', second.port))).Data).toEqual(rows1);
    expect((await list(connect('A2', 'S2', second.port))).Data).toEqual(rows2);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
