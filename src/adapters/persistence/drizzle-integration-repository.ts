import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { IntegrationRepository, StatusChange } from '../../application/ports/integration-repository.js';
import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { Integration, IntegrationDraft } from '../../domain/integration.js';
import type { Platform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { capabilityColumns, toCapabilityFacts, toIntegration, toRow } from './row-mapping.js';
import { socialIntegrations as table } from './schema.js';

const {
  id: _id,
  userId: _userId,
  platform: _platform,
  createdAt: _createdAt,
  ...replaceableColumns
} = getTableColumns(table);

// On conflict every column but the identity ones takes the incoming value.
const replaceOnConflict = Object.fromEntries(
  Object.entries(replaceableColumns).map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
);

export class DrizzleIntegrationRepository implements IntegrationRepository {
  // The reads every request makes are built once, not per request; each uses the (user_id, platform) index.
  private readonly capabilityFactsQuery;
  private readonly listQuery;
  private readonly findQuery;

  constructor(private readonly db: Database) {
    const byUser = eq(table.userId, sql.placeholder('userId'));
    this.capabilityFactsQuery = db
      .select(capabilityColumns)
      .from(table)
      .where(byUser)
      .prepare('capability_facts_by_user');
    this.listQuery = db.select().from(table).where(byUser).prepare('integrations_by_user');
    this.findQuery = db
      .select()
      .from(table)
      .where(and(byUser, eq(table.platform, sql.placeholder('platform'))))
      .limit(1)
      .prepare('integration_by_user_and_platform');
  }

  async listByUser(userId: string): Promise<Integration[]> {
    const rows = await reachable(() => this.listQuery.execute({ userId }));
    return rows.map(toIntegration);
  }

  async listCapabilityFacts(userId: string): Promise<CapabilityFacts[]> {
    const rows = await reachable(() => this.capabilityFactsQuery.execute({ userId }));
    return rows.map(toCapabilityFacts);
  }

  async find(userId: string, platform: Platform): Promise<Integration | null> {
    const [row] = await reachable(() => this.findQuery.execute({ userId, platform }));
    return row === undefined ? null : toIntegration(row);
  }

  async upsert(draft: IntegrationDraft): Promise<{ integration: Integration; created: boolean }> {
    const [row] = await reachable(() =>
      this.db
        .insert(table)
        .values(toRow(draft))
        .onConflictDoUpdate({
          target: [table.userId, table.platform],
          set: { ...replaceOnConflict, updatedAt: sql`now()` },
        })
        // xmax is 0 only for a row this statement inserted (rather than updated).
        .returning({ ...getTableColumns(table), created: sql<boolean>`(xmax = 0)` }),
    );
    if (row === undefined) throw new Error('Upsert returned no row');
    const { created, ...stored } = row;
    return { integration: toIntegration(stored), created };
  }

  async changeStatus(id: string, change: StatusChange): Promise<Integration | null> {
    const [row] = await reachable(() =>
      this.db
        .update(table)
        .set({
          connectionStatus: change.connectionStatus,
          statusDetail: change.statusDetail,
          ...(change.lastVerifiedAt === undefined ? {} : { lastVerifiedAt: change.lastVerifiedAt }),
          ...(change.nextCheckAt === undefined ? {} : { nextCheckAt: change.nextCheckAt }),
          updatedAt: sql`now()`,
        })
        .where(eq(table.id, id))
        .returning(),
    );
    return row === undefined ? null : toIntegration(row);
  }

  async remove(userId: string, platform: Platform): Promise<Integration | null> {
    const [row] = await reachable(() =>
      this.db
        .delete(table)
        .where(and(eq(table.userId, userId), eq(table.platform, platform)))
        .returning(),
    );
    return row === undefined ? null : toIntegration(row);
  }
}
