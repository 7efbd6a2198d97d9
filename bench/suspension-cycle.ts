/**
 * 1,000 always-failing URLs taken through the whole mailjet-2017 cycle to suspension on the manual clock:
 * 21,000 attempts against a receiver in its own process answering 500.
 *
 *   npm run bench:suspension [-- URLS [PROFILE.cpuprofile]]
 *
 * mjsim runs in this process (the receiver in its own), so the CPU time per attempt is this process's, taken
 * over the cycle only: the bench driver does nothing then but await the advance. With a second argument, a V8
 * CPU profile of the cycle is written there and its top functions printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServeConfig } from '../src/config/config.js';
import { insertCallbackUrl } from '../src/db/callback-urls.js';
import { startServer } from '../src/serve.js';
import { conditions, profileSummary, startReceiverProcess } from './bench-lib.js';

const urls = Number(process.argv[2] ?? 1_000);
const profileFile = process.argv[3];
const receiver = await startReceiverProcess(500);
const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-'));
const keys = Array.from({ length: urls }, (_, i) => `bench${i}:secret`);
const server = await startServer(parseServeConfig({ port: '0', db: join(dir, 'bench.db'), clock: 'manual', apiKeys: keys }, {}));
const now = server.clock.now();
for (const [i, account] of server.accounts.entries()) {
  insertCallbackUrl(server.db, account.id, { eventType: 'bounce', isBackup: false, status: 'alive', url: `http://127.0.0.1:${receiver.port}/fail/${i}`, version: 1 }, now);
}

const session = new Session();
if (profileFile) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
const cpuBefore = process.cpuUsage();
const start = performance.now();
for (const account of server.accounts) server.engine.emitEvents(account.id, [{ type: 'bounce', fields: {} }]);
await server.engine.idle();
const summary = await server.engine.advance(server.clock.now() + 5 * 3_600_000 + 5 * 60_000);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const profile = profileFile ? (await session.post('Profiler.stop')).profile : undefined;
const attempts = (server.db.$client.prepare('select count(*) as n from attempts').get() as { n: number }).n;
const dead = (server.db.$client.prepare(`select count(*) as n from callback_urls where status = 'dead'`).get() as { n: number }).n;

console.log(`suspension-cycle: ${conditions()}`);
console.log(`  ${urls} URLs answering 500, policy mailjet-2017, manual clock, SQLite file in WAL mode`);
console.log(`  ${attempts} attempts, ${dead} URLs suspended, in ${seconds.toFixed(2)} s wall time (${Math.round(attempts / seconds)} attempts/s)`);
console.log(`  server CPU: ${((cpu.user + cpu.system) / attempts).toFixed(1)} µs per attempt (user ${(cpu.user / attempts).toFixed(1)}, system ${(cpu.system / attempts).toFixed(1)}; mjsim in this process)`);
if (profile) {
  writeFileSync(profileFile as string, JSON.stringify(profile));
  console.log(`  profile (${profileFile}), top functions by self time:`);
  for (const line of profileSummary(profile as Parameters<typeof profileSummary>[0], 20)) console.log(`    ${line}`);
}
console.log(`  advance summary: ${JSON.stringify(summary)}`);
await server.close();
receiver.stop();
rmSync(dir, { recursive: true, force: true });
