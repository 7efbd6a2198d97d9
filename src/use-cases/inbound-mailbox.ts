/**
 * The seam between the SMTP listener (Mailjet's relay, issue "SMTP relay") and the Parse API (inbound mail
 * to a `parseroute` address). The listener knows SMTP; the mailbox knows routes. An unauthenticated
 * session may deliver only to addresses the mailbox owns, like a real MX; every other unauthenticated
 * recipient is refused with `550 5.7.1`.
 * It lives with the use case that implements it (receive-inbound.ts): the relay, one floor up, imports it.
 */

/** The SMTP envelope of one inbound mail: the addresses given to `MAIL FROM` and `RCPT TO`. */
export interface InboundEnvelope {
  readonly sender: string;
  /** Only the recipients the mailbox owns (route addresses), in `RCPT TO` order. */
  readonly recipients: readonly string[];
}

/** Where inbound mail goes. Implemented by the Parse API's use case; the SMTP listener only calls it. */
export interface InboundMailbox {
  /** True when some account has a parse route whose `Email` is `address` (compared case-insensitively). */
  hasRoute(address: string): boolean;
  /** True when at least one parse route exists; without any, unauthenticated `MAIL FROM` gets `530 5.7.0`. */
  hasAnyRoute(): boolean;
  /**
   * Stores the raw RFC 822 message once per envelope recipient and schedules its Parse API POST. Resolves
   * only after the inbound messages are committed, so the listener may answer `250` then.
   */
  receive(raw: Buffer, envelope: InboundEnvelope): Promise<{ readonly ids: readonly number[] }>;
}
