import { randomBytes } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import type { DatabaseHandle } from '../../src/adapters/persistence/database.js';
import { migrateDatabase } from '../../src/adapters/persistence/migrate.js';
import { openPglite } from '../../src/adapters/persistence/pglite.js';
import { openPostgres } from '../../src/adapters/persistence/postgres.js';

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** A connection URL for a separate process (real PostgreSQL only). */
  readonly url: string | null;
  dispose(): Promise<void>;
}

/** A fresh, migrated in-memory PGlite database. */
export async function pgliteTestDatabase(): Promise<TestDatabase> {
  const handle = await openPglite();
  await migrateDatabase(handle);
  return { handle, url: null, dispose: () => handle.close() };
}

/** The server test/support/postgres-server.ts started or found for this run, or why there is none. */
function postgresServer() {
  return (
    inject('postgresServer') ?? {
      unavailable: 'this vitest project has no PostgreSQL global setup (see vitest.config.ts)',
    }
  );
}

/**
 * Why real-PostgreSQL tests cannot run here, or null when they can. With REQUIRE_POSTGRES=1
 * an unavailable server is an error rather than a skip, so CI cannot pass without it.
 */
export async function postgresUnavailableReason(): Promise<string | null> {
  const server = postgresServer();
  if ('url' in server) return null;
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but ${server.unavailable}`);
  console.warn(`Skipping real-PostgreSQL tests: ${server.unavailable}`);
  return server.unavailable;
}

/** The URL of the server's maintenance database, for tests that create databases of their own. */
export function postgresServerUrl(): string {
  const server = postgresServer();
  if ('unavailable' in server) throw new Error(server.unavailable);
  return server.url;
}

/** A freshly created and migrated database on the real PostgreSQL server, dropped on dispose. */
export async function postgresTestDatabase(): Promise<TestDatabase> {
  const serverUrl = postgresServerUrl();
  const name = `si_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { maxConnections: 10, connectTimeoutSeconds: 5 });
  await migrateDatabase(handle);
  return {
    handle,
    url: url.toString(),
    dispose: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Rows of a raw query, on either driver (postgres.js returns an array, PGlite an object with `rows`). */
export async function selectRows<T = Record<string, unknown>>(
  database: TestDatabase,
  query: SQL,
): Promise<T[]> {
  const result: unknown = await database.handle.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Both drivers, for contract suites: PGlite always, real PostgreSQL unless unavailable. */
export async function databaseDrivers() {
  const postgresSkip = await postgresUnavailableReason();
  return [
    { name: 'PGlite', open: pgliteTestDatabase, skip: false },
    { name: 'PostgreSQL', open: postgresTestDatabase, skip: postgresSkip !== null },
  ];
}

/** Databases for a server process: the environment that selects one, and how to drop it afterwards. */
export async function serverDatabases() {
  const postgresSkip = await postgresUnavailableReason();
  return [
    {
      name: 'the embedded PGlite default',
      skip: false,
      open: async () => ({ env: {}, dispose: async () => {} }),
    },
    {
      name: 'PostgreSQL (DATABASE_URL)',
      skip: postgresSkip !== null,
      open: async () => {
        const database = await postgresTestDatabase();
        await database.handle.close();
        return { env: { DATABASE_URL: database.url ?? '' }, dispose: () => database.dispose() };
      },
    },
  ];
}
