/** mjsim's version, as sent in the webhook User-Agent. Kept in step with package.json by a test. */
export const VERSION = '0.1.0';

/** The User-Agent of every webhook POST. */
export const WEBHOOK_USER_AGENT = `mjsim/${VERSION} (mailjet-webhook-simulator)`;

/**
 * True for a request sent by an mjsim (any version): its webhook User-Agent. Such a request is a webhook
 * that came back in, so it is refused (a loop would amplify without end).
 *
 * @example
 * isMjsimUserAgent('mjsim/0.1.0 (mailjet-webhook-simulator)') // true
 */
export function isMjsimUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /\(mailjet-webhook-simulator\)/i.test(userAgent);
}
