import type { Platform } from '../../domain/platform.js';
import type { Announce } from './event-outbox.js';

/** A Meta data deletion request carried out: what its status page says. */
export interface DataDeletion {
  readonly confirmationCode: string;
  readonly requestedAt: Date;
  /** The platforms whose integrations were deleted (none when the Meta user had none here). */
  readonly platforms: readonly Platform[];
}

/** Erases what the service holds of a Meta user, and remembers that it did. */
export interface DataDeletionStore {
  /**
   * In one transaction: deletes every integration connected through this app-scoped Meta user, with the
   * windows, received messages and message log of each, writes the events `announce` reports for each
   * removal, and keeps the deletion under its confirmation code (the Meta user id is not kept).
   */
  erase(
    metaUserId: string,
    request: { readonly confirmationCode: string; readonly requestedAt: Date },
    announce: Announce,
  ): Promise<DataDeletion>;
  find(confirmationCode: string): Promise<DataDeletion | null>;
}
