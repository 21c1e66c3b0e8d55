import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { DatabaseHandle } from './database.js';
import type { PostgresHandle } from './postgres.js';

// Node-only: drizzle's migrator reads the SQL files from disk.
const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Applies every committed migration not yet applied; safe to run again. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === 'pglite') await migratePglite(handle.db, { migrationsFolder });
  else await migratePostgres(handle.db, { migrationsFolder });
}

interface Journal {
  readonly entries: readonly { readonly tag: string; readonly when: number }[];
}

/**
 * The committed migrations the database has not applied, by tag, oldest first. Like drizzle's migrator,
 * it compares each migration's timestamp with the latest one recorded in `drizzle.__drizzle_migrations`.
 */
export async function pendingMigrations(handle: PostgresHandle): Promise<string[]> {
  const journal = JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as Journal;
  const [recorded] = await handle.sql<{ present: boolean }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
  let latest = Number.NEGATIVE_INFINITY;
  if (recorded?.present) {
    const [row] = await handle.sql<{ latest: string | null }[]>`
      select max(created_at)::text as latest from drizzle.__drizzle_migrations`;
    latest = row?.latest == null ? latest : Number(row.latest);
  }
  return journal.entries.filter((entry) => entry.when > latest).map((entry) => entry.tag);
}
