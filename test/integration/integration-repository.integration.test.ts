import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import type { IntegrationRepository } from '../../src/application/ports/integration-repository.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { type Stores, storeDrivers } from '../support/store-drivers.js';

for (const driver of await storeDrivers()) {
  describe.skipIf(driver.skip)(`IntegrationRepository on ${driver.name}`, () => {
    let stores: Stores;
    let repository: IntegrationRepository;

    beforeAll(async () => {
      stores = await driver.open();
      ({ repository } = stores);
    });
    afterAll(() => stores.dispose());

    it('creates an integration and finds it by user and platform', async () => {
      const draft = instagramDraft();
      const { integration, created } = await repository.upsert(draft);

      expect(created).toBe(true);
      expect(integration).toMatchObject({ ...draft, scopesGranted: [...draft.scopesGranted] });
      expect(integration.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await repository.find(draft.userId, 'instagram')).toEqual(integration);
      expect(await repository.find(draft.userId, 'facebook')).toBeNull();
    });

    it('replaces the existing integration in place on a second upsert', async () => {
      const first = await repository.upsert(emailDraft());
      const replacement = emailDraft({
        userId: first.integration.userId,
        smtp: { emailAddress: 'new@example.com', host: 'mail.example.org', port: 465, username: 'new' },
        connectionStatus: 'error',
        statusDetail: 'Something failed.',
        metadata: { note: 'replaced' },
      });

      const second = await repository.upsert(replacement);

      expect(second.created).toBe(false);
      expect(second.integration.id).toBe(first.integration.id);
      expect(second.integration.createdAt).toEqual(first.integration.createdAt);
      expect(second.integration.updatedAt.getTime()).toBeGreaterThanOrEqual(
        first.integration.updatedAt.getTime(),
      );
      expect(second.integration).toMatchObject({
        smtp: replacement.smtp,
        connectionStatus: 'error',
        statusDetail: 'Something failed.',
        metadata: { note: 'replaced' },
      });
    });

    it('leaves exactly one row after 50 concurrent upserts for one user and platform', async () => {
      const userId = uniqueUserId();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          repository.upsert(instagramDraft({ userId, metadata: { attempt: index } })),
        ),
      );

      const rows = await repository.listByUser(userId);
      expect(rows).toHaveLength(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.integration.id))).toEqual(new Set([rows[0]?.id]));
    });

    it('lists only the given user’s integrations', async () => {
      const userId = uniqueUserId();
      await repository.upsert(emailDraft({ userId }));
      await repository.upsert(instagramDraft({ userId }));
      await repository.upsert(emailDraft());

      const platforms = (await repository.listByUser(userId)).map((row) => row.platform).sort();

      expect(platforms).toEqual(['email', 'instagram']);
    });

    it('lists the integrations connected through one Meta user, across users and platforms', async () => {
      const metaUserId = `meta-${uniqueUserId()}`;
      const [first, second] = [uniqueUserId(), uniqueUserId()];
      await repository.upsert(instagramDraft({ userId: first, metaUserId }));
      await repository.upsert(instagramDraft({ userId: first, platform: 'facebook', metaUserId }));
      await repository.upsert(instagramDraft({ userId: second, metaUserId }));
      await repository.upsert(instagramDraft({ userId: second, platform: 'facebook', metaUserId: 'other' }));

      const found = (await repository.listByMetaUser(metaUserId)).map((row) => [row.userId, row.platform]);

      expect(found.sort()).toEqual(
        [
          [first, 'facebook'],
          [first, 'instagram'],
          [second, 'instagram'],
        ].sort(),
      );
      expect(await repository.listByMetaUser('nobody')).toEqual([]);
    });

    it('lists what capabilities are decided from, for the given user only and without secrets', async () => {
      const userId = uniqueUserId();
      const expiresAt = new Date('2030-01-02T03:04:05.000Z');
      await repository.upsert(
        instagramDraft({
          userId,
          connectionStatus: 'revoked',
          statusDetail: 'Password changed.',
          tokenExpiresAt: expiresAt,
        }),
      );
      await repository.upsert(emailDraft({ userId }));
      await repository.upsert(emailDraft());

      const facts = await repository.listCapabilityFacts(userId);

      expect(facts.sort((a, b) => a.platform.localeCompare(b.platform))).toEqual([
        {
          platform: 'email',
          loginType: null,
          connectionStatus: 'connected',
          statusDetail: null,
          scopesGranted: [],
          accountId: null,
          pageId: null,
          tokenExpiresAt: null,
          imap: null,
        },
        {
          platform: 'instagram',
          loginType: 'facebook',
          connectionStatus: 'revoked',
          statusDetail: 'Password changed.',
          scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
          accountId: '17841400000000001',
          pageId: '100000000000001',
          tokenExpiresAt: expiresAt,
          imap: null,
        },
      ]);
      expect(await repository.listCapabilityFacts(uniqueUserId())).toEqual([]);
    });

    it('changes status, keeping last_verified_at unless a new one is given', async () => {
      const { integration } = await repository.upsert(emailDraft());
      const failed = await repository.changeStatus(integration.id, {
        connectionStatus: 'error',
        statusDetail: 'SMTP authentication failed - check username and password',
      });
      expect(failed).toMatchObject({
        connectionStatus: 'error',
        statusDetail: 'SMTP authentication failed - check username and password',
        lastVerifiedAt: integration.lastVerifiedAt,
      });

      const verifiedAt = new Date('2026-06-01T12:00:00.000Z');
      const healed = await repository.changeStatus(integration.id, {
        connectionStatus: 'connected',
        statusDetail: null,
        lastVerifiedAt: verifiedAt,
      });
      expect(healed).toMatchObject({
        connectionStatus: 'connected',
        statusDetail: null,
        lastVerifiedAt: verifiedAt,
      });
    });

    it('answers null when changing the status of an integration that is gone', async () => {
      const { integration } = await repository.upsert(emailDraft());
      await repository.remove(integration.userId, 'email');

      expect(
        await repository.changeStatus(integration.id, { connectionStatus: 'error', statusDetail: null }),
      ).toBeNull();
    });

    it('removes an integration once and returns it as it was', async () => {
      const { integration } = await repository.upsert(emailDraft());

      expect(await repository.remove(integration.userId, 'email')).toEqual(integration);
      expect(await repository.remove(integration.userId, 'email')).toBeNull();
      expect(await repository.find(integration.userId, 'email')).toBeNull();
    });
  });
}

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`IntegrationRepository on ${driver.name}, beneath the port`, () => {
    let database: TestDatabase;
    let repository: DrizzleIntegrationRepository;

    beforeAll(async () => {
      database = await driver.open();
      repository = new DrizzleIntegrationRepository(database.handle.db);
    });
    afterAll(() => database.dispose());

    it('reads rows written by the earlier Python service, with null JSON columns', async () => {
      const userId = uniqueUserId();
      await database.handle.db.execute(sql`
        insert into social_integrations (user_id, platform, connection_status, scopes_granted, metadata, access_token)
        values (${userId}, 'facebook', 'connected', null, null, 'gAAAAA-legacy')`);

      const [legacy] = await repository.listByUser(userId);

      expect(legacy).toMatchObject({ platform: 'facebook', scopesGranted: [], metadata: {}, smtp: null });
    });
  });
}
