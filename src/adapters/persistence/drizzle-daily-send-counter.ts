import { and, eq, lt, sql } from 'drizzle-orm';
import type { DailySendCounter } from '../../application/ports/daily-send-counter.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { emailDailySends as table } from './schema.js';

/**
 * Daily email counts in `email_daily_sends`: one conditional upsert per reservation. Only the current day is
 * ever read, so a user's first reservation of a day deletes that user's earlier days: each user keeps one row.
 */
export class DrizzleDailySendCounter implements DailySendCounter {
  // Every email pre-check reads today's count: the query is built once, not per request.
  private readonly countQuery;

  constructor(private readonly db: Database) {
    this.countQuery = db
      .select({ sent: table.sent })
      .from(table)
      .where(and(eq(table.userId, sql.placeholder('userId')), eq(table.day, sql.placeholder('day'))))
      .limit(1)
      .prepare('daily_sends_of_day');
  }

  async reserve(userId: string, day: string, limit: number | null): Promise<boolean> {
    if (limit !== null && limit <= 0) return false;
    // The row lock of ON CONFLICT serializes concurrent reservations; the WHERE keeps them under the limit.
    const rows = await reachable(() =>
      this.db
        .insert(table)
        .values({ userId, day, sent: 1 })
        .onConflictDoUpdate({
          target: [table.userId, table.day],
          set: { sent: sql`${table.sent} + 1` },
          ...(limit === null ? {} : { setWhere: sql`${table.sent} < ${limit}` }),
        })
        .returning({ sent: table.sent }),
    );
    if (rows[0]?.sent === 1) {
      await reachable(() => this.db.delete(table).where(and(eq(table.userId, userId), lt(table.day, day))));
    }
    return rows.length > 0;
  }

  async release(userId: string, day: string): Promise<void> {
    await reachable(() =>
      this.db
        .update(table)
        .set({ sent: sql`greatest(${table.sent} - 1, 0)` })
        .where(and(eq(table.userId, userId), eq(table.day, day))),
    );
  }

  async count(userId: string, day: string): Promise<number> {
    const [row] = await reachable(() => this.countQuery.execute({ userId, day }));
    return row?.sent ?? 0;
  }
}
