import { PGlite } from '@electric-sql/pglite';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';
import { lockPgliteDirectory } from './pglite-directory-lock.js';

export interface PgliteHandle {
  readonly driver: 'pglite';
  readonly db: PgliteDatabase;
  readonly client: PGlite;
  close(): Promise<void>;
}

/**
 * Opens the embedded PostgreSQL (PGlite): file-backed in `dataDir`, which one process at a time may hold
 * (else `PgliteDirectoryInUse`), or in memory when it is undefined.
 */
export async function openPglite(dataDir?: string): Promise<PgliteHandle> {
  if (dataDir === undefined) {
    const client = await PGlite.create();
    return { driver: 'pglite', db: drizzle(client), client, close: () => client.close() };
  }
  const unlock = await lockPgliteDirectory(dataDir);
  const client = await PGlite.create({ dataDir }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const close = async () => {
    try {
      await client.close();
    } finally {
      unlock();
    }
  };
  return { driver: 'pglite', db: drizzle(client), client, close };
}
