import type { DeliveryReport, MailboxPosition } from '../../domain/inbound-mail.js';
import type { ImapSettings } from '../../domain/integration.js';
import type { Result } from '../../domain/result.js';

/** An IMAP login: 993 is implicit TLS, any other port must offer STARTTLS. */
export interface ImapLogin extends ImapSettings {
  readonly password: string;
}

export type { MailboxPosition };

/** One message from a mailbox, as the poller needs it. */
export interface InboundMail {
  readonly uid: number;
  readonly messageId: string | null;
  /** The Message-IDs it answers: `In-Reply-To`, then `References`, as written (with angle brackets). */
  readonly answers: readonly string[];
  /** The `From` address; null when it has none. */
  readonly sender: string | null;
  /** The plain-text body (empty when it has none). */
  readonly text: string;
  readonly receivedAt: Date;
  /** Set for a `multipart/report; report-type=delivery-status`. */
  readonly deliveryReport: DeliveryReport | null;
}

export type MailboxRead =
  /** Every message after the position was handed over, or `handle` asked to stop. */
  | { readonly kind: 'read'; readonly position: MailboxPosition }
  /** The mailbox's UIDVALIDITY changed (its UIDs were renumbered): reading starts again from here. */
  | { readonly kind: 'renumbered'; readonly position: MailboxPosition };

/**
 * Reads users' mailboxes over IMAP, under the same address policy, TLS rules and timeout as SMTP.
 * Failures are `imap_*` codes with a sentence safe to show; nothing the server said is passed through.
 */
export interface MailboxReader {
  /** Logs in and opens INBOX; answers where the mailbox stands now. */
  verify(login: ImapLogin): Promise<Result<MailboxPosition>>;
  /**
   * The messages after `from` in UID order, at most `limit`, each given to `handle`, which answers false to
   * stop (its lease was lost).
   */
  read(
    login: ImapLogin,
    from: MailboxPosition,
    limit: number,
    handle: (mail: InboundMail) => Promise<boolean>,
  ): Promise<Result<MailboxRead>>;
  /** Why this runtime cannot read mailboxes at all, for capabilities; absent where it can. */
  readonly unsupportedReason?: string;
}
