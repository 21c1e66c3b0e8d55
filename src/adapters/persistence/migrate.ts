import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { DatabaseHandle } from './database.js';

// Node-only: drizzle's migrator reads the SQL files from disk.
const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Applies every committed migration not yet applied; safe to run again. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === 'pglite') await migratePglite(handle.db, { migrationsFolder });
  else await migratePostgres(handle.db, { migrationsFolder });
}
