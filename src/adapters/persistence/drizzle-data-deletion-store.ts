import { and, eq, or } from 'drizzle-orm';
import type { DataDeletion, DataDeletionStore } from '../../application/ports/data-deletion-store.js';
import type { Announce } from '../../application/ports/event-outbox.js';
import { isPlatform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
import { toIntegration } from './row-mapping.js';
import {
  metaDataDeletions as deletions,
  socialIntegrations as integrations,
  metaReceivedMessages,
  outreachMessages,
  outreachWindows,
} from './schema.js';

/** Data deletion in `meta_data_deletions`, erasing from the integration, window and message tables. */
export class DrizzleDataDeletionStore implements DataDeletionStore {
  constructor(private readonly db: Database) {}

  erase(
    metaUserId: string,
    request: { readonly confirmationCode: string; readonly requestedAt: Date },
    announce: Announce,
  ): Promise<DataDeletion> {
    return reachable(() =>
      this.db.transaction(async (tx) => {
        const removed = (
          await tx.delete(integrations).where(eq(integrations.metaUserId, metaUserId)).returning()
        ).map(toIntegration);
        const heldBy = (
          table: typeof outreachWindows | typeof metaReceivedMessages | typeof outreachMessages,
        ) => or(...removed.map((row) => and(eq(table.userId, row.userId), eq(table.platform, row.platform))));
        if (removed.length > 0) {
          await tx.delete(outreachWindows).where(heldBy(outreachWindows));
          await tx.delete(metaReceivedMessages).where(heldBy(metaReceivedMessages));
          await tx.delete(outreachMessages).where(heldBy(outreachMessages));
        }
        for (const before of removed) await insertEvents(tx, await announce({ before, after: null }));
        const platforms = [...new Set(removed.map((row) => row.platform))].sort();
        await tx.insert(deletions).values({ ...request, platforms });
        return { ...request, platforms };
      }),
    );
  }

  async find(confirmationCode: string): Promise<DataDeletion | null> {
    const [row] = await reachable(() =>
      this.db.select().from(deletions).where(eq(deletions.confirmationCode, confirmationCode)).limit(1),
    );
    return row === undefined
      ? null
      : {
          confirmationCode: row.confirmationCode,
          requestedAt: row.requestedAt,
          platforms: row.platforms.filter(isPlatform),
        };
  }
}
