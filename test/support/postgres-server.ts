import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadEmbeddedPostgres } from './embedded-postgres-module.js';

/** The PostgreSQL server the suites create their databases on, or why there is none. */
export type PostgresServer = { readonly url: string } | { readonly unavailable: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgresServer: PostgresServer;
  }
}

interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

/** Creates the database a TEST_DATABASE_URL names when the server has no such database yet. */
async function ensureDatabase(configured: string): Promise<void> {
  const probe = postgres(configured, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await probe`select 1`;
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
  } finally {
    await probe.end();
  }
  const url = new URL(configured);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Another run created it meanwhile.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
}

async function dockerServer(): Promise<Running> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL from the embedded-postgres package's binaries, in a throwaway data directory. */
async function embeddedServer(): Promise<Running> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const port = await freePort();
  const password = 'postgres';
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    // mkdtemp's own directory, so the package can hand it to the postgres user when it runs as root.
    databaseDir: mkdtempSync(join(tmpdir(), 'si-test-pg-')),
    port,
    user: 'postgres',
    password,
    persistent: false,
    // PostgreSQL refuses to run as root: the package runs it as a `postgres` user, created if missing.
    createPostgresUser: true,
    initdbFlags: ['--no-sync'],
    // Throwaway data: durability buys nothing. No Unix socket, so nothing is left in /tmp or /var/run.
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'unix_socket_directories='],
    onLog: (message) => log.push(String(message)),
    onError: (message) => log.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${log.join('').slice(-2000)}`);
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/**
 * TEST_DATABASE_URL when set; else a container when a Docker engine answers; else embedded PostgreSQL.
 * A Docker engine that cannot start one (no registry, say) falls through to the embedded server.
 */
async function startServer(): Promise<Running | string> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    // A server named on purpose that does not answer fails the run rather than skipping its tests.
    await ensureDatabase(configured).catch((error: Error) => {
      throw new Error(`TEST_DATABASE_URL does not answer: ${error.message}`);
    });
    return { url: configured, stop: async () => {} };
  }
  const problems: string[] = [];
  if (process.env.DOCKER_HOST || existsSync('/var/run/docker.sock')) {
    try {
      return await dockerServer();
    } catch (error) {
      problems.push(`testcontainers: ${(error as Error).message}`);
    }
  }
  try {
    return await embeddedServer();
  } catch (error) {
    problems.push(`embedded-postgres: ${(error as Error).message}`);
  }
  return `no PostgreSQL server could be started (${problems.join('; ')})`;
}

// Each vitest project runs this setup; they share one server through the main process's global object.
const SHARED = Symbol.for('social-integrations.test-postgres');
interface Shared {
  server: Promise<Running | string>;
  users: number;
}
const registry = globalThis as { [SHARED]?: Shared };

export default async function setup(project: TestProject) {
  registry[SHARED] ??= { server: startServer(), users: 0 };
  const shared = registry[SHARED];
  shared.users++;
  const found = await shared.server;
  project.provide('postgresServer', typeof found === 'string' ? { unavailable: found } : { url: found.url });
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    if (typeof found !== 'string') await found.stop();
  };
}
