import type { Capability } from '../../domain/capability-policy.js';
import type { Integration } from '../../domain/integration.js';
import type { NewEvent, StoredEvent } from '../events.js';
import type { IntegrationView } from '../integration-view.js';
import type { MessageRecord } from './message-log.js';

/** An integration row just before and just after one write; null where it did not (or no longer) exist. */
export interface IntegrationChange {
  readonly before: Integration | null;
  readonly after: Integration | null;
}

/**
 * The events a write reports, decided from the row before and after it. A store that takes one runs it
 * inside the write's transaction (the row locked) and inserts what it returns there too: an event exists
 * exactly when its change committed (the transactional outbox).
 */
export type Announce = (change: IntegrationChange) => Promise<readonly NewEvent[]>;

/** The API's own shapes for what events carry, so an event shows an integration as a response does. */
export interface WireFormat {
  integration(view: IntegrationView): Readonly<Record<string, unknown>>;
  capability(capability: Capability): Readonly<Record<string, unknown>>;
  message(message: MessageRecord): Readonly<Record<string, unknown>>;
}

export interface EventPage {
  readonly events: readonly StoredEvent[];
  /** The position of the last event on the page (pass it as `after`); null on an empty page. */
  readonly next: number | null;
}

/** The events already written, for the pull API and the retention purge. */
export interface EventLog {
  /** The user's events written after position `after`, oldest first, none older than `since`. */
  list(
    userId: string,
    page: { readonly after: number | null; readonly limit: number; readonly since: Date },
  ): Promise<EventPage>;
  /**
   * Deletes up to `limit` events written before `before`, oldest first, with their deliveries, except
   * events a delivery is still pending for; concurrent callers delete disjoint events. Resolves to how
   * many were deleted.
   */
  purge(before: Date, limit: number): Promise<number>;
}
