/**
 * The `mjsim` command: a thin layer over `startServer` and over the control API of a running server.
 * Building the command tree loads only commander and light modules; each action imports what it needs
 * (the server, zod, SQLite) when it runs, so `mjsim clock show` or `--help` starts in about bare Node's time.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { RawServeOptions } from '../config/config.js';
import { OPTIONS } from '../config/config-options.js';
import { formatDuration } from '../core/duration.js';
import { VERSION } from '../core/version.js';
import { registerClientCommands } from './client.js';
import { registerTrafficCommands } from './generate.js';
import { registerUrlCommands } from './urls.js';
import { registerPruneCommand } from './prune.js';
import { registerCheckCommand } from './check.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Builds the command tree (exported for tests of the help text). */
export function buildCli(): Command {
  const program = new Command('mjsim')
    .description('Mailjet-compatible webhook provider simulator')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');

  const serve = program.command('serve').description('start the simulator (Mailjet API, delivery engine, control API)');
  for (const option of OPTIONS) {
    const [flag] = option.flag.split(' ');
    const attribute = flag === '--api-key' ? 'apiKeys' : undefined;
    const built = new Option(option.flag, `${option.help} [env ${option.env}, default ${option.default}]`);
    if (attribute) built.argParser(collect);
    serve.addOption(built);
  }
  serve.action(async (flags: Record<string, unknown>) => {
    const raw: RawServeOptions = {
      port: flags.port,
      host: flags.host,
      db: flags.db,
      tlsMode: flags.tls,
      tlsCert: flags.tlsCert,
      tlsKey: flags.tlsKey,
      tlsNames: flags.tlsNames,
      apiKeys: flags.apiKey,
      clock: flags.clock,
      policy: flags.policy,
      attemptTimeout: flags.attemptTimeout,
      accept2xx: flags.accept2xx,
      maxBatch: flags.maxBatch,
      concurrency: flags.concurrency,
      urlConcurrency: flags.urlConcurrency,
      responseCap: flags.responseCap,
      safeMessageIds: flags.safeMessageIds,
      scenarioFile: flags.scenarioFile,
      retain: flags.retain,
      stopTimeout: flags.stopTimeout,
    };
    const { ConfigError, parseServeConfig } = await import('../config/config.js');
    const { startServer } = await import('../serve.js');
    let config;
    try {
      config = parseServeConfig(raw, process.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`mjsim: ${error.message}`);
        process.exit(2);
      }
      throw error;
    }
    const server = await startServer(config).catch((error: NodeJS.ErrnoException) => {
      console.error(`mjsim: cannot start: ${error.code === 'EADDRINUSE' ? `port ${config.port} is in use (try --port 0 or another port)` : error.message}`);
      process.exit(1);
    });
    const lines = [
      `mjsim ${VERSION} listening on ${server.url}`,
      `  database: ${config.db}   clock: ${config.clock.mode === 'scaled' ? `${config.clock.factor}x` : config.clock.mode}   retry policy: ${config.settings.policy.name}${
        config.retainMs === null ? '' : `   retain: ${formatDuration(config.retainMs)}`
      }`,
    ];
    const selfSigned = server.selfSigned;
    if (selfSigned) {
      lines.push(
        `  TLS: self-signed certificate for ${config.tls.mode === 'self-signed' ? config.tls.names.join(', ') : ''}`,
        `  CA: ${resolve(selfSigned.caPath)}${selfSigned.created.ca ? ' (new: trust it once)' : ''}`,
        '    clients trust it with NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, curl --cacert or the system store',
      );
    }
    if (server.interrupted) lines.push(`  recovered ${server.interrupted} attempt(s) interrupted by the last stop; they are retried now`);
    for (const account of server.accounts) {
      lines.push(`  account APIKeyID ${account.id}: ${account.publicKey}${account.isDev ? ` (dev key, secret ${account.secretKey})` : ''}`);
    }
    const dev = server.devAccount;
    if (dev) {
      lines.push(
        '',
        'Try it:',
        `  curl -s${selfSigned ? ` --cacert ${selfSigned.caPath}` : ''} -u ${dev.publicKey}:${dev.secretKey} ${server.url}/v3/REST/eventcallbackurl \\`,
        `    -H 'Content-Type: application/json' -d '{"EventType":"open","Url":"http://127.0.0.1:8080/webhook","Version":2}'`,
      );
    }
    console.log(lines.join('\n'));
    // The first signal drains (up to --stop-timeout); a second exits at once, 128 + the signal's number,
    // leaving attempts in flight to the next start's recovery.
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      console.log(`mjsim: ${signal} received, shutting down (again to stop at once)`);
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });

  program
    .command('demo')
    .description('watch retries and a suspension: mjsim on a fast clock with a flaky receiver, URLs and traffic')
    .option('--speed <factor>', 'clock speed-up (600x: the always-down URL is suspended after ~30 s)', '600x')
    .option('--port <n>', 'port to listen on [default 7355, or a free one when taken]')
    .option('--policy <name>', 'retry policy (see serve --help)')
    .option('--traffic <ms>', 'real milliseconds between generated batches of events (0: none)', '1500')
    .action(async (flags: { speed: string; port?: string; policy?: string; traffic: string }) => {
      const [{ runDemo }, { ConfigError }] = await Promise.all([import('./demo-run.js'), import('../config/config.js')]);
      let demo;
      try {
        demo = await runDemo({ clock: flags.speed, port: flags.port === undefined ? undefined : Number(flags.port), policy: flags.policy, trafficEveryMs: Number(flags.traffic) });
      } catch (error) {
        console.error(`mjsim: ${(error as Error).message}`);
        process.exit(error instanceof ConfigError ? 2 : 1);
      }
      const stop = () => demo.stop().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  registerClientCommands(program);
  registerUrlCommands(program);
  registerTrafficCommands(program);
  registerPruneCommand(program);
  registerCheckCommand(program);
  return program;
}

/** Runs the CLI with `argv`. */
export async function runCli(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
