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

  async upsert(draft: IntegrationDraft): Promise<{ integration: Integration; created: boolean }> {
    const now = this.rows.clock.now();
    const existing = this.rows.find(draft.userId, draft.platform);
    const integration = copyIntegration({
      ...draft,
      id: existing?.integration.id ?? crypto.randomUUID(),
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
    return { integration: copyIntegration(integration), created: existing === undefined };
  }

  async changeStatus(id: string, change: StatusChange): Promise<Integration | null> {
    const row = this.rows.byId.get(id);
    if (row === undefined) return null;
    row.integration = {
      ...row.integration,
      connectionStatus: change.connectionStatus,
      statusDetail: change.statusDetail,
      ...(change.lastVerifiedAt === undefined ? {} : { lastVerifiedAt: change.lastVerifiedAt }),
      updatedAt: this.rows.clock.now(),
    };
    if (change.nextCheckAt !== undefined) row.nextCheckAt = change.nextCheckAt;
    return copyIntegration(row.integration);
  }

  async remove(userId: string, platform: Platform): Promise<Integration | null> {
    const row = this.rows.find(userId, platform);
    if (row === undefined) return null;
    this.rows.byId.delete(row.integration.id);
    return copyIntegration(row.integration);
  }

  private ofUser(userId: string): Integration[] {
    return [...this.rows.byId.values()]
      .map((row) => row.integration)
      .filter((integration) => integration.userId === userId);
  }
}
