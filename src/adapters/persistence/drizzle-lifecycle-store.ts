import { and, eq, getTableColumns, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Announce } from '../../application/ports/event-outbox.js';
import type { ClaimedIntegration, Lease, LifecycleStore } from '../../application/ports/lifecycle-store.js';
import type { Settlement } from '../../domain/settlement.js';
import type { Database } from './database.js';
import { insertEvents } from './drizzle-event-log.js';
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

  async settle(id: string, lease: Lease, settlement: Settlement, announce?: Announce): Promise<boolean> {
    const held = and(eq(table.id, id), eq(table.leaseToken, lease.token));
    if (announce === undefined) return (await this.settleStatement(this.db, held, settlement)) !== null;
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(table).where(held).for('update');
      if (locked === undefined) return false;
      const after = await this.settleStatement(tx, held, settlement);
      await insertEvents(tx, await announce({ before: toIntegration(locked), after }));
      return after !== null;
    });
  }

  private async settleStatement(db: Database, held: SQL | undefined, settlement: Settlement) {
    const { scopesGranted, metadata, ...columns } = settlement.changes;
    // A reschedule or a recorded warning alone is bookkeeping, not a change anyone reading the
    // integration should see.
    const changed = Object.keys(settlement.changes).some((key) => key !== 'expiryWarnedFor');
    const [row] = await db
      .update(table)
      .set({
        ...columns,
        ...(scopesGranted === undefined ? {} : { scopesGranted: [...scopesGranted] }),
        ...(metadata === undefined ? {} : { metadata: { ...metadata } }),
        ...(changed ? { updatedAt: sql`now()` } : {}),
        nextCheckAt: settlement.nextCheckAt,
        refreshAttempts: settlement.attempts,
        leaseUntil: null,
        leaseToken: null,
      })
      .where(held)
      .returning();
    return row === undefined ? null : toIntegration(row);
  }
}
