/**
 * The `serve` options as data (flag, environment variable, default, meaning) and the defaults they name,
 * apart from their parsing (config.ts, zod): the CLI builds its help from this module on every run, so it
 * must stay cheap to import.
 */
import { DEFAULT_POLICY_NAME } from '../core/retry-policy.js';

/** The port mjsim listens on by default: unused by common dev tools. */
export const DEFAULT_PORT = 7355;
export const DEFAULT_DB = '.mjsim/mjsim.db';
/** The SMTP relay's port by default (Mailjet's relay listens on 587/465; those need root or clash). */
export const DEFAULT_SMTP_PORT = 7356;

/** Each option: its flag, its environment variable, its default and what it means (the table in docs/cli.md). */
export const OPTIONS = [
  { flag: '--port <n>', env: 'MJSIM_PORT', default: String(DEFAULT_PORT), help: 'port to listen on (0 picks a free one)' },
  { flag: '--host <addr>', env: 'MJSIM_HOST', default: '127.0.0.1', help: 'address to listen on' },
  { flag: '--db <path>', env: 'MJSIM_DB', default: DEFAULT_DB, help: 'SQLite file (WAL mode), or :memory:' },
  {
    flag: '--tls <mode>',
    env: 'MJSIM_TLS',
    default: 'off',
    help: 'self-signed: serve HTTPS with a certificate mjsim makes, signed by mjsim-ca.pem beside the database',
  },
  { flag: '--tls-cert <pem>', env: 'MJSIM_TLS_CERT', default: '(none)', help: 'serve HTTPS with this certificate (PEM, chain may follow); needs --tls-key' },
  { flag: '--tls-key <pem>', env: 'MJSIM_TLS_KEY', default: '(none)', help: 'the private key of --tls-cert (PEM, no passphrase)' },
  { flag: '--tls-names <names>', env: 'MJSIM_TLS_NAMES', default: '(none)', help: 'more host names or IPs for the self-signed certificate, comma-separated' },
  {
    flag: '--smtp-port <n>',
    env: 'MJSIM_SMTP_PORT',
    default: `${DEFAULT_SMTP_PORT} (a free one with --port 0)`,
    help: 'port of the SMTP relay (Mailjet\'s in-v3.mailjet.com); 0 picks a free one',
  },
  { flag: '--no-smtp', env: 'MJSIM_NO_SMTP', default: 'off', help: 'do not start the SMTP relay' },
  { flag: '--smtps-port <n>', env: 'MJSIM_SMTPS_PORT', default: '(none)', help: 'also serve SMTP over implicit TLS on this port (like Mailjet\'s 465); needs TLS' },
  {
    flag: '--smtp-chaos <rates>',
    env: 'MJSIM_SMTP_CHAOS',
    default: '(none)',
    help: 'refuse mail at random per stage, e.g. mail=0.05,rcpt:550=0.1,data:451=0.2 (see docs/smtp.md)',
  },
  {
    flag: '--api-key <public:secret>',
    env: 'MJSIM_API_KEYS',
    default: '(a generated dev pair)',
    help: 'an account\'s key pair; repeatable (env: comma-separated)',
  },
  { flag: '--clock <mode>', env: 'MJSIM_CLOCK', default: 'real', help: 'real, manual, or a speed-up such as 100x' },
  { flag: '--policy <name>', env: 'MJSIM_POLICY', default: DEFAULT_POLICY_NAME, help: 'mailjet-2017, mailjet-2015, mailjet-current, or custom:30s*10,30m*10' },
  { flag: '--attempt-timeout <duration>', env: 'MJSIM_ATTEMPT_TIMEOUT', default: '10s', help: 'per-attempt timeout (real time)' },
  { flag: '--accept-2xx', env: 'MJSIM_ACCEPT_2XX', default: 'off', help: 'count any 2xx as success (Mailjet: only 200)' },
  { flag: '--max-batch <n>', env: 'MJSIM_MAX_BATCH', default: '500', help: 'most events in one Version 2 POST' },
  { flag: '--concurrency <n>', env: 'MJSIM_CONCURRENCY', default: '128', help: 'attempts in flight at once, overall' },
  { flag: '--url-concurrency <n>', env: 'MJSIM_URL_CONCURRENCY', default: '32', help: 'attempts in flight at once, per URL' },
  { flag: '--response-cap <bytes>', env: 'MJSIM_RESPONSE_CAP', default: '4096', help: 'how much of each response body is kept' },
  { flag: '--safe-message-ids', env: 'MJSIM_SAFE_MESSAGE_IDS', default: 'off', help: 'generate MessageIDs below 2^53' },
  {
    flag: '--scenario-file <path>',
    env: 'MJSIM_SCENARIO_FILE',
    default: '(none: messages are just sent)',
    help: 'JSON file of event probabilities, delays and a seed for sent messages',
  },
  {
    flag: '--retain <duration>',
    env: 'MJSIM_RETAIN',
    default: '(keep everything)',
    help: 'prune finished deliveries, their attempts and events older than this (clock time), e.g. 1h or 7d',
  },
  {
    flag: '--stop-timeout <duration>',
    env: 'MJSIM_STOP_TIMEOUT',
    default: '2s',
    help: 'on SIGTERM/SIGINT, how long in-flight attempts may finish (closing included); 0: stop at once',
  },
] as const;
