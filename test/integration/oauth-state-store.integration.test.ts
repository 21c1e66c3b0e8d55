import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleOAuthStateStore } from '../../src/adapters/persistence/drizzle-oauth-state-store.js';
import type { OAuthTransaction } from '../../src/application/ports/oauth-state-store.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';

const drivers = await databaseDrivers();

function transaction(overrides: Partial<OAuthTransaction> = {}): OAuthTransaction {
  const createdAt = new Date('2026-03-01T10:00:00.000Z');
  return {
    stateHash: randomBytes(32).toString('hex'),
    userId: uniqueUserId(),
    platform: 'tiktok',
    redirectUri: 'https://app.example.com/oauth/callback',
    codeVerifier: 'gAAAAA-sealed-verifier' as EncryptedSecret,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
    ...overrides,
  };
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`OAuthStateStore on ${driver.name}`, () => {
    let database: TestDatabase;
    let store: DrizzleOAuthStateStore;

    beforeAll(async () => {
      database = await driver.open();
      store = new DrizzleOAuthStateStore(database.handle.db);
    });
    afterAll(() => database.dispose());

    const count = async (stateHash: string) => {
      const result = await database.handle.db.execute(
        sql`select count(*)::int as n from oauth_states where state_hash = ${stateHash}`,
      );
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
      return rows[0]?.n;
    };

    it('gives a transaction back exactly once', async () => {
      const saved = transaction();
      await store.save(saved);

      expect(await store.take(saved.stateHash)).toEqual(saved);
      expect(await store.take(saved.stateHash)).toBeNull();
      expect(await count(saved.stateHash)).toBe(0);
    });

    it('hands one state to exactly one of 20 concurrent takers', async () => {
      const saved = transaction({ codeVerifier: null, platform: 'instagram' });
      await store.save(saved);

      const taken = await Promise.all(Array.from({ length: 20 }, () => store.take(saved.stateHash)));

      expect(taken.filter((entry) => entry !== null)).toEqual([saved]);
    });

    it('drops transactions that had expired when a new one is saved', async () => {
      const old = transaction();
      await store.save(old);
      await store.save(
        transaction({ createdAt: old.expiresAt, expiresAt: new Date(old.expiresAt.getTime() + 600_000) }),
      );

      expect(await count(old.stateHash)).toBe(0);
      expect(await store.take(old.stateHash)).toBeNull();
    });

    it('answers null for a state it never saw', async () => {
      expect(await store.take('0'.repeat(64))).toBeNull();
    });
  });
}
