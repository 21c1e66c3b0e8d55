import type { Integration } from '../../domain/integration.js';
import type { Settlement } from '../../domain/settlement.js';
import type { Announce } from './event-outbox.js';

/** A claim on one integration: until `until`, only the holder of `token` may write its outcome. */
export interface Lease {
  readonly token: string;
  readonly until: Date;
}

export interface ClaimedIntegration {
  readonly integration: Integration;
  readonly lease: Lease;
  /** Transient failures in a row so far. */
  readonly attempts: number;
}

/**
 * The refresh job's queue over stored integrations, safe for any number of processes at once: a claim
 * leases each integration to one caller, and only that lease's holder can write the outcome, so no
 * token is renewed twice concurrently and a late writer cannot overwrite a newer token. Saving or
 * replacing an integration ends any lease on it and makes it due.
 */
export interface LifecycleStore {
  /**
   * Leases up to `limit` integrations whose next check is due at `now` and that no unexpired lease
   * holds, most overdue first, for `leaseMs`. Concurrent callers never get the same integration.
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedIntegration[]>;
  /**
   * Writes the settlement in one statement and ends the lease. False, and nothing written, when the
   * lease is no longer this caller's: it lapsed and another claimed it, or the integration was
   * replaced or deleted meanwhile.
   */
  settle(id: string, lease: Lease, settlement: Settlement, announce?: Announce): Promise<boolean>;
}
