/**
 * Mailjet's `error_related_to` / `error` pairs (docs/sending-mail.md#scenarios), each with the scenario slug that selects it,
 * whether a bounce with it is hard by default, and a realistic SMTP `comment` for bounce events.
 */

export type ErrorGroup = 'recipient' | 'domain' | 'content' | 'spam' | 'system' | 'mailjet';

/** One `error_related_to` / `error` pair. */
export interface ErrorPair {
  readonly relatedTo: ErrorGroup;
  readonly error: string;
  /** Used in address tags and headers: `bounce-<slug>`, `blocked-<slug>`. */
  readonly slug: string;
  /** Whether a bounce with this error is permanent unless the tag says otherwise. */
  readonly hard: boolean;
  /** The SMTP answer in a bounce's `comment`; `{email}` and `{domain}` are filled in. */
  readonly comment: string;
}

const pair = (relatedTo: ErrorGroup, error: string, hard: boolean, comment: string): ErrorPair => ({
  relatedTo,
  error,
  slug: error.replace(/[^a-z0-9]+/g, '-'),
  hard,
  comment,
});

/** Every pair of the reference's table, in its order. */
export const ERROR_PAIRS: readonly ErrorPair[] = [
  pair('recipient', 'user unknown', true, '550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table'),
  pair('recipient', 'mailbox inactive', true, '550 5.2.1 <{email}>: The email account that you tried to reach is disabled'),
  pair('recipient', 'quota exceeded', false, '452 4.2.2 <{email}>: The email account that you tried to reach is over quota'),
  pair('recipient', 'blacklisted', true, '550 5.7.1 <{email}>: Recipient address is on the blacklist of this account'),
  pair('recipient', 'spam reporter', true, '550 5.7.1 <{email}>: Recipient has previously reported a message from this sender as spam'),
  pair('domain', 'invalid domain', true, 'Host or domain name not found. Name service error for name={domain} type=A: Host not found'),
  pair('domain', 'no mail host', true, 'No MX or A record found for {domain}'),
  pair('domain', 'relay/access denied', true, '554 5.7.1 <{email}>: Relay access denied'),
  pair('domain', 'greylisted', false, '450 4.7.1 <{email}>: Recipient address rejected: Greylisted, please try again later'),
  pair('domain', 'typofix', true, 'The domain {domain} looks like a misspelling of a common mail domain'),
  pair('content', 'bad or empty template', true, 'The template of this message is empty or could not be rendered'),
  pair('content', 'error in template language', true, 'Error in template language: the message could not be rendered'),
  pair('spam', 'sender blocked', false, '554 5.7.1 Service unavailable; Client host blocked using a DNS blocklist'),
  pair('spam', 'content blocked', false, '554 5.7.1 Message rejected because of unacceptable content'),
  pair('spam', 'policy issue', false, '550 5.7.1 Message rejected due to the local policy of {domain}'),
  pair('system', 'system issue', false, '451 4.3.0 Mail server temporarily rejected message'),
  pair('system', 'protocol issue', false, '421 4.4.2 Connection dropped because of an SMTP protocol error'),
  pair('system', 'connection issue', false, 'Connection timed out while talking to the mail host of {domain}'),
  pair('mailjet', 'preblocked', true, 'The address was preblocked by Mailjet after earlier hard bounces'),
  pair('mailjet', 'duplicate in campaign', true, 'The recipient already received a message of this campaign'),
];

/**
 * The pair for a slug such as `quota-exceeded` or `relay-access-denied`.
 *
 * @example
 * errorPairBySlug('quota-exceeded') // { relatedTo: 'recipient', error: 'quota exceeded', hard: false, ... }
 */
export function errorPairBySlug(slug: string): ErrorPair | undefined {
  return ERROR_PAIRS.find((candidate) => candidate.slug === slug.toLowerCase());
}

/**
 * The pair with this `error` text.
 *
 * @example
 * errorPairOf('user unknown').relatedTo // 'recipient'
 */
export function errorPairOf(error: string): ErrorPair {
  const found = ERROR_PAIRS.find((candidate) => candidate.error === error);
  if (!found) throw new Error(`no Mailjet error "${error}"`);
  return found;
}

/**
 * The `comment` of a bounce for `email`.
 *
 * @example
 * bounceComment(errorPairOf('no mail host'), 'a@nowhere.test') // 'No MX or A record found for nowhere.test'
 */
export function bounceComment(errorPair: ErrorPair, email: string): string {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return errorPair.comment.replaceAll('{email}', email).replaceAll('{domain}', domain);
}
