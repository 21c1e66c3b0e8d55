import { describe, expect, it } from 'vitest';
import { defaultPoolSize, openPostgres } from '../../src/adapters/persistence/postgres.js';

describe('the PostgreSQL pool', () => {
  it('gives two connections per core, and at least 4', () => {
    expect([1, 2, 3, 8].map((cores) => defaultPoolSize(cores))).toEqual([4, 4, 6, 16]);
  });

  // The option is missing from postgres.js's types, so only this shows that the client still takes it.
  it('pipelines at most four queries on a connection', async () => {
    const handle = openPostgres('postgres://nobody@127.0.0.1:1/none', {
      maxConnections: 4,
      connectTimeoutSeconds: 1,
    });
    try {
      expect((handle.sql.options as { max_pipeline?: unknown }).max_pipeline).toBe(4);
    } finally {
      await handle.close();
    }
  });
});
