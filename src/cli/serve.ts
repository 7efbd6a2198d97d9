/**
 * `mjsim serve`: parses the flags (over MJSIM_* environment, over defaults), starts the server, prints where
 * it listens and how to try it, and stops cleanly on SIGTERM/SIGINT. The server and zod are loaded only
 * when it runs, so building the command tree stays cheap.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { RawServeOptions } from '../config/config.js';
import { OPTIONS } from '../config/config-options.js';
import { compactDuration, formatDuration } from '../core/duration.js';
import { policyShortForm } from '../core/retry-policy.js';
import { VERSION } from '../core/version.js';
import { whenLauncherGone } from './launcher.js';
import { plural } from '../core/plural.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Adds `serve`, one option per entry of the option table (config-options.ts).
 *
 * @example
 * registerServeCommand(program); // $ mjsim serve --clock manual --port 0
 */
export function registerServeCommand(program: Command): void {
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
      smtpPort: flags.smtpPort,
      // commander turns --no-smtp into smtp: false (true otherwise, so only false is a choice).
      noSmtp: flags.smtp === false ? true : undefined,
      smtpsPort: flags.smtpsPort,
      smtpChaos: flags.smtpChaos,
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
    const { DatabaseInUseError } = await import('../db/db-lock.js');
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
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${(error as { port?: number }).port ?? config.port} is in use (try --port 0 or another port)`
          : error instanceof DatabaseInUseError
            ? `${error.message}: stop it first, or point --db at another file`
            : error.message;
      console.error(`mjsim: cannot start: ${why}`);
      process.exit(1);
    });
    // On every interface (a container): say so, and give a URL that reaches it from this machine.
    const everywhere = config.host === '0.0.0.0' || config.host === '::';
    const bind = everywhere ? `${config.host === '::' ? '[::]' : config.host}:${server.port} (every interface; from this machine: ${server.url})` : server.url;
    const lines = [
      `mjsim ${VERSION} listening on ${bind}`,
      `  database: ${config.db}   clock: ${config.clock.mode === 'scaled' ? `${config.clock.factor}x` : config.clock.mode} (server-wide)${
        config.retainMs === null ? '' : `   retain: ${formatDuration(config.retainMs)}`
      }`,
      `  retry policy: ${config.settings.policy.name} (${policyShortForm(config.settings.policy)})   attempt timeout: ${compactDuration(config.settings.attemptTimeoutMs)}`,
    ];
    const selfSigned = server.selfSigned;
    if (selfSigned) {
      lines.push(
        `  TLS: self-signed certificate for ${config.tls.mode === 'self-signed' ? config.tls.names.join(', ') : ''}`,
        `  CA: ${resolve(selfSigned.caPath)}${selfSigned.created.ca ? ' (new: trust it once)' : ''}`,
        '    trust it per client, not machine-wide: NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, curl --cacert (docs/mailjet-api.md#https)',
      );
    }
    const smtp = server.smtp;
    const smtpHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    if (smtp) {
      lines.push(
        `  SMTP relay: ${smtpHost}:${smtp.port}${config.tls.mode === 'off' ? '' : ' (STARTTLS)'}${smtp.smtpsPort === null ? '' : `, implicit TLS on ${smtp.smtpsPort}`}` +
          '   user: API key, password: secret key',
      );
    }
    if (server.smtpWarning) lines.push(`  ${server.smtpWarning}`);
    if (server.interrupted) lines.push(`  recovered ${plural(server.interrupted, 'attempt')} interrupted by the last stop; ${server.interrupted === 1 ? 'it is' : 'they are'} retried now`);
    for (const account of server.accounts) {
      lines.push(`  account APIKeyID ${account.id}: ${account.publicKey}${account.isDev ? ` (dev key, secret ${account.secretKey})` : ''}`);
    }
    const dev = server.devAccount;
    if (dev) {
      lines.push(
        '',
        // Version 1: each event is POSTed as soon as it is due, so `mjsim emit open` arrives without moving
        // a manual clock (a Version 2 group waits for its one-second window to close).
        'Try it (a Version 1 URL: each event is POSTed as soon as it is due):',
        `  curl -s${selfSigned ? ` --cacert ${selfSigned.caPath}` : ''} -u ${dev.publicKey}:${dev.secretKey} ${server.url}/v3/REST/eventcallbackurl \\`,
        `    -H 'Content-Type: application/json' -d '{"EventType":"open","Url":"http://127.0.0.1:8080/webhook","Version":1}'`,
      );
    }
    if (smtp) {
      // curl speaks SMTP: one line that sends a mail through the relay, ready to paste.
      const credentials = dev ? `${dev.publicKey}:${dev.secretKey}` : 'API_KEY:SECRET_KEY';
      lines.push(
        '',
        'Send a mail through the SMTP relay:',
        `  printf 'From: app@example.com\\r\\nTo: jane@example.com\\r\\nSubject: Hello\\r\\n\\r\\nHi\\r\\n' | curl -s smtp://${smtpHost}:${smtp.port} \\`,
        `    -u ${credentials} --mail-from app@example.com --mail-rcpt jane@example.com -T -`,
      );
    }
    // The handlers go in before the banner: a supervisor (or a test) that signals as soon as it reads the
    // banner must get a clean stop, not the default SIGTERM death.
    // The first signal drains (up to --stop-timeout); a second exits at once, 128 + the signal's number,
    // leaving attempts in flight to the next start's recovery.
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals, why = `${signal} received`) => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      console.log(`mjsim: ${why}, shutting down (again to stop at once)`);
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // Node passes the signal's number as a second argument: not a reason.
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    console.log(lines.join('\n'));
    // `npx mjsim serve &` then `kill $!` signals npm, and the signal may not reach us (launcher.ts). Not a
    // second signal: after Ctrl-C the whole group goes, npm included, while mjsim drains.
    whenLauncherGone(() => stopping || shutdown('SIGTERM', 'npx (npm exec), which started mjsim, has stopped'));
  });
}
