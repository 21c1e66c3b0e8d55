import type { ErrorCode } from '../../domain/errors.js';
import type { MessageStatus } from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import type { NewEvent } from '../events.js';

/** One outreach attempt that reached its platform. Never holds the text, subject or html. */
export interface MessageRecord {
  readonly id: string;
  readonly userId: string;
  readonly platform: Platform;
  /** The Meta recipient id, or the email address as given. */
  readonly recipient: string;
  readonly status: MessageStatus;
  /** Meta's `message_id`, or the email's `Message-ID`; null when failed. */
  readonly platformMessageId: string | null;
  readonly errorCode: ErrorCode | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

export interface MessageClaim {
  readonly userId: string;
  readonly platform: Platform;
  readonly recipient: string;
  readonly idempotencyKey: string | null;
  /** A digest of what was asked (never the text itself), to tell a replay from a reused key. */
  readonly requestHash: string;
}

/** An attempt in flight, as its claim wrote it: all its settled record holds but the outcome. */
export interface PendingAttempt {
  readonly id: string;
  readonly userId: string;
  readonly platform: Platform;
  readonly recipient: string;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export type ClaimOutcome =
  /** A new attempt, in flight until settled or released. */
  | ({ readonly kind: 'claimed' } & PendingAttempt)
  /** The key's earlier attempt was sent with the same request. */
  | { readonly kind: 'replay'; readonly message: MessageRecord }
  /** The key's earlier attempt is still in flight, within its lease. */
  | { readonly kind: 'in_use' }
  /** The key's earlier attempt was sent with another request. */
  | { readonly kind: 'reused' };

export type Settlement =
  | { readonly status: 'sent'; readonly platformMessageId: string; readonly sentAt: Date }
  | { readonly status: 'failed'; readonly errorCode: ErrorCode };

export interface MessagePage {
  readonly messages: readonly MessageRecord[];
  /** Pass as `before` for the next page; null on the last. */
  readonly next: number | null;
}

/**
 * The outreach message log, and the database-enforced idempotency of sends: of any number of concurrent
 * claims with one user's key, at most one is `claimed` while no attempt with that key was sent or is in
 * flight. A failed attempt frees its key, and so does one in flight for `leaseMs` or longer: its process is
 * taken to have died, and it is recorded as failed with `attempt_abandoned`.
 */
export interface MessageLog {
  claim(claim: MessageClaim, now: Date, leaseMs: number): Promise<ClaimOutcome>;
  /** Forgets an attempt refused before it reached the platform. */
  release(id: string): Promise<void>;
  /**
   * Records how an attempt that reached the platform ended, and atomically with it the events `announce`
   * returns for the settled record (message.sent / message.failed).
   */
  settle(
    attempt: PendingAttempt,
    settlement: Settlement,
    announce: (message: MessageRecord) => readonly NewEvent[],
  ): Promise<MessageRecord>;
  /** The user's settled messages, newest first, optionally of one platform. */
  list(
    userId: string,
    page: { readonly platform: Platform | null; readonly limit: number; readonly before: number | null },
  ): Promise<MessagePage>;
}
