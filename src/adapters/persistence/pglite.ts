import { PGlite } from '@electric-sql/pglite';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';

export interface PgliteHandle {
  readonly driver: 'pglite';
  readonly db: PgliteDatabase;
  readonly client: PGlite;
  close(): Promise<void>;
}

/** Opens the embedded PostgreSQL (PGlite): file-backed in `dataDir`, or in memory when it is undefined. */
export async function openPglite(dataDir?: string): Promise<PgliteHandle> {
  const client = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  return { driver: 'pglite', db: drizzle(client), client, close: () => client.close() };
}
