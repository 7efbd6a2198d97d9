/**
 * Configuration, parsed once from flags and environment into a frozen object. Flags win over environment.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseClockSpec, type ClockMode } from '../engine/clock.js';
import type { Settings } from '../engine/settings.js';
import { DEFAULT_DB, DEFAULT_PORT, DEFAULT_SMTP_PORT, OPTIONS } from './config-options.js';
import { parseSmtpChaos, type SmtpChaosRates } from '../core/smtp-chaos.js';
import { readDuration } from '../core/duration.js';
import { DEFAULT_POLICY_NAME, resolvePolicy } from '../core/retry-policy.js';
import { parseScenarioFile } from '../core/scenario-config.js';
import type { PemPair } from '../tls/generate-certificates.js';
import { DEFAULT_TLS_NAMES } from '../tls/self-signed.js';
import { readUserCertificate } from '../tls/user-certificate.js';

// The option table lives apart so that the CLI can print help without loading zod.
export { DEFAULT_DB, DEFAULT_PORT, DEFAULT_SMTP_PORT, OPTIONS } from './config-options.js';
export type { Settings } from '../engine/settings.js';

/**
 * How mjsim serves: plain HTTP, HTTPS with a certificate it makes and keeps in `dir` (for `names`), or
 * HTTPS with the user's own certificate.
 */
export type TlsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'self-signed'; readonly dir: string; readonly names: readonly string[] }
  | { readonly mode: 'certificate'; readonly pair: PemPair };

/** The SMTP relay: where it listens (plain, and implicit TLS when set) and its refusal rates. */
export interface SmtpConfig {
  readonly port: number;
  /** False when the port is the default: then a port in use leaves the relay off with a warning, not a failed start. */
  readonly portChosen: boolean;
  /** Implicit TLS (like Mailjet's 465); needs TLS configured. */
  readonly smtpsPort: number | null;
  readonly chaos: SmtpChaosRates;
}

/** Everything `mjsim serve` needs. */
export interface ServeConfig {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly tls: TlsConfig;
  /** The SMTP relay, or null when off (`--no-smtp`). */
  readonly smtp: SmtpConfig | null;
  readonly apiKeys: readonly { publicKey: string; secretKey: string }[];
  readonly clock: { mode: ClockMode; factor: number };
  readonly settings: Settings;
  /** Prune finished history older than this much clock time (ms); null keeps everything. */
  readonly retainMs: number | null;
  /** How long a stop may take, closing included: in-flight attempts finish within it (ms, real time). */
  readonly stopTimeoutMs: number;
}

/**
 * A duration (core/duration.ts: a bare number is refused, as in every door) from `min` to `max` ms;
 * `range` says the bounds in words. Numbers reach here from the library and are judged the same way.
 */
const duration = (min: number, max: number, range: string) =>
  z.unknown().transform((value, ctx) => {
    const ms = readDuration(value);
    if (typeof ms === 'string') {
      ctx.addIssue({ code: 'custom', message: ms });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${range}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });
/** A whole number from `min` to `max`, given as text (flags, environment) or as a number (library). */
const wholeNumber = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const text = String(value).trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(String(value))}` });
      return z.NEVER;
    }
    return n;
  });
const positiveInt = () => wholeNumber('a whole number of at least 1', 1);
const text = (what: string) =>
  z.string().transform((value, ctx) => {
    if (value === '') {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ""` });
      return z.NEVER;
    }
    return value;
  });
const flagBool = z.union([z.boolean(), z.string()]).transform((value) => value === true || ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase()));

const keyPair = z.string().transform((text, ctx) => {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    ctx.addIssue({ code: 'custom', message: `invalid API key pair "${text}": write PUBLIC:SECRET` });
    return z.NEVER;
  }
  return { publicKey: text.slice(0, colon), secretKey: text.slice(colon + 1) };
});

