/**
 * A start that cannot listen (the port is taken) gives back everything it opened: the database lock, the
 * connection, the checkpointer's worker and its connection. The file can be served again at once, no
 * descriptor of it stays open, and a process whose start failed ends by itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/config/config.js';
import { startServer } from '../src/serve.js';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let blocker: Server;
let taken: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-port-taken-'));
  blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  taken = (blocker.address() as AddressInfo).port;
});

afterEach(async () => {
  await new Promise<void>((done) => blocker.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

/** This process's open descriptors on files under `folder` (Linux's /proc). */
function openFilesUnder(folder: string): string[] {
  const fds = '/proc/self/fd';
  return readdirSync(fds).flatMap((fd) => {
    try {
      const target = readlinkSync(join(fds, fd));
      return target.startsWith(folder) ? [target] : [];
    } catch {
      return []; // closed between the listing and the read
    }
  });
}

describe('serve on a port already in use', () => {
  it('fails with EADDRINUSE, and the same database can be served again at once', async () => {
    const db = join(dir, 'sim.db');
    const config = (port: number) => parseServeConfig({ port: String(port), host: '127.0.0.1', db, clock: 'manual', noSmtp: true }, {});
    await expect(startServer(config(taken))).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const again = await startServer(config(0));
    expect(again.port).toBeGreaterThan(0);
    await again.close();
  });

  it.runIf(existsSync('/proc/self/fd'))('leaves no descriptor of the database open: the connection and the worker\'s are closed', async () => {
    const db = join(dir, 'sim.db');
    const server = await startServer(parseServeConfig({ port: '0', host: '127.0.0.1', db, clock: 'manual', noSmtp: true }, {}));
    expect(openFilesUnder(dir).length).toBeGreaterThan(0); // the probe sees a running server's files
    await server.close();
    expect(openFilesUnder(dir)).toEqual([]);
    await expect(startServer(parseServeConfig({ port: String(taken), host: '127.0.0.1', db, clock: 'manual', noSmtp: true }, {}))).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(openFilesUnder(dir)).toEqual([]);
  });

  it('a process whose start failed ends by itself: no worker or timer keeps it alive (dist/)', async () => {
    const script = [
      `const { parseServeConfig } = await import(${JSON.stringify(join(ROOT, 'dist/config/config.js'))});`,
      `const { startServer } = await import(${JSON.stringify(join(ROOT, 'dist/serve.js'))});`,
      `const config = parseServeConfig({ port: '${taken}', host: '127.0.0.1', db: ${JSON.stringify(join(dir, 'child.db'))}, clock: 'manual', noSmtp: true }, {});`,
      `await startServer(config).catch((error) => console.log('failed:', error.code));`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('failed: EADDRINUSE');
  });
});
