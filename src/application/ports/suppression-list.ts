import type { SuppressionReason } from '../../domain/outreach.js';

export interface Suppression {
  /** Lower-cased. */
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly createdAt: Date;
}

/** Addresses a user's outreach email must not go to. Addresses compare case-insensitively. */
export interface SuppressionList {
  isSuppressed(userId: string, address: string): Promise<boolean>;
  /** True when the address was added; false (nothing changed) when it was already suppressed. */
  add(userId: string, address: string, reason: SuppressionReason, at: Date): Promise<boolean>;
  /** True when the address was suppressed. */
  remove(userId: string, address: string): Promise<boolean>;
  /** The user's suppressions, newest first. */
  list(userId: string): Promise<Suppression[]>;
}
