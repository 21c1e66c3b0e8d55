import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationDraft } from '../../src/domain/integration.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { dueTikTokDraft, uniqueUserId } from '../support/integration-builders.js';
import { lifecycleRow } from '../support/lifecycle-rows.js';
import { ManualClock } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';
import { startWebhookReceiver, type WebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const secret = webhookSecret();

interface Delivered {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`the refresher's expiry events, delivered, on ${driver.name}`, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver;
    let clock: ManualClock;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs);

    beforeAll(async () => {
      database = await driver.open();
      receiver = await startWebhookReceiver(secret);
    });
    afterAll(async () => {
      await receiver.close();
      await database.dispose();
    });
    beforeEach(async () => {
      // A minute ahead of the database's now(), which schedules what is saved.
      clock = new ManualClock(new Date(Date.now() + MINUTE));
      harness = await createTestApp(database, {
        clock,
        env: {
          WEBHOOK_URLS: receiver.url('/expiry'),
          WEBHOOK_SECRET: secret,
          WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
        },
      });
    });

    /** A TikTok integration stored without a refresh token: nothing can renew it. */
    async function unrenewable(userId: string, overrides: Partial<IntegrationDraft>) {
      const draft = await dueTikTokDraft(
        harness.cipher,
        { openId: `open-${userId}`, accessToken: 'at-expiry', refreshToken: 'rt-expiry' },
        clock.now(),
        { userId, refreshToken: null, lastVerifiedAt: clock.now(), ...overrides },
      );
      return (await harness.repository.upsert(draft)).integration;
    }

    /** What the receiver verified for this user, after a delivery pass. */
    async function deliveredTo(userId: string): Promise<Delivered[]> {
      await harness.jobs.deliverWebhooks();
      return receiver
        .at('/expiry')
        .map((webhook) => webhook.verified as Delivered | null)
        .filter((event): event is Delivered => event !== null && event.data.user_id === userId);
    }

    it('warns once per token that cannot be renewed, EXPIRY_WARNING_HOURS (72) before it expires', async () => {
      const userId = uniqueUserId();
      const expiresAt = at(80 * HOUR);
      const integration = await unrenewable(userId, { tokenExpiresAt: expiresAt });
      expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ rescheduled: 1, warned: 0 });
      expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toEqual(at(8 * HOUR));

      clock.advance(8 * HOUR);
      expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ warned: 1 });
      clock.advance(2 * MINUTE);
      expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ warned: 0 });

      const events = await deliveredTo(userId);
      expect(events).toEqual([
        {
          type: 'integration.expiring_soon',
          timestamp: expect.any(String),
          data: {
            user_id: userId,
            platform: 'tiktok',
            token_expires_at: expiresAt.toISOString(),
            reason:
              'Your TikTok access expires soon and cannot be renewed automatically. Reconnect your account.',
          },
        },
      ]);
      // The warning is bookkeeping: reading the integration shows no change.
      expect((await harness.repository.find(userId, 'tiktok'))?.updatedAt).toEqual(integration.updatedAt);
    });

    it('warns again for a new token, and not at all for one it will renew', async () => {
      const userId = uniqueUserId();
      await unrenewable(userId, { tokenExpiresAt: at(24 * HOUR) });
      await harness.jobs.refreshDueIntegrations();
      // Saved again with a new token: the warning is owed anew.
      await unrenewable(userId, { tokenExpiresAt: at(48 * HOUR) });
      clock.advance(2 * MINUTE);
      await harness.jobs.refreshDueIntegrations();

      const renewable = uniqueUserId();
      await unrenewable(renewable, {
        refreshToken: await harness.cipher.seal('rt'),
        tokenExpiresAt: at(HOUR),
      });
      await harness.jobs.refreshDueIntegrations();

      expect((await deliveredTo(userId)).map((event) => event.data.token_expires_at)).toEqual([
        at(24 * HOUR - 2 * MINUTE).toISOString(),
        at(48 * HOUR - 2 * MINUTE).toISOString(),
      ]);
      expect(await deliveredTo(renewable)).toEqual([]);
    });

    it('records the passed expiry as expired at its first look after it, announcing the status change', async () => {
      const userId = uniqueUserId();
      const expiresAt = at(10 * HOUR);
      const integration = await unrenewable(userId, { tokenExpiresAt: expiresAt });
      await harness.jobs.refreshDueIntegrations();
      // Warned at once (10 h < 72 h); the next look is the expiry itself.
      expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toEqual(expiresAt);

      clock.advance(10 * HOUR + 1000);
      expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ expired: 1 });

      const events = await deliveredTo(userId);
      // Capabilities read the passed expiry as expired already, so only the stored status changes.
      expect(events.map((event) => event.type)).toEqual([
        'integration.expiring_soon',
        'integration.status_changed',
      ]);
      expect(events[1]?.data).toMatchObject({
        previous_status: 'connected',
        status: 'expired',
        reason_code: 'token_expired',
      });
      expect((await harness.repository.find(userId, 'tiktok'))?.connectionStatus).toBe('expired');
    });
  });
}
