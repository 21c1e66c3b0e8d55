import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { ConnectionStatus, Integration, IntegrationDraft } from '../../domain/integration.js';
import type { Platform } from '../../domain/platform.js';

export interface StatusChange {
  readonly connectionStatus: ConnectionStatus;
  readonly statusDetail: string | null;
  /** Set on a successful check; left as it was when omitted. */
  readonly lastVerifiedAt?: Date;
  /** When the refresh job should look at it next (null: never); left as it was when omitted. */
  readonly nextCheckAt?: Date | null;
}

/** Stores at most one integration per user and platform. */
export interface IntegrationRepository {
  listByUser(userId: string): Promise<Integration[]>;
  /** What decides the user's capabilities, one entry per stored integration, without any secret. */
  listCapabilityFacts(userId: string): Promise<CapabilityFacts[]>;
  find(userId: string, platform: Platform): Promise<Integration | null>;
  /** Inserts or replaces the user's integration for the draft's platform in one atomic statement. */
  upsert(draft: IntegrationDraft): Promise<{ integration: Integration; created: boolean }>;
  /** Returns null when the integration no longer exists. */
  changeStatus(id: string, change: StatusChange): Promise<Integration | null>;
  /** Returns the integration as it was when removed, or null when there was none. */
  remove(userId: string, platform: Platform): Promise<Integration | null>;
}