const tlsSchema = z
  .object({
    mode: z.string(),
    cert: z.string().optional(),
    key: z.string().optional(),
    names: z.string(),
    db: z.string(),
    host: z.string(),
    /** How the user named each TLS setting (a flag or an environment variable), for the messages. */
    labels: z.object({ mode: z.string(), cert: z.string(), key: z.string(), names: z.string() }),
  })
  .transform((raw, ctx): TlsConfig => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    const cert = raw.cert || undefined;
    const key = raw.key || undefined;
    const label = raw.labels;
    if (raw.mode !== 'off' && raw.mode !== 'self-signed') {
      return fail(`${label.mode}: expected off or self-signed, got ${JSON.stringify(raw.mode)} (for your own certificate give ${label.cert} and ${label.key})`);
    }
    if (raw.mode === 'self-signed') {
      if (cert || key) return fail(`${label.mode} self-signed and ${label.cert}/${label.key} exclude each other: choose one`);
      const extra = raw.names.split(',').map((name) => name.trim()).filter(Boolean);
      const listen = raw.host !== '0.0.0.0' && raw.host !== '::' && !raw.host.startsWith('127.') ? [raw.host] : [];
      const names = [...new Set([...DEFAULT_TLS_NAMES, ...listen, ...extra])];
      const invalid = names.find((name) => !isIP(name) && !/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name));
      if (invalid) return fail(`${label.names}: invalid TLS name "${invalid}": give host names or IP addresses`);
      // An in-memory database has no folder: the certificates go where the default database would.
      return { mode: 'self-signed', dir: dirname(raw.db === ':memory:' ? DEFAULT_DB : raw.db), names };
    }
    if (!cert && !key) return { mode: 'off' };
    if (!cert || !key) return fail(`${label.cert} and ${label.key} go together: ${cert ? label.key : label.cert} is missing`);
    const pair = readUserCertificate(cert, key);
    return typeof pair === 'string' ? fail(pair) : { mode: 'certificate', pair };
  });

const schema = z.object({
  port: wholeNumber('a port number (0-65535)', 0, 65535),
  host: text('an address such as 127.0.0.1 or 0.0.0.0'),
  db: text('a file path or :memory:'),
  tls: tlsSchema,
  smtpPort: wholeNumber('a port number (0-65535)', 0, 65535),
  noSmtp: flagBool,
  smtpsPort: z.union([z.undefined(), wholeNumber('a port number (0-65535)', 0, 65535)]),
  smtpChaos: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const rates = parseSmtpChaos(text ?? '');
      if (typeof rates === 'string') {
        ctx.addIssue({ code: 'custom', message: rates });
        return z.NEVER;
      }
      return rates;
    }),
  apiKeys: z.array(keyPair),
  clock: z.string().transform((text, ctx) => {
    const parsed = parseClockSpec(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  }),
  policy: z.string().transform((text, ctx) => {
    const policy = resolvePolicy(text);
    if (typeof policy === 'string') {
      ctx.addIssue({ code: 'custom', message: policy });
      return z.NEVER;
    }
    return policy;
  }),
  // Node's timers overflow past 2^31-1 ms (and then fire at once): a day is far beyond any receiver.
  attemptTimeout: duration(1, 86_400_000, 'a duration from 1ms to 1d, e.g. 10s'),
  accept2xx: flagBool,
  maxBatch: positiveInt(),
  concurrency: positiveInt(),
  urlConcurrency: positiveInt(),
  responseCap: positiveInt(),
  safeMessageIds: flagBool,
  retain: z.unknown().transform((value, ctx) => {
    if (value === undefined || value === '' || value === 'off') return null;
    const ms = readDuration(value);
    if (typeof ms === 'string' || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: typeof ms === 'string' ? ms : `expected a duration above 0 (e.g. 1h, 7d) or off, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  }),
  // A stop longer than a minute is a hang by another name (and container runtimes kill sooner).
  stopTimeout: duration(0, 60_000, 'a duration from 0 to 1m, e.g. 2s, 500ms'),
  scenarioFile: z
    .string()
    .optional()
    .transform((path, ctx) => {
      if (path === undefined || path === '') return undefined;
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot read scenario file ${path}: ${(error as Error).message}` });
        return z.NEVER;
      }
      const scenario = parseScenarioFile(json);
      if (typeof scenario === 'string') {
        ctx.addIssue({ code: 'custom', message: `scenario file ${path}: ${scenario}` });
        return z.NEVER;
      }
      return scenario;
    }),
});

