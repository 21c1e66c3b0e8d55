import { sql } from 'drizzle-orm';
import type { OutboxDepth } from '../metrics/prom-client-metrics.js';
import type { Database } from './database.js';
import { socialIntegrations as table } from './schema.js';

/** The counts a metrics scrape reads from the database, each one grouped query. */
export class DrizzleMetricsQueries {
  constructor(private readonly db: Database) {}

  /** Integrations by platform and status, a passed expiry counting as `expired` (as responses show it). */
  integrationCounts(): Promise<{ platform: string; status: string; count: number }[]> {
    const status = sql<string>`case when ${table.connectionStatus} = 'connected' and ${table.tokenExpiresAt} <= now() then 'expired' else ${table.connectionStatus} end`;
    return this.db
      .select({ platform: table.platform, status, count: sql<number>`count(*)::int` })
      .from(table)
      .groupBy(table.platform, status);
  }

  /** What waits in the outbox, each count served by a partial index; one round trip. */
  async outboxDepth(): Promise<OutboxDepth> {
    const [row] = await this.db
      .select({
        unqueued: sql<number>`(select count(*)::int from outbox_events where not queued)`,
        pending: sql<number>`(select count(*)::int from webhook_deliveries where status = 'pending')`,
        failed: sql<number>`(select count(*)::int from webhook_deliveries where status = 'failed')`,
        oldest: sql<number | null>`extract(epoch from now() - least(
          (select min(occurred_at) from outbox_events where not queued),
          (select min(e.occurred_at) from webhook_deliveries d join outbox_events e on e.id = d.event_id
            where d.status = 'pending')))::float8`,
      })
      .from(sql`(values (1)) as one`);
    return {
      unqueued: row?.unqueued ?? 0,
      pending: row?.pending ?? 0,
      failed: row?.failed ?? 0,
      oldestWaitingSeconds: Math.max(0, row?.oldest ?? 0),
    };
  }

  /** The database server's connections to this database by state, from every process that holds one. */
  serverConnections(): Promise<{ state: string; count: number }[]> {
    const state = sql<string>`coalesce(state, 'unknown')`;
    return this.db
      .select({ state, count: sql<number>`count(*)::int` })
      .from(sql`pg_stat_activity`)
      .where(sql`datname = current_database()`)
      .groupBy(state);
  }
}
