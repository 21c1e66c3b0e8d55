import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { reachable } from '../adapters/persistence/database-errors.js';
import { openPglite } from '../adapters/persistence/pglite.js';
import { openPostgres } from '../adapters/persistence/postgres.js';
import type { Config } from '../config.js';

/**
 * Connections per process when DATABASE_POOL_SIZE is unset: two per core, at least 4. A process runs its
 * JavaScript on one core and postgres.js pipelines queries on each connection, so a few connections keep
 * the database busy; more only add PostgreSQL backends competing for the same cores (on 2 cores, pools of
 * 2 to 8 served the same capabilities rate, 10 and 20 served 10-20% less: see the README's Performance).
 */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.max(4, 2 * cores);
}

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database kept in DATA_DIR. */
export async function openConfiguredDatabase(
  config: Config,
): Promise<{ handle: DatabaseHandle; description: string }> {
  if (config.databaseUrl !== null) {
    const handle = openPostgres(config.databaseUrl, {
      maxConnections: config.databasePoolSize ?? defaultPoolSize(),
      connectTimeoutSeconds: 1,
    });
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
