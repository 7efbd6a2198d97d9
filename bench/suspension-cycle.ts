/**
 * 1,000 always-failing URLs taken through the whole mailjet-2017 cycle to suspension on the manual clock:
 * 21,000 attempts against a receiver in its own process answering 500.
 *
 *   npm run bench:suspension [-- URLS]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServeConfig } from '../src/config/config.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { startServer } from '../src/serve.js';
import { conditions, startReceiverProcess } from './bench-lib.js';

const urls = Number(process.argv[2] ?? 1_000);
const receiver = await startReceiverProcess(500);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
const keys = Array.from({ length: urls }, (_, i) => `bench${i}:secret`);
const server = await startServer(parseServeConfig({ port: '0', db: join(dir, 'bench.db'), clock: 'manual', apiKeys: keys }, {}));
const now = server.clock.now();
for (const [i, account] of server.accounts.entries()) {
  insertCallbackUrl(server.db, account.id, { eventType: 'bounce', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/fail/${i}`, version: 1 }, now);
}

const start = performance.now();
for (const account of server.accounts) server.engine.emitEvents(account.id, [{ type: 'bounce', fields: {} }]);
await server.engine.idle();
const summary = await server.engine.advance(server.clock.now() + 5 * 3_600_000 + 5 * 60_000);
const seconds = (performance.now() - start) / 1000;
const attempts = (server.db.$client.prepare('select count(*) as n from attempts').get() as { n: number }).n;
const dead = (server.db.$client.prepare(`select count(*) as n from callback_urls where status = 'dead'`).get() as { n: number }).n;

console.log(`suspension-cycle: ${conditions()}`);
console.log(`  ${urls} URLs answering 500, policy mailjet-2017, manual clock, SQLite file in WAL mode`);
console.log(`  ${attempts} attempts, ${dead} URLs suspended, in ${seconds.toFixed(2)} s wall time (${Math.round(attempts / seconds)} attempts/s)`);
console.log(`  advance summary: ${JSON.stringify(summary)}`);
await server.close();
receiver.stop();
rmSync(dir, { recursive: true, force: true });
