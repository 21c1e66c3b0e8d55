import type { Announce } from '../../../src/application/ports/event-outbox.js';
import type {
  IntegrationRepository,
  StatusChange,
} from '../../../src/application/ports/integration-repository.js';
import type { CapabilityFacts } from '../../../src/domain/capability-policy.js';
import type { Integration, IntegrationDraft } from '../../../src/domain/integration.js';
import type { Platform } from '../../../src/domain/platform.js';
import { copyIntegration, type InMemoryIntegrationRows } from './integration-rows.js';

const capabilityFacts = (integration: Integration): CapabilityFacts => ({
  platform: integration.platform,
  loginType: integration.loginType,
  connectionStatus: integration.connectionStatus,
  statusDetail: integration.statusDetail,
  scopesGranted: [...integration.scopesGranted],
  accountId: integration.accountId,
  pageId: integration.pageId,
  tokenExpiresAt: integration.tokenExpiresAt,
  imap: integration.imap,
});

/** DrizzleIntegrationRepository's behaviour over rows in memory (the contract suites prove them equal). */
export class InMemoryIntegrationRepository implements IntegrationRepository {
  constructor(private readonly rows: InMemoryIntegrationRows) {}

  async listByUser(userId: string): Promise<Integration[]> {
    return this.ofUser(userId).map(copyIntegration);
  }

  async listCapabilityFacts(userId: string): Promise<CapabilityFacts[]> {
    return this.ofUser(userId).map(capabilityFacts);
  }

  async find(userId: string, platform: Platform): Promise<Integration | null> {
    const row = this.rows.find(userId, platform);
    return row === undefined ? null : copyIntegration(row.integration);
  }

  async listByMetaUser(metaUserId: string): Promise<Integration[]> {
    return [...this.rows.byId.values()]
      .map((row) => row.integration)
      .filter((integration) => integration.metaUserId === metaUserId)
      .map(copyIntegration);
  }

  async upsert(
    draft: IntegrationDraft,
    announce?: Announce,
  ): Promise<{ integration: Integration; created: boolean }> {
    const now = this.rows.clock.now();
    const existing = this.rows.find(draft.userId, draft.platform);
    const before = existing === undefined ? null : copyIntegration(existing.integration);
    const integration = copyIntegration({
      ...draft,
      id: existing?.integration.id ?? crypto.randomUUID(),
      expiryWarnedFor: null,
      createdAt: existing?.integration.createdAt ?? now,
      updatedAt: now,
    });
    // Like the table's defaults on insert and on conflict: saving ends any lease and makes it due.
    this.rows.byId.set(integration.id, {
      integration,
      nextCheckAt: now,
      leaseUntil: null,
      leaseToken: null,
      attempts: 0,
    });
    await this.rows.announce(announce, { before, after: copyIntegration(integration) });
    return { integration: copyIntegration(integration), created: existing === undefined };
  }

  async changeStatus(id: string, change: StatusChange, announce?: Announce): Promise<Integration | null> {
    const row = this.rows.byId.get(id);
    if (row === undefined) return null;
    const before = copyIntegration(row.integration);
    row.integration = {
      ...row.integration,
      connectionStatus: change.connectionStatus,
      statusDetail: change.statusDetail,
      ...(change.lastVerifiedAt === undefined ? {} : { lastVerifiedAt: change.lastVerifiedAt }),
      updatedAt: this.rows.clock.now(),
    };
    if (change.nextCheckAt !== undefined) row.nextCheckAt = change.nextCheckAt;
    await this.rows.announce(announce, { before, after: copyIntegration(row.integration) });
    return copyIntegration(row.integration);
  }

  async remove(userId: string, platform: Platform, announce?: Announce): Promise<Integration | null> {
    const row = this.rows.find(userId, platform);
    if (row === undefined) return null;
    this.rows.byId.delete(row.integration.id);
    await this.rows.announce(announce, { before: copyIntegration(row.integration), after: null });
    return copyIntegration(row.integration);
  }

  private ofUser(userId: string): Integration[] {
    return [...this.rows.byId.values()]
      .map((row) => row.integration)
      .filter((integration) => integration.userId === userId);
  }
}
