import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

export interface PostgresOptions {
  readonly maxConnections: number;
  /** Seconds to wait for a connection before a query fails, so an outage surfaces fast. */
  readonly connectTimeoutSeconds: number;
}

export interface PostgresHandle {
  readonly driver: 'postgres';
  readonly db: PostgresJsDatabase;
  readonly sql: postgres.Sql;
  close(): Promise<void>;
}

/** Opens a pooled postgres.js connection to a real PostgreSQL server. */
export function openPostgres(url: string, options: PostgresOptions): PostgresHandle {
  const sql = postgres(url, {
    max: options.maxConnections,
    connect_timeout: options.connectTimeoutSeconds,
    // postgres.js waits up to 3^n/100 s before a slot's n-th reconnect, which after a few failures would
    // hold requests for many seconds; a short, capped wait keeps an outage's 503s fast.
    backoff: (attempts: number) => Math.min(0.1 * attempts, 0.5),
    onnotice: () => {},
  });
  return { driver: 'postgres', db: drizzle(sql), sql, close: () => sql.end({ timeout: 5 }) };
}
