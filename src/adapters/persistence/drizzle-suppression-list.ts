import { and, desc, eq, sql } from 'drizzle-orm';
import type { NewEvent } from '../../application/events.js';
import type { Suppression, SuppressionList } from '../../application/ports/suppression-list.js';
import type { SuppressionReason } from '../../domain/outreach.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
import { outreachSuppressions as table } from './schema.js';

/**
 * Suppresses an address within the caller's transaction, writing `events` only when it was not
 * suppressed yet; true when it was newly suppressed.
 */
export async function insertSuppression(
  tx: Database,
  suppression: { userId: string; address: string; reason: SuppressionReason; at: Date },
  events: readonly NewEvent[],
): Promise<boolean> {
  const { userId, address, reason, at } = suppression;
  const rows = await tx
    .insert(table)
    .values({ userId, address, reason, createdAt: at })
    .onConflictDoNothing()
    .returning({ address: table.address });
  if (rows.length > 0) await insertEvents(tx, events);
  return rows.length > 0;
}

/** Suppressions in `outreach_suppressions`; callers pass addresses lower-cased. */
export class DrizzleSuppressionList implements SuppressionList {
  // Every email send and pre-check asks: the query is built once, not per request.
  private readonly suppressedQuery;

  constructor(private readonly db: Database) {
    this.suppressedQuery = db
      .select({ address: table.address })
      .from(table)
      .where(and(eq(table.userId, sql.placeholder('userId')), eq(table.address, sql.placeholder('address'))))
      .limit(1)
      .prepare('suppression_of_address');
  }

  async isSuppressed(userId: string, address: string): Promise<boolean> {
    const rows = await reachable(() => this.suppressedQuery.execute({ userId, address }));
    return rows.length > 0;
  }

  async add(
    userId: string,
    address: string,
    reason: SuppressionReason,
    at: Date,
    events: readonly NewEvent[],
  ): Promise<boolean> {
    return reachable(() =>
      this.db.transaction((tx) => insertSuppression(tx, { userId, address, reason, at }, events)),
    );
  }

  async remove(userId: string, address: string): Promise<boolean> {
    const rows = await reachable(() =>
      this.db
        .delete(table)
        .where(and(eq(table.userId, userId), eq(table.address, address)))
        .returning({ address: table.address }),
    );
    return rows.length > 0;
  }

  async list(userId: string): Promise<Suppression[]> {
    const rows = await reachable(() =>
      this.db
        .select()
        .from(table)
        .where(eq(table.userId, userId))
        .orderBy(desc(table.createdAt), table.address),
    );
    return rows.map((row) => ({
      address: row.address,
      reason: row.reason as SuppressionReason,
      createdAt: row.createdAt,
    }));
  }
}
