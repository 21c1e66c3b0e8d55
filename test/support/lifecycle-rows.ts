import { eq } from 'drizzle-orm';
import type { Database } from '../../src/adapters/persistence/database.js';
import { socialIntegrations } from '../../src/adapters/persistence/schema.js';

/** The refresh job's bookkeeping for one row, as stored. */
export async function lifecycleRow(db: Database, id: string) {
  const [row] = await db
    .select({
      nextCheckAt: socialIntegrations.nextCheckAt,
      leaseUntil: socialIntegrations.leaseUntil,
      leaseToken: socialIntegrations.leaseToken,
      attempts: socialIntegrations.refreshAttempts,
      updatedAt: socialIntegrations.updatedAt,
    })
    .from(socialIntegrations)
    .where(eq(socialIntegrations.id, id));
  if (row === undefined) throw new Error(`no row ${id}`);
  return row;
}

/** Sets when the refresh job should next look at a row. */
export async function scheduleAt(db: Database, id: string, nextCheckAt: Date | null): Promise<void> {
  await db.update(socialIntegrations).set({ nextCheckAt }).where(eq(socialIntegrations.id, id));
}

export async function clearIntegrations(db: Database): Promise<void> {
  await db.delete(socialIntegrations);
}
