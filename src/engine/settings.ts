/**
 * The delivery settings the engine reads. They belong to the engine, not to the configuration that fills
 * them in (config/config.ts parses flags and environment into them): the engine and the use cases import
 * this type without depending on the parsing, zod or TLS.
 */
import type { RetryPolicy } from '../core/retry-policy.js';
import type { ScenarioFile } from '../core/scenario-config.js';

/** Delivery settings the engine reads. */
export interface Settings {
  readonly policy: RetryPolicy;
  readonly attemptTimeoutMs: number;
  readonly acceptAny2xx: boolean;
  readonly maxBatch: number;
  readonly concurrency: number;
  readonly perUrlConcurrency: number;
  readonly responseCapBytes: number;
  /** Keep generated MessageIDs below 2^53 (for consumers that parse JSON into doubles). */
  readonly safeMessageIds: boolean;
  /** The account-default lifecycle scenario of sent messages (`--scenario-file`); none: messages are just sent. */
  readonly scenario?: ScenarioFile | undefined;
}
