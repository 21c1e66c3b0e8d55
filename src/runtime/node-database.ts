import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { openPglite } from '../adapters/persistence/pglite.js';
import { PgliteDirectoryInUse } from '../adapters/persistence/pglite-directory-lock.js';
import { defaultPoolSize, openPostgres } from '../adapters/persistence/postgres.js';
import type { Config } from '../config.js';
import { pgliteInUse } from './collisions.js';
import { stop } from './stop.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database kept in DATA_DIR. */
export async function openConfiguredDatabase(
  config: Config,
): Promise<{ handle: DatabaseHandle; description: string }> {
  if (config.databaseUrl !== null) {
    const handle = openPostgres(config.databaseUrl, {
      maxConnections: config.databasePoolSize ?? defaultPoolSize(availableParallelism()),
      connectTimeoutSeconds: 1,
    });
    const url = new URL(config.databaseUrl);
    return { handle, description: `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}` };
  }
  const directory = resolve(config.dataDir, 'pglite');
  const handle = await openPglite(directory).catch((error: unknown) =>
    error instanceof PgliteDirectoryInUse ? stop(pgliteInUse(error)) : Promise.reject(error),
  );
  return { handle, description: `embedded PGlite database in ${directory}` };
}
