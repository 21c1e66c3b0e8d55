import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { reachable } from '../adapters/persistence/database-errors.js';
import { openPglite } from '../adapters/persistence/pglite.js';
import { openPostgres, type PostgresHandle } from '../adapters/persistence/postgres.js';
import type { Config } from '../config.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database kept in DATA_DIR. */
export async function openConfiguredDatabase(
  config: Config,
): Promise<{ handle: DatabaseHandle; description: string }> {
  if (config.databaseUrl !== null) {
    const handle = openPostgres(config.databaseUrl, { maxConnections: 10, connectTimeoutSeconds: 1 });
    const url = new URL(config.databaseUrl);
    return { handle, description: `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}` };
  }
  const directory = resolve(config.dataDir, 'pglite');
  return { handle: await openPglite(directory), description: `embedded PGlite database in ${directory}` };
}

export async function isDatabaseReady(handle: DatabaseHandle): Promise<boolean> {
  try {
    await reachable<unknown>(() => handle.db.execute(sql`select 1`));
    return true;
  } catch {
    return false;
  }
}

/** The service's tables that the database lacks (none once migrated). */
export async function missingTables(handle: PostgresHandle): Promise<string[]> {
  const [row] = await handle.sql<Record<string, boolean>[]>`
    select to_regclass('social_integrations') is not null as social_integrations,
           to_regclass('oauth_states') is not null as oauth_states,
           to_regclass('audit_log') is not null as audit_log,
           to_regclass('rate_limit_counters') is not null as rate_limit_counters`;
  return Object.entries(row ?? {})
    .filter(([, present]) => !present)
    .map(([table]) => table);
}
