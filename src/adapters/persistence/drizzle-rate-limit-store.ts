import { lt, sql } from 'drizzle-orm';
import type { RateLimitStore } from '../../application/ports/rate-limit-store.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { rateLimitCounters as table } from './schema.js';

/** Counts in the database, so every instance shares one limit: one atomic upsert per request. */
export class DrizzleRateLimitStore implements RateLimitStore {
  private purgedBefore = 0;

  constructor(private readonly db: Database) {}

  async hit(key: string, windowStart: Date): Promise<number> {
    return reachable(async () => {
      const [row] = await this.db
        .insert(table)
        .values({ key, windowStart, hits: 1 })
        .onConflictDoUpdate({
          target: table.key,
          // A newer window starts over; a request stamped with an older window (clock skew between
          // instances) still counts against the current one.
          set: {
            hits: sql`case when excluded.window_start > ${table.windowStart} then 1 else ${table.hits} + 1 end`,
            windowStart: sql`greatest(${table.windowStart}, excluded.window_start)`,
          },
        })
        .returning({ hits: table.hits });
      if (windowStart.getTime() > this.purgedBefore) {
        this.purgedBefore = windowStart.getTime();
        await this.db.delete(table).where(lt(table.windowStart, windowStart));
      }
      if (row === undefined) throw new Error('Rate-limit upsert returned no row');
      return row.hits;
    });
  }
}
