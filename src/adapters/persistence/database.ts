import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PgliteHandle } from './pglite.js';
import type { PostgresHandle } from './postgres.js';

/** Either driver's Drizzle handle: postgres.js and PGlite share the PostgreSQL dialect. */
export type Database = PgDatabase<PgQueryResultHKT>;

export type DatabaseHandle = PostgresHandle | PgliteHandle;