/** The name of each raw option, as `parseServeConfig` takes it. */
export type RawOptionName = Exclude<keyof z.input<typeof schema>, 'tls'> | 'tlsMode' | 'tlsCert' | 'tlsKey' | 'tlsNames';
export type RawServeOptions = Partial<Record<RawOptionName, unknown>>;

/** Each raw option's flag and environment variable, read off the option table (`--tls` is tlsMode). */
const SOURCES = Object.fromEntries(
  OPTIONS.map((option) => {
    const flag = option.flag.split(' ')[0] as string;
    const camel = flag.slice(2).replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    const name = camel === 'tls' ? 'tlsMode' : camel === 'apiKey' ? 'apiKeys' : camel;
    return [name, { flag, env: option.env }];
  }),
) as Record<RawOptionName, { flag: string; env: string }>;

export class ConfigError extends Error {}

/**
 * Parses flags (from commander) over environment over defaults. A `ConfigError` names each bad value as the
 * user gave it: the flag (or the name in `names`, e.g. the library's option names), or the environment
 * variable it came from, then what it accepts and the value (`--port: expected a port number (0-65535), got "abc"`).
 *
 * @example
 * parseServeConfig({ port: '0', clock: 'manual' }, {}) // { port: 0, clock: { mode: 'manual', factor: 0 }, ... }
 */
