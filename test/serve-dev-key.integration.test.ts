/**
 * `mjsim serve` without `--api-key`: a development key pair is generated once, kept in the database, and
 * printed with a curl line that works exactly as printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackUrlObject, Envelope } from './helpers/app.js';
import { killAllCli, startCli } from './helpers/cli.js';

const run = promisify(execFile);

/** The banner's dev account line: `account APIKeyID 1000001: <public> (dev key, secret <secret>)`. */
const DEV_ACCOUNT = /account APIKeyID (\d+): (\S+) \(dev key, secret (\S+)\)/;
/** The printed curl command: from `curl` to the end of its `-d '...'` continuation line. */
const CURL = /^ {2}(curl .*\\\n.*-d '[^']*')$/m;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-dev-'));
});
afterAll(async () => {
  await killAllCli();
  rmSync(dir, { recursive: true, force: true });
});

describe('the development key', () => {
  it('is printed with a curl line that creates a URL, and stays the same across restarts', async () => {
    const db = join(dir, 'dev.db');
    const first = await startCli(['--port', '0', '--db', db]);
    const curl = (await first.waitForOutput(CURL))[1] as string;
    expect(first.stdout()).toContain('Try it (a Version 1 URL: each event is POSTed as soon as it is due):');
    const [, accountId, publicKey, secretKey] = DEV_ACCOUNT.exec(first.stdout()) ?? [];
    expect(publicKey).toMatch(/^[0-9a-f]{32}$/);
    expect(secretKey).toMatch(/^[0-9a-f]{32}$/);
    expect(curl).toContain(`-u ${publicKey}:${secretKey} ${first.url}/v3/REST/eventcallbackurl`);

    const { stdout } = await run('sh', ['-c', curl]);
    const created = JSON.parse(stdout) as Envelope<CallbackUrlObject>;
    expect(created).toEqual({
      Count: 1,
      Data: [
        {
          APIKeyID: Number(accountId),
          EventType: 'open',
          ID: expect.any(Number),
          IsBackup: false,
          Status: 'alive',
          Url: 'http://127.0.0.1:8080/webhook',
          // Version 1, so on the manual clock an emitted event arrives without moving the clock (issue 18).
          Version: 1,
        },
      ],
      Total: 1,
    });
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startCli(['--port', '0', '--db', db]);
    await second.waitForOutput(CURL);
    expect(DEV_ACCOUNT.exec(second.stdout())?.slice(1)).toEqual([accountId, publicKey, secretKey]);
    const listed = await fetch(`${second.url}/v3/REST/eventcallbackurl`, {
      headers: { authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}` },
    });
    expect(((await listed.json()) as Envelope<CallbackUrlObject>).Data).toEqual(created.Data);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
