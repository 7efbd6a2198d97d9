/**
 * mjsim in its own process for benchmarks, started exactly as `mjsim serve` starts it (startServer), with a
 * CPU profiler the parent drives through stdin. Arguments: the database file, then `serve` flags as
 * `name=value` (e.g. `clock=manual`). Prints `port N` on stdout once listening. Commands on stdin, one per
 * line: `profile-start`, `profile-stop <file>` (writes a .cpuprofile, then prints `profiled`), `cpu` (prints
 * `cpu <µs>`: the process's CPU time so far, user and system), `smtp-port` (prints `smtp-port N`: the SMTP
 * relay's port), `rss` (prints `rss <bytes>`), `exit`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { parseServeConfig, type RawServeOptions } from '../src/config/config.js';
import { startServer } from '../src/serve.js';

const [db, ...flags] = process.argv.slice(2);
const options = Object.fromEntries(flags.map((flag) => flag.split('=', 2) as [string, string])) as RawServeOptions;
const server = await startServer(parseServeConfig({ port: '0', db, apiKeys: ['bench:secret'], ...options }, {}));
const session = new Session();
session.connect();
process.stdout.write(`port ${server.port}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ');
  if (command === 'profile-start') {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  } else if (command === 'profile-stop') {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(arg as string, JSON.stringify(profile));
    process.stdout.write('profiled\n');
  } else if (command === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`cpu ${user + system}\n`);
  } else if (command === 'rss') {
    process.stdout.write(`rss ${process.memoryUsage().rss}\n`);
  } else if (command === 'smtp-port') {
    process.stdout.write(`smtp-port ${server.smtp?.port ?? 0}\n`);
  } else if (command === 'exit') {
    break;
  }
}
session.disconnect();
await server.close();
process.exit(0);
