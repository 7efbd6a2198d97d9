/**
 * Smaller gaps of issue 12 (item 5): `time` and `MessageID` of injected events, `/sim` POSTs that need
 * JSON and refuse a foreign Origin, 4xx answers from below the app (`OPTIONS *`, a malformed request)
 * in the JSON envelope, and databases written by a newer mjsim refused by name.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, SimulatorError } from '../src/index.js';
import { DatabaseTooNewError, openDb } from '../src/db/open-db.js';
import { BIN } from './helpers/cli.js';
import { expectError } from './helpers/error-envelope.js';
import { startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

/** POSTs raw JSON text, so numbers such as 1e309 and -0 reach the server as written. */
const emitRaw = (text: string) => sim.api('/sim/events', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });

describe('POST /sim/events: time and MessageID are non-negative integers', () => {
  it.each([
    ['{"event":"open","time":1e309}', /"time" must be Unix seconds/],
    ['{"event":"open","time":-0}', /"time" must be Unix seconds/],
    ['{"event":"open","time":-1}', /"time" must be Unix seconds/],
    ['{"event":"open","time":1.5}', /"time" must be Unix seconds/],
    ['{"event":"open","time":"1767225600"}', /"time" must be Unix seconds/],
    ['{"event":"open","time":253402300800}', /"time" must be Unix seconds/],
    ['{"event":"open","MessageID":-0}', /"MessageID" must be a whole number/],
    ['{"event":"open","MessageID":-5}', /"MessageID" must be a whole number/],
    ['{"event":"open","MessageID":1e309}', /"MessageID" must be a whole number/],
    ['{"event":"open","MessageID":1e20}', /"MessageID" must be a whole number/],
    ['{"event":"open","MessageID":18446744073709551616}', /"MessageID" must be a whole number/],
    ['{"event":"open","MessageID":"abc"}', /"MessageID" must be a whole number/],
    ['[{"event":"open"},{"event":"open","MessageID":null}]', /Event 1: "MessageID"/],
  ])('%s is a 400', async (text, message) => {
    await expectError(await emitRaw(text), 400, 'invalid-input', message);
  });

  it('keeps valid values exactly, MessageID above 2^53 included', async () => {
    const res = await emitRaw('{"event":"open","time":0,"MessageID":18446744073709551615}');
    expect(res.status).toBe(201);
    expect(await res.text()).toContain('"time":0,"MessageID":18446744073709551615,');
    const small = await emitRaw('{"event":"open","time":1767225600,"MessageID":0}');
    expect(await small.text()).toContain('"time":1767225600,"MessageID":0,');
  });

  it('the library refuses the same', async () => {
    const lib = await createSimulator();
    try {
      expect(() => lib.emit({ event: 'open', time: Number.POSITIVE_INFINITY })).toThrow(SimulatorError);
      expect(() => lib.emit({ event: 'open', MessageID: -1n })).toThrow(/"MessageID"/);
    } finally {
      await lib.close();
    }
  });
});

describe('/sim POST routes: application/json and no foreign Origin', () => {
  it('a text/plain body is a 415 and changes nothing', async () => {
    const res = await sim.api('/sim/events', { method: 'POST', body: '{"event":"open"}', headers: { 'content-type': 'text/plain' } });
    await expectError(res, 415, 'unsupported-media-type', /application\/json, not text\/plain/);
    await expectError(
      await sim.api('/sim/clock/advance', { method: 'POST', body: '{"by":"1h"}', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'unsupported-media-type',
      /application\/json/,
    );
    expect(sim.server.clock.now()).toBe(sim.server.clock.start);
    expect(((await (await sim.api('/sim/deliveries')).json()) as { count: number }).count).toBe(0);
  });

  it('a body without content type is a 415; no body needs none', async () => {
    await expectError(await sim.api('/sim/reset', { method: 'POST', body: '{}' }), 415, 'unsupported-media-type', /application\/json/);
    expect((await sim.api('/sim/reset', { method: 'POST' })).status).toBe(200);
    expect((await sim.api('/sim/events', { method: 'POST', json: { event: 'open' }, headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(201);
  });

  it('a foreign Origin is a 403, even with valid credentials and JSON; mjsim\'s own origin passes', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1']) {
      await expectError(await sim.api('/sim/reset', { method: 'POST', headers: { origin } }), 403, 'forbidden', /another origin/);
      await expectError(await sim.api('/sim/events', { method: 'POST', json: { event: 'open' }, headers: { origin } }), 403, 'forbidden', /another origin/);
    }
    expect((await sim.api('/sim/events', { method: 'POST', json: { event: 'open' }, headers: { origin: sim.server.url } })).status).toBe(201);
    expect((await sim.api('/sim/clock', { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });
});

/** Sends raw bytes and returns the whole answer (the server closes the connection). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      // Keep-alive answers do not close: stop once a complete body has arrived.
      const length = /content-length: (\d+)/i.exec(answer);
      const head = answer.indexOf('\r\n\r\n');
      if (length && head >= 0 && Buffer.byteLength(answer.slice(head + 4)) >= Number(length[1])) socket.end();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('4xx below the app carry the JSON envelope', () => {
  it('OPTIONS * is a 400 in mjsim\'s envelope', async () => {
    const answer = await rawRequest(sim.server.port, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
    expect(body.error).toEqual({ code: 'invalid-input', message: expect.stringMatching(/Bad request.*"\*"/) });
  });

  it('a bad Host header on a Mailjet path gets Mailjet\'s envelope', async () => {
    const answer = await rawRequest(sim.server.port, 'GET /v3/REST/eventcallbackurl HTTP/1.1\r\nHost: a b\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ ErrorInfo: '', StatusCode: 400 });
  });

  it('a request Node cannot parse is a 400 with a JSON body', async () => {
    const answer = await rawRequest(sim.server.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'invalid-input' } });
  });
});

describe('a database written by a newer mjsim', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mjsim-newer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A real file as a newer mjsim would leave it: one more migration, recorded after ours. */
  function newerDatabase(name: string, writtenBy: string | null): string {
    const file = join(dir, name);
    const db = openDb(file);
    db.$client.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.parse('2030-01-01T00:00:00Z'));
    if (writtenBy) db.$client.prepare("update sim_state set value = ? where key = 'migrated_by'").run(writtenBy);
    db.$client.close();
    return file;
  }

  it('is refused by name when opened', () => {
    const file = newerDatabase('named.db', '0.9.0');
    expect(() => openDb(file)).toThrow(DatabaseTooNewError);
    expect(() => openDb(file)).toThrow(`the database ${file} was written by mjsim 0.9.0 or newer`);
    expect(() => openDb(newerDatabase('unnamed.db', null))).toThrow(/written by a newer mjsim/);
  });

  it('mjsim serve refuses it and exits', async () => {
    const file = newerDatabase('serve.db', '0.9.0');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
    const failed = await promisify(execFile)(process.execPath, [BIN, 'serve', '--port', '0', '--db', file], { env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('mjsim: cannot start: the database');
    expect(failed.stderr).toContain('was written by mjsim 0.9.0 or newer');
  });

  it('the library refuses it with a SimulatorError', async () => {
    await expect(createSimulator({ db: newerDatabase('lib.db', '0.9.0') })).rejects.toThrow(SimulatorError);
  });
});
