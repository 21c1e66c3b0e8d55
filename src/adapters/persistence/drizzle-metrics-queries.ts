import { sql } from 'drizzle-orm';
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
