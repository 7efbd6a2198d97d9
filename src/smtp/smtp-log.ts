/**
 * The SMTP relay's log: the latest replies that ended a step of a mail (accepted, refused, failed
 * authentication), kept in memory for `GET /sim/smtp/log` and the dashboard. It is a window on recent
 * traffic, not a record: refused mail is never stored, and accepted mail is in `messages`.
 */

/** What a log entry is about. */
export type SmtpLogStage = 'auth' | 'mail' | 'rcpt' | 'data';

/** One reply the relay gave. */
export interface SmtpLogEntry {
  readonly id: number;
  /** Clock time (epoch ms) of the reply. */
  readonly at: number;
  /** The connection, as `smtp-server` names it. */
  readonly session: string;
  readonly remoteAddress: string;
  /** The authenticated account, or null before AUTH. */
  readonly accountId: number | null;
  readonly stage: SmtpLogStage;
  readonly code: number;
  readonly text: string;
  readonly sender: string | null;
  readonly recipients: readonly string[];
  /** Why: `auth`, `relay`, `chaos`, `limit`, `size`, `invalid`, `stored`, `inbound`… */
  readonly reason: string;
  /** MessageIDs of the messages an accepted mail became. */
  readonly messageIds: readonly string[];
}

/** How many entries are kept: enough to see a test run's refusals, bounded whatever the traffic. */
export const SMTP_LOG_SIZE = 1_000;

/**
 * A ring of the latest entries, with running totals since start.
 *
 * @example
 * const log = new SmtpLog();
 * log.record({ at: now, session: 'abc', remoteAddress: '127.0.0.1', accountId: 1000001, stage: 'mail', code: 421, text: '4.3.2 …', sender: 'a+smtp-421@x.com', recipients: [], reason: 'chaos', messageIds: [] });
 * log.list(1000001, 10)[0].code // 421
 */
export class SmtpLog {
  private readonly entries: SmtpLogEntry[] = [];
  private nextId = 1;
  /** Replies by code since start (accepted mails count under 250). */
  readonly totals = new Map<number, number>();

  constructor(private readonly size = SMTP_LOG_SIZE) {}

  record(entry: Omit<SmtpLogEntry, 'id'>): void {
    this.entries.push({ ...entry, id: this.nextId++ });
    if (this.entries.length > this.size) this.entries.shift();
    this.totals.set(entry.code, (this.totals.get(entry.code) ?? 0) + 1);
  }

  /**
   * The newest entries first that `accountId` may see: its own, and those of sessions that had not
   * authenticated (they belong to no account); null sees every entry. `refusedOnly` leaves out accepted mail.
   */
  list(accountId: number | null, limit: number, options: { refusedOnly?: boolean } = {}): SmtpLogEntry[] {
    const out: SmtpLogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.entries[i] as SmtpLogEntry;
      if (accountId !== null && entry.accountId !== null && entry.accountId !== accountId) continue;
      if (options.refusedOnly && entry.code < 400) continue;
      out.push(entry);
    }
    return out;
  }
}
