/**
 * The library's start options (`createSimulator(options)`): types only, so that the package's declarations
 * stay clear of the config and engine layers (simulator-config.ts turns them into a serve config).
 */

/**
 * How to start a simulator; every field is optional.
 *
 * @example
 * await createSimulator({ policy: 'custom:1s*2', startAt: '2026-01-01T00:00:00Z', attemptTimeout: '2s' });
 */
export interface SimulatorOptions {
  /** `'manual'` (default: time moves only when you call `advance`), `'real'`, or a speed-up such as `'100x'`. */
  clock?: 'manual' | 'real' | `${number}x`;
  /** Where a manual or scaled clock starts: a Date or ISO 8601 text (epoch milliseconds are refused). Default: now. */
  startAt?: Date | string;
  /** Retry policy: `mailjet-2017` (default), `mailjet-2015`, `mailjet-current` or `custom:30s*3,1m*2`. */
  policy?: string;
  /** SQLite file; default `':memory:'`. The simulator holds a file until `close()`: another simulator or `mjsim serve` on it is refused. */
  db?: string;
  /** The account's key pair; default a generated one. */
  apiKey?: string;
  apiSecret?: string;
  /** Default 0 (a free port) on 127.0.0.1. */
  port?: number;
  host?: string;
  /** Per-attempt timeout, e.g. `'2s'`; default `'10s'`. Like every duration option, a bare number is refused. */
  attemptTimeout?: string;
  /** Count any 2xx as success (Mailjet: only 200). */
  acceptAny2xx?: boolean;
  /** Most events in one Version 2 POST; default 500. */
  maxBatch?: number;
  /** Generate MessageIDs below 2^53. */
  safeMessageIds?: boolean;
  /**
   * Serve HTTPS: `'self-signed'` (a certificate for localhost, 127.0.0.1 and ::1 signed by a CA kept as
   * `mjsim-ca.pem` beside `db`, or in `.mjsim/` for `':memory:'`; see `caPath`), or your own certificate and
   * key (PEM text or file paths). Default: plain HTTP.
   */
  tls?: 'self-signed' | { cert: string; key: string };
  /** More host names or IPs for the self-signed certificate. */
  tlsNames?: readonly string[];
  /**
   * Start the SMTP relay (Mailjet's `in-v3.mailjet.com`): `true` on a free port, or `{ port }` (0: a free one;
   * `smtpsPort` adds implicit TLS, with `tls`). Default: off. The port is `sim.smtpPort`.
   */
  smtp?: boolean | { port?: number; smtpsPort?: number; chaos?: string };
  /** Prune finished deliveries, their attempts and events older than this much clock time (`'1h'`, `'7d'`); default: keep everything. */
  retain?: string;
  /**
   * How long `close()` lets attempts in flight finish and be recorded (`'2s'`, `'0'`: stop at once).
   * Default `'2s'`: a receiver that hangs delays `close()` by up to that much.
   */
  stopTimeout?: string;
}
