/**
 * One error class and one closed set of codes; `statusOf` maps each code to its HTTP status.
 * `app.onError` (see app.ts) writes the envelope the route's API promises.
 */

export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'invalid-input'
  | 'malformed-json'
  | 'duplicate'
  | 'read-only-property'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'clock-not-movable'
  | 'clock-out-of-range'
  | 'conflict'
  | 'https-required'
  | 'storage-full'
  | 'storage-unavailable'
  | 'internal';

/** The HTTP status of an error code. @example statusOf('payload-too-large') // 413 */
export function statusOf(code: ErrorCode): 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 500 | 503 | 507 {
  switch (code) {
    case 'invalid-input':
    case 'malformed-json':
    case 'duplicate':
    case 'read-only-property':
    case 'clock-out-of-range':
    case 'https-required':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'method-not-allowed':
      return 405;
    case 'clock-not-movable':
    case 'conflict':
      return 409;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'internal':
      return 500;
    case 'storage-unavailable':
      return 503;
    case 'storage-full':
      return 507;
  }
}

/**
 * Codes that describe mjsim's own state rather than the request: the same request may succeed later. The
 * answer carries `Retry-After`, and in Mailjet's envelopes a code of mjsim's own (Mailjet has none for it).
 *
 * @example
 * retryableCode('storage-full') // 'mjsim-storage-full'
 */
export function retryableCode(code: ErrorCode): string | undefined {
  return code === 'storage-full' || code === 'storage-unavailable' ? `mjsim-${code}` : undefined;
}

/** Seconds a client should wait before retrying a request refused with a retryable code. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * An error that becomes a response. `mailjetCode` is the Send API's code (e.g. `mj-0002`) where one applies.
 *
 * @example
 * throw new ApiError('not-found', 'Object not found');
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly mailjetCode?: string,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf(this.code);
  }
}

/** Mailjet's 401 message on the Send API v3.1. */
export const SEND_API_AUTH_MESSAGE =
  'API key authentication/authorization failure. You may be unauthorized to access the API or your API key may be expired. Visit API keys management section to check your keys.';

/** Mailjet's realm on every Basic-auth challenge. */
export const AUTH_REALM = 'Basic realm="Provide an apiKey and secretKey"';
