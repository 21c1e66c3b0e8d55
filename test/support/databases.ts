import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import postgres from 'postgres';
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

async function serverUrl(): Promise<{ url: string; stop: () => Promise<void> } | string> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) return { url: configured, stop: async () => {} };
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) {
    return 'TEST_DATABASE_URL is not set and no Docker engine answers for testcontainers';
  }
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch (error) {
    return `testcontainers could not start PostgreSQL (${(error as Error).message})`;
  }
}

let server: Promise<{ url: string; stop: () => Promise<void> } | string> | undefined;

/**
 * Why real-PostgreSQL tests cannot run here, or null when they can. With REQUIRE_POSTGRES=1
 * an unavailable server is an error rather than a skip, so CI cannot pass without it.
 */
export async function postgresUnavailableReason(): Promise<string | null> {
  server ??= serverUrl();
  const found = await server;
  if (typeof found !== 'string') return null;
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but ${found}`);
  console.warn(`Skipping real-PostgreSQL tests: ${found}`);
  return found;
}

/** A freshly created and migrated database on the real PostgreSQL server, dropped on dispose. */
export async function postgresTestDatabase(): Promise<TestDatabase> {
  server ??= serverUrl();
  const found = await server;
  if (typeof found === 'string') throw new Error(found);
  const name = `si_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(found.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(found.url);
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
