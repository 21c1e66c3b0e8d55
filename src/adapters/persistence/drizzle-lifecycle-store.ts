import { and, eq, getTableColumns, isNull, lte, or, sql } from 'drizzle-orm';
import type { ClaimedIntegration, Lease, LifecycleStore } from '../../application/ports/lifecycle-store.js';
import type { Settlement } from '../../domain/settlement.js';
import type { Database } from './database.js';
import { toIntegration } from './row-mapping.js';
import { socialIntegrations as table } from './schema.js';

/**
 * The refresh queue on `social_integrations`: due rows are claimed with `FOR UPDATE SKIP LOCKED` (so
 * concurrent claimers pass over each other's rows instead of waiting) and leased with a fresh token
 * (so the claim outlives its short transaction while the platform is called), and every write back is
 * fenced by that token.
 */
export class DrizzleLifecycleStore implements LifecycleStore {
  constructor(private readonly db: Database) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedIntegration[]> {
    const lease: Lease = { token: crypto.randomUUID(), until: new Date(now.getTime() + leaseMs) };
    const due = this.db.$with('due').as(
      this.db
        .select({ id: table.id })
        .from(table)
        .where(and(lte(table.nextCheckAt, now), or(isNull(table.leaseUntil), lte(table.leaseUntil, now))))
        .orderBy(table.nextCheckAt)
        .limit(limit)
        .for('update', { skipLocked: true }),
    );
    const rows = await this.db
      .with(due)
      .update(table)
      .set({ leaseUntil: lease.until, leaseToken: lease.token })
      .from(due)
      .where(eq(table.id, due.id))
      .returning(getTableColumns(table));
    return rows.map((row) => ({ integration: toIntegration(row), lease, attempts: row.refreshAttempts }));
  }

  async settle(id: string, lease: Lease, settlement: Settlement): Promise<boolean> {
    const { scopesGranted, metadata, ...columns } = settlement.changes;
    const changed = Object.keys(settlement.changes).length > 0;
    const rows = await this.db
      .update(table)
      .set({
        ...columns,
        ...(scopesGranted === undefined ? {} : { scopesGranted: [...scopesGranted] }),
        ...(metadata === undefined ? {} : { metadata: { ...metadata } }),
        // A reschedule alone is bookkeeping, not a change anyone reading the integration should see.
        ...(changed ? { updatedAt: sql`now()` } : {}),
        nextCheckAt: settlement.nextCheckAt,
        refreshAttempts: settlement.attempts,
        leaseUntil: null,
        leaseToken: null,
      })
      .where(and(eq(table.id, id), eq(table.leaseToken, lease.token)))
      .returning({ id: table.id });
    return rows.length > 0;
  }
}
