/**
 * The command tree is cheap to build: `mjsim --help` and the control-API commands load commander and nothing
 * of the server (hono, drizzle, better-sqlite3, zod). Start-up time itself is measured by `npm run bench:cli`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, killAllCli, startCli, type CliSim } from './helpers/cli.js';
import { packagesLoaded } from './helpers/module-probe.js';

let sim: CliSim;
const env = () => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_'))), MJSIM_URL: sim.url, MJSIM_API_KEY: 'K1:S1' });

beforeAll(async () => {
  sim = await startCli(['--port', '0', '--db', ':memory:', '--clock', 'manual', '--api-key', 'K1:S1']);
});
afterAll(() => killAllCli());

describe('mjsim start-up', () => {
  it('--help and clock show load no server package', () => {
    const help = packagesLoaded([BIN, '--help'], env());
    expect(help).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: mjsim') });
    expect(help.packages).toEqual(['commander']);
    const show = packagesLoaded([BIN, 'clock', 'show'], env());
    expect(show).toMatchObject({ status: 0, stdout: expect.stringContaining('(manual, server-wide), next due: nothing') });
    expect(show.packages).toEqual(['commander']);
  });

  it('the probe sees the server packages when a command does load them', () => {
    const loaded = packagesLoaded(['-e', "await import('better-sqlite3'); await import('zod')", '--input-type=module'], env());
    expect(loaded.packages).toEqual(expect.arrayContaining(['better-sqlite3', 'zod']));
  });
});
