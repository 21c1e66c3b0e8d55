import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthTransaction } from '../../src/application/ports/oauth-state-store.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { type Stores, storeDrivers } from '../support/store-drivers.js';

const sealed = (label: string) => `gAAAAA-${label}` as EncryptedSecret;

function transaction(codeVerifier: EncryptedSecret | null): OAuthTransaction {
  const createdAt = new Date();
  return {
    stateHash: randomBytes(32).toString('hex'),
    userId: uniqueUserId(),
    platform: 'tiktok',
    loginType: null,
    redirectUri: 'https://app.example.com/oauth/callback',
    codeVerifier,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
  };
}

for (const driver of await storeDrivers()) {
  describe.skipIf(driver.skip)(`SealedSecretStore on ${driver.name}`, () => {
    let stores: Stores;

    beforeAll(async () => {
      stores = await driver.open();
    });
    afterAll(() => stores.dispose());
    beforeEach(() => stores.clearIntegrations());

    it('pages through the rows holding secrets in key order, naming only the columns that hold one', async () => {
      const meta = await stores.repository.upsert(
        instagramDraft({ accessToken: sealed('access'), refreshToken: sealed('refresh') }),
      );
      const email = await stores.repository.upsert(emailDraft({ smtpPassword: sealed('password') }));
      await stores.repository.upsert(instagramDraft({ accessToken: null }));
      const expected = [
        {
          table: 'social_integrations',
          key: meta.integration.id,
          secrets: { accessToken: sealed('access'), refreshToken: sealed('refresh') },
        },
        {
          table: 'social_integrations',
          key: email.integration.id,
          secrets: { smtpPassword: sealed('password') },
        },
      ].sort((a, b) => (a.key < b.key ? -1 : 1));

      const [first] = await stores.sealedSecrets.page('social_integrations', null, 1);
      const rest = await stores.sealedSecrets.page('social_integrations', first?.key ?? null, 10);

      expect(stores.sealedSecrets.tables).toEqual(['social_integrations', 'oauth_states']);
      expect([first, ...rest]).toEqual(expected);
      expect(await stores.sealedSecrets.page('social_integrations', expected[1]?.key ?? null, 10)).toEqual(
        [],
      );
    });

    it('reads OAuth transactions that carry a sealed verifier', async () => {
      const withVerifier = transaction(sealed('verifier'));
      await stores.oauthStates.save(withVerifier);
      await stores.oauthStates.save(transaction(null));

      expect(await stores.sealedSecrets.get('oauth_states', withVerifier.stateHash)).toEqual({
        table: 'oauth_states',
        key: withVerifier.stateHash,
        secrets: { codeVerifier: sealed('verifier') },
      });
      expect((await stores.sealedSecrets.page('oauth_states', null, 100)).map((row) => row.key)).toContain(
        withVerifier.stateHash,
      );
    });

    it('replaces secrets only while the row still holds the ones read', async () => {
      const { integration } = await stores.repository.upsert(emailDraft({ smtpPassword: sealed('old') }));
      const row = await stores.sealedSecrets.get('social_integrations', integration.id);
      if (row === null) throw new Error('the row holds a secret');

      expect(await stores.sealedSecrets.replace(row, { smtpPassword: sealed('new') })).toBe(true);
      expect(await stores.sealedSecrets.replace(row, { smtpPassword: sealed('stale') })).toBe(false);
      expect((await stores.repository.find(integration.userId, 'email'))?.smtpPassword).toBe(sealed('new'));

      await stores.repository.remove(integration.userId, 'email');
      expect(await stores.sealedSecrets.get('social_integrations', integration.id)).toBeNull();
      expect(await stores.sealedSecrets.replace(row, { smtpPassword: sealed('gone') })).toBe(false);
    });

    it('samples at most the given number of rows from each table', async () => {
      for (let index = 0; index < 5; index++)
        await stores.repository.upsert(emailDraft({ smtpPassword: sealed(`p${index}`) }));

      const sample = await stores.sealedSecrets.sample(3);

      expect(sample.filter((row) => row.table === 'social_integrations')).toHaveLength(3);
      expect(new Set(sample.map((row) => row.key)).size).toBe(sample.length);
    });
  });

  describe.skipIf(driver.skip)(`AuditLog on ${driver.name}`, () => {
    let stores: Stores;

    beforeAll(async () => {
      stores = await driver.open();
    });
    afterAll(() => stores.dispose());

    const entryBy = (actor: string | null, requestId: string) => ({
      action: 'integration.delete' as const,
      outcome: 'success' as const,
      actor,
      targetUserId: null,
      platform: 'email' as const,
      code: null,
      revocation: null,
      requestId,
      clientAddress: '127.0.0.1',
    });

    it("pages through one actor's entries, newest first, each with an id and a time", async () => {
      const actor = uniqueUserId();
      const entry = (requestId: string, who: string | null = actor) => entryBy(who, requestId);
      for (const requestId of ['r1', 'r2', 'r3']) {
        await stores.auditLog.append(entry(requestId));
        await stores.auditLog.append(entry(`other-${requestId}`, uniqueUserId()));
      }
      await stores.auditLog.append(entry('anonymous', null));

      const newest = await stores.auditLog.listByActor(actor, { limit: 2, before: null });
      const older = await stores.auditLog.listByActor(actor, { limit: 2, before: newest[1]?.id ?? null });

      expect(newest.map((record) => record.requestId)).toEqual(['r3', 'r2']);
      expect(older.map((record) => record.requestId)).toEqual(['r1']);
      expect(newest[0]).toMatchObject({
        ...entry('r3'),
        id: expect.any(Number),
        occurredAt: expect.any(Date),
      });
      expect((newest[0]?.id ?? 0) > (newest[1]?.id ?? 0)).toBe(true);
    });

    it('writes each of 50 entries appended at once exactly once', async () => {
      const actor = uniqueUserId();
      const requestIds = Array.from({ length: 50 }, (_, index) => `burst-${index}`);

      await Promise.all(requestIds.map((requestId) => stores.auditLog.append(entryBy(actor, requestId))));

      const written = await stores.auditLog.listByActor(actor, { limit: 100, before: null });
      expect(written.map((record) => record.requestId).sort()).toEqual([...requestIds].sort());
    });

    it.skipIf(driver.name === 'the in-memory fakes')(
      'fails only the entry the database refuses among entries appended with it',
      async () => {
        const actor = uniqueUserId();
        // PostgreSQL text cannot hold U+0000.
        const requestIds = ['before-1', 'before-2', 'refused-\u0000', 'after-1', 'after-2'];

        const outcomes = await Promise.allSettled(
          requestIds.map((requestId) => stores.auditLog.append(entryBy(actor, requestId))),
        );

        expect(outcomes.map((outcome) => outcome.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
        ]);
        const written = await stores.auditLog.listByActor(actor, { limit: 10, before: null });
        expect(written.map((record) => record.requestId).sort()).toEqual([
          'after-1',
          'after-2',
          'before-1',
          'before-2',
        ]);
      },
    );
  });
}
