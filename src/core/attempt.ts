/**
 * An attempt as the library and the control API show it, and how it can end. Plain types here, so the
 * package's public declarations reach them without the storage layer (and its drizzle types).
 */

/** How an attempt ended (`self`: refused by mjsim, the URL points at its own listener). */
export type AttemptOutcome =
  | 'success'
  | 'http-status'
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'dns'
  | 'tls'
  | 'self'
  | 'error'
  | 'interrupted'
  | 'url-gone';

export interface Attempt {
  id: number;
  deliveryId: number;
  number: number;
  url: string;
  scheduledAt: number;
  startedAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome | null;
  httpStatus: number | null;
  latencyMs: number | null;
  responseBody: string | null;
  error: string | null;
}

/** How one finished attempt ended, as the engine records it (`success` already decided by the engine). */
export interface AttemptResult {
  endedAt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}
