import type { DeliveryDecision } from '../../domain/webhook-retry.js';
import type { Lease } from './lifecycle-store.js';

/** One event's delivery to one endpoint, claimed for one attempt. */
export interface ClaimedDelivery {
  readonly eventId: string;
  readonly endpoint: string;
  readonly lease: Lease;
  /** Attempts made before this one. */
  readonly attempts: number;
  /** The body every attempt sends, byte for byte: `{"type","timestamp","data"}`. */
  readonly body: string;
  /** When the event happened (its change committed), for the delivery lag. */
  readonly occurredAt: Date;
}

/** How one claimed attempt ended, to be written back. */
export interface DeliveryOutcome {
  readonly delivery: ClaimedDelivery;
  readonly decision: DeliveryDecision;
  readonly lastError: string | null;
}

/**
 * The delivery queue over the outbox: one row per event and endpoint, claimed with `FOR UPDATE SKIP
 * LOCKED` and a lease like the refresh queue, so with any number of instances each attempt is made once.
 */
export interface WebhookOutbox {
  /** Gives the events not yet queued one delivery per endpoint; how many events it queued. */
  enqueue(endpoints: readonly string[], limit: number): Promise<number>;
  /** Leases up to `limit` due deliveries to these endpoints (oldest due first) for `leaseMs`. */
  claimDue(
    endpoints: readonly string[],
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]>;
  /**
   * Records the outcomes of one claim's attempts in one write and ends their leases; resolves to those
   * written, leaving out any whose lease was lost (nothing is written for them).
   */
  settle(outcomes: readonly DeliveryOutcome[]): Promise<DeliveryOutcome[]>;
  /** Makes the failed deliveries of events that happened at or after `since` due again; how many. */
  requeueFailed(since: Date, now: Date): Promise<number>;
}
