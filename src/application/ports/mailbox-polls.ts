import type { MailboxPosition } from '../../domain/inbound-mail.js';
import type { Integration } from '../../domain/integration.js';
import type { NewEvent } from '../events.js';
import type { Lease } from './lifecycle-store.js';
import type { MessageRecord } from './message-log.js';

export interface ClaimedMailbox {
  readonly integration: Integration;
  /** Where reading stands; null when the mailbox was never read (nor its position taken when saved). */
  readonly position: MailboxPosition | null;
  readonly lease: Lease;
}

/** What handling one message changes, written with the position that moves past it. */
export interface MailEffect {
  /** Events to write whatever else happens (`message.received`). */
  readonly events: readonly NewEvent[];
  /** An address to suppress as `bounced`; its events are written only when it was not suppressed yet. */
  readonly bounce: {
    readonly address: string;
    readonly at: Date;
    readonly events: readonly NewEvent[];
  } | null;
}

export const NO_EFFECT: MailEffect = { events: [], bounce: null };

/**
 * The IMAP poller's queue over email integrations with IMAP, safe for any number of processes at once:
 * a claim leases each mailbox to one caller (`FOR UPDATE SKIP LOCKED`), and every write is fenced by the
 * lease, so each message's effect is written once, in the transaction that moves the position past it.
 * Saving an integration again ends any lease on it and makes it due.
 */
export interface MailboxPolls {
  /**
   * Leases up to `limit` mailboxes due by `dueBy` that no lease holds at `now`, for `leaseMs` from `now`,
   * most overdue first. Concurrent callers never get the same mailbox.
   */
  claimDue(dueBy: Date, now: Date, limit: number, leaseMs: number): Promise<ClaimedMailbox[]>;
  /** The user's sent email messages whose Message-ID is one of these. */
  findSent(userId: string, messageIds: readonly string[]): Promise<MessageRecord[]>;
  /**
   * Moves the position and writes the effect in one transaction. False, and nothing written, when the
   * lease is no longer this caller's (it lapsed and another claimed it, or the integration was saved again).
   */
  record(id: string, lease: Lease, position: MailboxPosition, effect: MailEffect): Promise<boolean>;
  /** Ends the lease; the mailbox is due again at `next`. False when the lease was no longer held. */
  release(id: string, lease: Lease, next: Date): Promise<boolean>;
}
