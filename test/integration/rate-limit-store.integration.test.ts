import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleRateLimitStore } from '../../src/adapters/persistence/drizzle-rate-limit-store.js';
import { InMemoryRateLimitStore } from '../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import type { RateLimitStore } from '../../src/application/ports/rate-limit-store.js';
import {
  pgliteTestDatabase,
  postgresTestDatabase,
  postgresUnavailableReason,
  selectRows,
  type TestDatabase,
} from '../support/databases.js';

const postgresSkip = await postgresUnavailableReason();
const MINUTE = 60_000;
const window0 = new Date('2026-03-01T12:00:00.000Z');
const window1 = new Date(window0.getTime() + MINUTE);

const stores: {
  name: string;
  skip: boolean;
  open: () => Promise<{ store: RateLimitStore; database?: TestDatabase }>;
}[] = [
  { name: 'in memory', skip: false, open: async () => ({ store: new InMemoryRateLimitStore() }) },
  {
    name: 'the database (PGlite)',
    skip: false,
    open: async () => {
      const database = await pgliteTestDatabase();
      return { store: new DrizzleRateLimitStore(database.handle.db), database };
    },
  },
  {
    name: 'the database (PostgreSQL)',
    skip: postgresSkip !== null,
    open: async () => {
      const database = await postgresTestDatabase();
      return { store: new DrizzleRateLimitStore(database.handle.db), database };
    },
  },
];

for (const { name, skip, open } of stores) {
  describe.skipIf(skip)(`RateLimitStore in ${name}`, () => {
    let store: RateLimitStore;
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      ({ store, database } = await open());
    });
    afterAll(() => database?.dispose());

    it('counts per key and starts over in each new window', async () => {
      expect(await store.hit('a', window0)).toBe(1);
      expect(await store.hit('a', window0)).toBe(2);
      expect(await store.hit('b', window0)).toBe(1);
      expect(await store.hit('a', window1)).toBe(1);
      // A request stamped with the older window (another instance's clock) still counts.
      expect(await store.hit('a', window0)).toBe(2);
    });

    it('counts concurrent hits exactly once each', async () => {
      const counts = await Promise.all(Array.from({ length: 50 }, () => store.hit('burst', window1)));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    });

    it('forgets keys idle for a whole window', async () => {
      const window2 = new Date(window1.getTime() + MINUTE);
      await store.hit('idle', window1);
      await store.hit('active', window2);

      expect(await store.hit('idle', window2)).toBe(1);
      if (database === undefined) return;
      const keys = await selectRows<{ key: string }>(
        database,
        sql`select key from rate_limit_counters order by key`,
      );
      expect(keys.map((row) => row.key)).toEqual(['active', 'idle']);
    });
  });
}
