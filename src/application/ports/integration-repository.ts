import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { ConnectionStatus, Integration, IntegrationDraft } from '../../domain/integration.js';
import type { Platform } from '../../domain/platform.js';
import type { Announce } from './event-outbox.js';

export interface StatusChange {
  readonly connectionStatus: ConnectionStatus;
  readonly statusDetail: string | null;
  /** Set on a successful check; left as it was when omitted. */
  readonly lastVerifiedAt?: Date;
  /** When the refresh job should look at it next (null: never); left as it was when omitted. */
  readonly nextCheckAt?: Date | null;
}

/**
 * Stores at most one integration per user and platform. Each write takes an optional `announce`: the
 * events it reports are written in the same transaction (see event-outbox.ts).
 */
export interface IntegrationRepository {
  listByUser(userId: string): Promise<Integration[]>;
  /** What decides the user's capabilities, one entry per stored integration, without any secret. */
  listCapabilityFacts(userId: string): Promise<CapabilityFacts[]>;
  find(userId: string, platform: Platform): Promise<Integration | null>;
  /** Every integration connected through this app-scoped Meta user, whichever users hold them. */
  listByMetaUser(metaUserId: string): Promise<Integration[]>;
  /**
   * Inserts or replaces the user's integration for the draft's platform in one atomic statement. A
   * replaced row with the same IMAP login (host case-insensitive, port, username) keeps its read position;
   * otherwise the draft's `imapStart` is stored.
   */
  upsert(
    draft: IntegrationDraft,
    announce?: Announce,
  ): Promise<{ integration: Integration; created: boolean }>;
  /** Returns null when the integration no longer exists. */
  changeStatus(id: string, change: StatusChange, announce?: Announce): Promise<Integration | null>;
  /** Returns the integration as it was when removed, or null when there was none. */
  remove(userId: string, platform: Platform, announce?: Announce): Promise<Integration | null>;
}
