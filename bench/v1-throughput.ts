/**
 * Version 1 deliveries per second to a local receiver in its own process, beside a plain keep-alive Node
 * HTTP client POSTing the same bodies to the same receiver (the raw ceiling).
 *
 *   npm run bench:throughput [-- EVENTS [IN_FLIGHT]]
 *
 * mjsim runs in this process (the receiver in its own). The CPU time per attempt is this process's over the
 * mjsim phase only (the raw client has finished by then); it includes the driver's emitting of the events,
 * a small share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServeConfig } from '../src/config/config.js';
import { stringifyJson } from '../src/core/json.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { startServer } from '../src/serve.js';
import { conditions, rawClientRate, startReceiverProcess } from './bench-lib.js';

const total = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 128);
const receiver = await startReceiverProcess(200);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
const server = await startServer(parseServeConfig({ port: '0', db: join(dir, 'bench.db'), apiKeys: ['bench:secret'], concurrency: String(concurrency), urlConcurrency: String(concurrency) }, {}));
const account = server.accounts[0]!;
insertCallbackUrl(server.db, account.id, { eventType: 'sent', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/hook`, version: 1 }, server.clock.now());

const sample = server.engine.emitEvents(account.id, [{ type: 'sent', fields: { email: 'warmup@example.com' } }]);
await waitDelivered(1);
const body = stringifyJson(sample[0]);

const rawRate = await rawClientRate(receiver.port, body, total, concurrency);

const cpuBefore = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < total; i += 1000) {
  server.engine.emitEvents(account.id, Array.from({ length: Math.min(1000, total - i) }, (_, j) => ({ type: 'sent' as const, fields: { email: `u${i + j}@example.com` } })));
}
await waitDelivered(total + 1);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const rate = total / seconds;

console.log(`v1-throughput: ${conditions()}`);
console.log(`  ${total} Version 1 events, ${concurrency} in flight for both (mjsim: --concurrency and --url-concurrency ${concurrency}), SQLite file in WAL mode, receiver in its own process answering 200`);
console.log(`  raw keep-alive client: ${Math.round(rawRate)} POST/s (ceiling)`);
console.log(`  mjsim (accept → route → claim → POST → record): ${Math.round(rate)} deliveries/s = ${Math.round((100 * rate) / rawRate)} % of the ceiling`);
console.log(`  server CPU: ${((cpu.user + cpu.system) / total).toFixed(1)} µs per attempt (user ${(cpu.user / total).toFixed(1)}, system ${(cpu.system / total).toFixed(1)}; mjsim and the event emitting in this process)`);
await server.close();
receiver.stop();
rmSync(dir, { recursive: true, force: true });

/** Resolves once `count` attempts in all have succeeded (counted from the engine's own events). */
function waitDelivered(count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (server.engine.counters.successes < count) return;
      server.engine.off('attempt', check);
      resolve();
    };
    server.engine.on('attempt', check);
    check();
  });
}
