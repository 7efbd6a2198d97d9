/**
 * How the library's start options become a serve config: the same schema as `mjsim serve`'s flags and MJSIM_*
 * variables (config/config.ts), so an option is checked once, and a problem names the option as the library
 * spells it (`attemptTimeout`, not `--attempt-timeout`).
 */
import { parseServeConfig, type ServeConfig } from './config/config.js';
import type { SimulatorOptions } from './simulator-options.js';

/** How a `ConfigError` names each option: as `SimulatorOptions` spells it, not as the serve flag. */
const LIBRARY_OPTION_NAMES = {
  port: 'port',
  host: 'host',
  db: 'db',
  apiKeys: 'apiKey:apiSecret',
  clock: 'clock',
  policy: 'policy',
  attemptTimeout: 'attemptTimeout',
  accept2xx: 'acceptAny2xx',
  maxBatch: 'maxBatch',
  safeMessageIds: 'safeMessageIds',
  tlsMode: 'tls',
  tlsCert: 'tls.cert',
  smtpPort: 'smtp.port',
  smtpsPort: 'smtp.smtpsPort',
  smtpChaos: 'smtp.chaos',
  tlsKey: 'tls.key',
  tlsNames: 'tlsNames',
  retain: 'retain',
  stopTimeout: 'stopTimeout',
} as const;

/**
 * The serve config of a library simulator: 127.0.0.1, a free port, `:memory:` and the manual clock unless
 * told otherwise, with the account's key pair.
 *
 * @example
 * const config = serveConfigOf({ policy: 'custom:1s*2' }, 'public', 'secret');
 */
export function serveConfigOf(options: SimulatorOptions, apiKey: string, apiSecret: string): ServeConfig {
  return parseServeConfig(
    {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      db: options.db ?? ':memory:',
      apiKeys: [`${apiKey}:${apiSecret}`],
      clock: options.clock ?? 'manual',
      policy: options.policy,
      attemptTimeout: options.attemptTimeout,
      accept2xx: options.acceptAny2xx,
      maxBatch: options.maxBatch,
      safeMessageIds: options.safeMessageIds,
      tlsMode: typeof options.tls === 'string' ? options.tls : undefined,
      tlsCert: typeof options.tls === 'object' ? options.tls.cert : undefined,
      tlsKey: typeof options.tls === 'object' ? options.tls.key : undefined,
      tlsNames: options.tlsNames?.join(','),
      retain: options.retain,
      stopTimeout: options.stopTimeout,
      noSmtp: !options.smtp,
      smtpPort: typeof options.smtp === 'object' ? (options.smtp.port ?? 0) : 0,
      smtpsPort: typeof options.smtp === 'object' ? options.smtp.smtpsPort : undefined,
      smtpChaos: typeof options.smtp === 'object' ? options.smtp.chaos : undefined,
    },
    {},
    LIBRARY_OPTION_NAMES,
  );
}
