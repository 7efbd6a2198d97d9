/**
 * `mjsim serve` listens before it loads what it does not need yet: the SMTP relay's smtp-server loads with
 * its first connection (its port is bound when the banner prints), mailparser and the MIME splitter with the
 * first mail, the dashboard with its first request, the TLS code only with `--tls`. Start-up time itself is
 * measured by `npm run bench:start`. It runs from the bundle that `npm run build` makes.
 */
import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { killAllCli, startCli } from './helpers/cli.js';
import { moduleProbeImport } from './helpers/module-probe.js';

afterAll(() => killAllCli());

const LATER = ['smtp-server', 'mailparser', '@zone-eu/mailsplit', 'libmime', '@peculiar/x509', 'reflect-metadata'];

/** Starts `mjsim serve` under the module probe, runs `meanwhile`, stops it: the packages it loaded. */
async function packagesOfServe(meanwhile: (smtpPort: number) => Promise<void>): Promise<string[]> {
  const sim = await startCli(['--port', '0', '--smtp-port', '0', '--db', ':memory:', '--clock', 'manual'], { NODE_OPTIONS: `--import ${moduleProbeImport()}` });
  const smtpPort = Number(/SMTP relay: [^:]+:(\d+)/.exec(sim.stdout())?.[1]);
  expect(smtpPort).toBeGreaterThan(0);
  await meanwhile(smtpPort);
  expect(await sim.stop('SIGTERM')).toBe(0);
  const line = /PACKAGES (.*)/.exec(sim.stderr());
  if (!line) throw new Error(`no module list: ${sim.stderr()}`);
  return JSON.parse(line[1] as string) as string[];
}

/** The first line the relay sends on `port`. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.once('data', (text: string) => {
      socket.end('QUIT\r\n');
      resolve(text);
    });
    socket.once('error', reject);
  });
}

it('loads none of the relay, mail parsing or TLS packages before it listens', async () => {
  const packages = await packagesOfServe(async () => undefined);
  // The probe sees what serve loads from node_modules before it listens: the native SQLite driver (hono,
  // drizzle, zod and commander are inside the serve bundle the build makes, scripts/bundle-serve.mjs).
  expect(packages).toContain('better-sqlite3');
  // The driver's addon is named directly (src/db/native-binding.ts), not searched for by `bindings`.
  expect(packages).not.toContain('bindings');
  expect(packages).not.toContain('hono');
  for (const name of LATER) expect(packages).not.toContain(name);
});

it("the relay's port greets its first client, which loads smtp-server (and no mail parsing yet)", async () => {
  const packages = await packagesOfServe(async (port) => {
    expect(await greeting(port)).toMatch(/^220 in-v3\.mjsim\.local /);
  });
  expect(packages).toContain('smtp-server');
  expect(packages).not.toContain('mailparser');
});
