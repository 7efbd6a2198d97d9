/**
 * `mjsim inbound` against a real `mjsim serve`, and an inbound mail that survives kill -9: accepted, its POST
 * in flight when the process dies, delivered after the restart from the same database.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, killAllCli, startCli } from './helpers/cli.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/inbound/support-request.eml', import.meta.url));
const AUTH = `Basic ${Buffer.from('K1:S1').toString('base64')}`;
let dir: string;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-parse-'));
  receiver = await startReceiver();
});
afterAll(async () => {
  await killAllCli();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const serveArgs = () => ['--port', '0', '--db', join(dir, 'sim.db'), '--api-key', 'K1:S1', '--clock', 'manual'];

describe('mjsim inbound and kill -9', () => {
  it('delivers a mail from --file and stdin, refuses an address with no route, and loses nothing to kill -9', async () => {
    const first = await startCli(serveArgs());
    const created = await fetch(`${first.url}/v3/REST/parseroute`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ Url: `${receiver.url}/parse`, Email: 'support@acme.example' }),
    });
    expect(created.status).toBe(201);
    receiver.reply('hang');

    const client = ['--server', first.url, '--api-key', 'K1:S1'];
    const fromFile = await promisify(execFile)(process.execPath, [BIN, 'inbound', '--to', 'support@acme.example', '--file', FIXTURE, ...client]);
    expect(fromFile.stdout).toMatch(/^accepted for support@acme.example \(from jane@customer.example\): delivery #1/);
    const [inFlight] = await receiver.waitFor(1);

    const noRoute = await promisify(execFile)(process.execPath, [BIN, 'inbound', '--to', 'nobody@acme.example', '--file', FIXTURE, ...client]).catch((error: unknown) => error as { code: number; stderr: string });
    expect(noRoute).toMatchObject({ code: 1, stderr: expect.stringMatching(/No parse route for nobody@acme.example/) });

    // Standard input, run synchronously: the server is another process, the receiver is hanging anyway.
    const fromStdin = spawnSync(process.execPath, [BIN, 'inbound', '--json', ...client], { input: 'To: support@acme.example\r\nSubject: piped\r\n\r\nhi', encoding: 'utf8' });
    expect(fromStdin.status).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ accepted: 1, recipients: ['support@acme.example'] });
    await receiver.waitFor(2);

    expect(await first.stop('SIGKILL')).toBeNull();
    receiver.reply({ status: 200 });
    const second = await startCli(serveArgs());
    await receiver.waitFor(4);
    const again = receiver.requests.slice(2).find((request) => request.body === inFlight?.body);
    expect(again).toBeDefined();
    const inbound = (await (await fetch(`${second.url}/sim/inbound`, { headers: { authorization: AUTH } })).json()) as { inbound: { subject: string; status: string }[] };
    await expect.poll(async () => ((await (await fetch(`${second.url}/sim/inbound`, { headers: { authorization: AUTH } })).json()) as typeof inbound).inbound.map((row) => row.status)).toEqual(['delivered', 'delivered']);
    expect(inbound.inbound.map((row) => row.subject)).toEqual(['piped', 'Where is my order? ✓']);
  });
});