export function parseServeConfig(flags: RawServeOptions, env: NodeJS.ProcessEnv, names: Partial<Record<RawOptionName, string>> = {}): ServeConfig {
  const labelOf = (name: RawOptionName): string => {
    const source = SOURCES[name];
    if (name === 'apiKeys' && flags.apiKeys === undefined && env.MJSIM_API_KEYS === undefined && env.MJSIM_API_KEY !== undefined) return 'MJSIM_API_KEY';
    const given = name === 'apiKeys' ? Array.isArray(flags.apiKeys) && flags.apiKeys.length > 0 : flags[name] !== undefined;
    return !given && env[source.env] !== undefined ? source.env : (names[name] ?? source.flag);
  };
  // MJSIM_API_KEY is the pair the CLI sends: serving it too means a shell that sets it for the CLI also
  // starts a server that accepts it. Flags replace both variables.
  const envKeys = [...new Set([...(env.MJSIM_API_KEYS ?? '').split(','), env.MJSIM_API_KEY ?? ''].map((pair) => pair.trim()).filter(Boolean))];
  const flagKeys = Array.isArray(flags.apiKeys) && flags.apiKeys.length > 0 ? flags.apiKeys : undefined;
  const publicOf = (pair: string) => pair.slice(0, pair.indexOf(':'));
  const single = env.MJSIM_API_KEY?.trim();
  if (!flagKeys && single && envKeys.some((pair) => pair !== single && publicOf(pair) === publicOf(single))) {
    throw new ConfigError(`MJSIM_API_KEY and MJSIM_API_KEYS give public key "${publicOf(single)}" different secrets: make them agree`);
  }
  const host = flags.host ?? env.MJSIM_HOST ?? '127.0.0.1';
  const db = flags.db ?? env.MJSIM_DB ?? DEFAULT_DB;
  const port = flags.port ?? env.MJSIM_PORT ?? DEFAULT_PORT;
  const raw = {
    port,
    // With --port 0 (tests, parallel CI jobs) the relay takes a free port too, unless told otherwise.
    smtpPort: flags.smtpPort ?? env.MJSIM_SMTP_PORT ?? (String(port).trim() === '0' ? 0 : DEFAULT_SMTP_PORT),
    noSmtp: flags.noSmtp ?? env.MJSIM_NO_SMTP ?? false,
    smtpsPort: flags.smtpsPort ?? env.MJSIM_SMTPS_PORT,
    smtpChaos: flags.smtpChaos ?? env.MJSIM_SMTP_CHAOS,
    host,
    db,
    tls: {
      mode: flags.tlsMode ?? env.MJSIM_TLS ?? 'off',
      cert: flags.tlsCert ?? env.MJSIM_TLS_CERT,
      key: flags.tlsKey ?? env.MJSIM_TLS_KEY,
      names: flags.tlsNames ?? env.MJSIM_TLS_NAMES ?? '',
      db,
      host,
      labels: { mode: labelOf('tlsMode'), cert: labelOf('tlsCert'), key: labelOf('tlsKey'), names: labelOf('tlsNames') },
    },
    apiKeys: flagKeys ?? envKeys,
    clock: flags.clock ?? env.MJSIM_CLOCK ?? 'real',
    policy: flags.policy ?? env.MJSIM_POLICY ?? DEFAULT_POLICY_NAME,
    attemptTimeout: flags.attemptTimeout ?? env.MJSIM_ATTEMPT_TIMEOUT ?? '10s',
    accept2xx: flags.accept2xx ?? env.MJSIM_ACCEPT_2XX ?? false,
    maxBatch: flags.maxBatch ?? env.MJSIM_MAX_BATCH ?? 500,
    concurrency: flags.concurrency ?? env.MJSIM_CONCURRENCY ?? 128,
    urlConcurrency: flags.urlConcurrency ?? env.MJSIM_URL_CONCURRENCY ?? 32,
    responseCap: flags.responseCap ?? env.MJSIM_RESPONSE_CAP ?? 4096,
    safeMessageIds: flags.safeMessageIds ?? env.MJSIM_SAFE_MESSAGE_IDS ?? false,
    scenarioFile: flags.scenarioFile ?? env.MJSIM_SCENARIO_FILE,
    retain: flags.retain ?? env.MJSIM_RETAIN,
    stopTimeout: flags.stopTimeout ?? env.MJSIM_STOP_TIMEOUT ?? '2s',
  };
  // Parsed once per process: zod's compiled fast path for objects would cost more to build than it saves.
  const parsed = schema.safeParse(raw, { jitless: true });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, labelOf)).join('\n'));
  const value = parsed.data;
  if (value.smtpsPort !== undefined && value.tls.mode === 'off') {
    throw new ConfigError(`${labelOf('smtpsPort')}: implicit TLS needs a certificate: add --tls self-signed or --tls-cert/--tls-key`);
  }
  return Object.freeze({
    port: value.port,
    host: value.host,
    db: value.db,
    tls: Object.freeze(value.tls),
    smtp: value.noSmtp
      ? null
      : Object.freeze({ port: value.smtpPort, portChosen: (flags.smtpPort ?? env.MJSIM_SMTP_PORT) !== undefined || value.smtpPort === 0, smtpsPort: value.smtpsPort ?? null, chaos: Object.freeze(value.smtpChaos) }),
    apiKeys: Object.freeze(value.apiKeys),
    clock: Object.freeze(value.clock),
    retainMs: value.retain,
    stopTimeoutMs: value.stopTimeout,
    settings: Object.freeze({
      policy: value.policy,
      attemptTimeoutMs: value.attemptTimeout,
      acceptAny2xx: value.accept2xx,
      maxBatch: value.maxBatch,
      concurrency: value.concurrency,
      perUrlConcurrency: value.urlConcurrency,
      responseCapBytes: value.responseCap,
      safeMessageIds: value.safeMessageIds,
      scenario: value.scenarioFile,
    }),
  });
}

/**
 * One line of a `ConfigError`: the option as the user named it, then the problem. TLS messages name their
 * settings themselves (they are about pairs of them); an API key is named by its flag, not its index.
 */
function describeIssue(issue: z.core.$ZodIssue, labelOf: (name: RawOptionName) => string): string {
  const [key] = issue.path;
  if (key === 'tls' || typeof key !== 'string') return issue.message;
  return `${labelOf(key as RawOptionName)}: ${issue.message}`;
}

/** Settings with every default, for the library API and tests. */
export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return Object.freeze({ ...parseServeConfig({}, {}).settings, ...overrides });
}
