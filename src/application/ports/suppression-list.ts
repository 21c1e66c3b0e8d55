import type { SuppressionReason } from '../../domain/outreach.js';
import type { NewEvent } from '../events.js';

export interface Suppression {
  /** Lower-cased. */
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly createdAt: Date;
}

/** Addresses a user's outreach email must not go to. Addresses compare case-insensitively. */
export interface SuppressionList {
  isSuppressed(userId: string, address: string): Promise<boolean>;
  /**
   * True when the address was added, with `events` written in the same transaction; false (nothing
   * changed, no event) when it was already suppressed.
   */
  add(
    userId: string,
    address: string,
    reason: SuppressionReason,
    at: Date,
    events: readonly NewEvent[],
  ): Promise<boolean>;
  /** True when the address was suppressed. */
  remove(userId: string, address: string): Promise<boolean>;
  /** The user's suppressions, newest first. */
  list(userId: string): Promise<Suppression[]>;
}
