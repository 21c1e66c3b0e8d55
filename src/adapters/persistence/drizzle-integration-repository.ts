import { and, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { Announce } from '../../application/ports/event-outbox.js';
import type { IntegrationRepository, StatusChange } from '../../application/ports/integration-repository.js';
import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { Integration, IntegrationDraft } from '../../domain/integration.js';
import type { Platform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
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

// A re-save that keeps the IMAP login's identity (host, compared case-insensitively, port, username) keeps
// where reading stands, so mail that arrived since the last poll is still read; a new or changed login
// starts from the mailbox's state at save (the incoming value), and no login clears it. Decided in the
// statement, against the row it updates, so concurrent saves and polls see one answer.
const sameMailbox = sql`(lower(${table.imapHost}) = lower(excluded."imap_host")
  and ${table.imapPort} = excluded."imap_port"
  and ${table.imapUsername} = excluded."imap_username"
  and ${table.imapUidValidity} is not null and ${table.imapLastUid} is not null)`;
const keepPosition = {
  imapUidValidity: sql`case when ${sameMailbox} then ${table.imapUidValidity} else excluded."imap_uid_validity" end`,
  imapLastUid: sql`case when ${sameMailbox} then ${table.imapLastUid} else excluded."imap_last_uid" end`,
};

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

  async listByMetaUser(metaUserId: string): Promise<Integration[]> {
    const rows = await reachable(() => this.db.select().from(table).where(eq(table.metaUserId, metaUserId)));
    return rows.map(toIntegration);
  }

  upsert(
    draft: IntegrationDraft,
    announce?: Announce,
  ): Promise<{ integration: Integration; created: boolean }> {
    const sameRow = and(eq(table.userId, draft.userId), eq(table.platform, draft.platform));
    return this.write(announce, sameRow, async (db) => {
      const [row] = await db
        .insert(table)
        .values(toRow(draft))
        .onConflictDoUpdate({
          target: [table.userId, table.platform],
          set: { ...replaceOnConflict, ...keepPosition, updatedAt: sql`now()` },
        })
        // xmax is 0 only for a row this statement inserted (rather than updated).
        .returning({ ...getTableColumns(table), created: sql<boolean>`(xmax = 0)` });
      if (row === undefined) throw new Error('Upsert returned no row');
      const { created, ...stored } = row;
      const integration = toIntegration(stored);
      return { after: integration, result: { integration, created } };
    });
  }

  changeStatus(id: string, change: StatusChange, announce?: Announce): Promise<Integration | null> {
    return this.write(announce, eq(table.id, id), async (db) => {
      const [row] = await db
        .update(table)
        .set({
          connectionStatus: change.connectionStatus,
          statusDetail: change.statusDetail,
          ...(change.lastVerifiedAt === undefined ? {} : { lastVerifiedAt: change.lastVerifiedAt }),
          ...(change.nextCheckAt === undefined ? {} : { nextCheckAt: change.nextCheckAt }),
          updatedAt: sql`now()`,
        })
        .where(eq(table.id, id))
        .returning();
      const after = row === undefined ? null : toIntegration(row);
      return { after, result: after };
    });
  }

  remove(userId: string, platform: Platform, announce?: Announce): Promise<Integration | null> {
    const sameRow = and(eq(table.userId, userId), eq(table.platform, platform));
    return this.write(announce, sameRow, async (db) => {
      const [row] = await db.delete(table).where(sameRow).returning();
      return { after: null, result: row === undefined ? null : toIntegration(row) };
    });
  }

  /**
   * One write: a single statement without an announcement; with one, a transaction that locks the
   * row first, writes it, and inserts the events the change reports.
   */
  private write<T>(
    announce: Announce | undefined,
    row: SQL | undefined,
    statement: (db: Database) => Promise<{ after: Integration | null; result: T }>,
  ): Promise<T> {
    if (announce === undefined) return reachable(async () => (await statement(this.db)).result);
    return reachable(() =>
      this.db.transaction(async (tx) => {
        const [locked] = await tx.select().from(table).where(row).for('update');
        const before = locked === undefined ? null : toIntegration(locked);
        const { after, result } = await statement(tx);
        await insertEvents(tx, await announce({ before, after }));
        return result;
      }),
    );
  }
}
