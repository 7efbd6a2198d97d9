/**
 * How the SMTP relay is configured and started: on by default at 7356 (a free port with `--port 0`),
 * `--no-smtp`, `--smtps-port` only with TLS, the library's `smtp` option, and a default port already taken.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig } from '../src/config/config.js';
import { startServer } from '../src/serve.js';
import { createSimulator } from '../src/simulator.js';
import { loggedIn } from './helpers/smtp.js';
import { startTestSim } from './helpers/sim.js';

describe('SMTP relay configuration', () => {
  it('defaults to 7356, follows --port 0, turns off with --no-smtp, and wants TLS for --smtps-port', () => {
    expect(parseServeConfig({}, {}).smtp).toMatchObject({ port: 7356, portChosen: false, smtpsPort: null, chaos: {} });
    expect(parseServeConfig({ port: '0' }, {}).smtp).toMatchObject({ port: 0 });
    expect(parseServeConfig({}, { MJSIM_SMTP_PORT: '2525' }).smtp).toMatchObject({ port: 2525, portChosen: true });
    expect(parseServeConfig({ noSmtp: true }, {}).smtp).toBeNull();
    expect(parseServeConfig({}, { MJSIM_NO_SMTP: '1' }).smtp).toBeNull();
    expect(() => parseServeConfig({ smtpsPort: '4650' }, {})).toThrow(ConfigError);
    expect(() => parseServeConfig({ smtpChaos: 'data=7' }, {})).toThrow('--smtp-chaos: invalid rate "7" for data: give a number from 0 to 1');
    expect(() => parseServeConfig({}, { MJSIM_SMTP_PORT: 'x' })).toThrow('MJSIM_SMTP_PORT: expected a port number (0-65535), got "x"');
  });

  it('the library starts the relay only when asked, and exposes its port', async () => {
    const off = await createSimulator();
    expect(off.smtpPort).toBeUndefined();
    await off.close();
    const on = await createSimulator({ smtp: true });
    expect(on.smtpPort).toBeGreaterThan(0);
    const health = (await (await fetch(`${on.url}/sim/health`)).json()) as { smtp: { port: number } };
    expect(health.smtp.port).toBe(on.smtpPort);
    await on.close();
  });

  it('a default port already in use leaves the relay off with a warning; a chosen one fails the start', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const base = parseServeConfig({ port: '0', db: ':memory:', clock: 'manual' }, {});
    const server = await startServer({ ...base, smtp: { ...base.smtp!, port: taken, portChosen: false } });
    expect(server.smtp).toBeUndefined();
    expect(server.smtpWarning).toBe(`SMTP relay not started: port ${taken} is in use (give --smtp-port 0 for a free one, or --no-smtp)`);
    await server.close();
    await expect(startServer({ ...base, smtp: { ...base.smtp!, port: taken, portChosen: true } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });

  it('a stop closes open SMTP connections with 421 within the stop timeout', async () => {
    const sim = await startTestSim();
    const smtp = await loggedIn(sim.server.smtp!.port);
    const started = performance.now();
    await sim.close(); // stop timeout 0
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await smtp.reply()).code).toBe(421);
    await smtp.closed;
  });
});
