/**
 * The first webhook POST loads undici's connection pool, not the whole package: its entry also loads fetch,
 * WebSocket, caching and mocks, which took 130-150 ms of one event-loop turn on the first POST of every
 * process. Runs the built transport in a fresh Node process (nothing else loaded there) against a real
 * receiver on 127.0.0.1, then lists the undici files that process loaded.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('posts through undici while loading none of its fetch, WebSocket, cache or mock modules', async () => {
  const receiver = createServer((req, res) => req.resume().on('end', () => res.end('ok'))).listen(0, '127.0.0.1');
  await new Promise((resolve) => receiver.once('listening', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const transport = pathToFileURL('dist/engine/http-transport.js').href;
  const script = `
    const { createHttpTransport } = await import(${JSON.stringify(transport)});
    const { createRequire } = await import('node:module');
    const t = createHttpTransport(4);
    const result = await t.post('http://127.0.0.1:${port}/hook', '{}', { timeoutMs: 5000, responseCapBytes: 100, userAgent: 'probe' });
    t.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/undici/')).map((f) => f.slice(f.indexOf('/undici/') + 8));
    console.log(JSON.stringify({ status: result.httpStatus, loaded }));`;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const { status, loaded } = JSON.parse(stdout) as { status: number; loaded: string[] };
    expect(status).toBe(200);
    expect(loaded).toContain('lib/dispatcher/agent.js');
    expect(loaded).not.toContain('index.js');
    expect(loaded.filter((file) => /^lib\/(web|mock|cache|interceptor\/cache)\//.test(file))).toEqual([]);
  } finally {
    receiver.close();
  }
});
