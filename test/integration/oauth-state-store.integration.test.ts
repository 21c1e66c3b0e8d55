import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthStateStore, OAuthTransaction } from '../../src/application/ports/oauth-state-store.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { type Stores, storeDrivers } from '../support/store-drivers.js';

function transaction(overrides: Partial<OAuthTransaction> = {}): OAuthTransaction {
  const createdAt = new Date('2026-03-01T10:00:00.000Z');
  return {
    stateHash: randomBytes(32).toString('hex'),
    userId: uniqueUserId(),
    platform: 'tiktok',
    loginType: null,
    redirectUri: 'https://app.example.com/oauth/callback',
    codeVerifier: 'gAAAAA-sealed-verifier' as EncryptedSecret,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
    ...overrides,
  };
}

for (const driver of await storeDrivers()) {
  describe.skipIf(driver.skip)(`OAuthStateStore on ${driver.name}`, () => {
    let stores: Stores;
    let store: OAuthStateStore;

    beforeAll(async () => {
      stores = await driver.open();
      store = stores.oauthStates;
    });
    afterAll(() => stores.dispose());

    it('gives a transaction back exactly once', async () => {
      const saved = transaction();
      await store.save(saved);

      expect(await store.take(saved.stateHash)).toEqual(saved);
      expect(await store.take(saved.stateHash)).toBeNull();
      expect(await stores.holdsOAuthState(saved.stateHash)).toBe(false);
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

      expect(await stores.holdsOAuthState(old.stateHash)).toBe(false);
      expect(await store.take(old.stateHash)).toBeNull();
    });

    it('answers null for a state it never saw', async () => {
      expect(await store.take('0'.repeat(64))).toBeNull();
    });
  });
}
