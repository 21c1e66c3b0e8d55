import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, ok } from '../../src/domain/result.js';
import { emailBody, tokenBody } from '../support/api-routes.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { leaks } from '../support/leaks.js';
import { createTestApp } from '../support/test-app.js';
import { startWebhookReceiver, type WebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

const PASSWORD = 'CANARY_PW_webhooks-7a2c';
const ACCESS_TOKEN = 'CANARY_AT_webhooks-0001-tiktok';
const secret = webhookSecret();

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`events caused by actions, delivered as webhooks, on ${driver.name}`, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver;
    let harness: Awaited<ReturnType<typeof createTestApp>>;

    beforeAll(async () => {
      database = await driver.open();
      receiver = await startWebhookReceiver(secret);
      harness = await createTestApp(database, {
        env: {
          WEBHOOK_URLS: receiver.url('/actions'),
          WEBHOOK_SECRET: secret,
          WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
        },
      });
    });
    afterAll(async () => {
      await receiver.close();
      await database.dispose();
    });

    const call = (method: string, path: string, body?: unknown) =>
      harness.app.request(path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });

    it('delivers what save, validate, replace and delete announce, verified, exactly the pulled events', async () => {
      const userId = uniqueUserId();
      expect(
        (await call('POST', `/api/integrations?user_id=${userId}`, emailBody(PASSWORD))).status,
      ).toBeLessThan(300);
      harness.mailVerifier.next = fail('smtp_auth_failed', 'SMTP authentication failed');
      expect((await call('POST', `/api/integrations/email/validate?user_id=${userId}`)).status).toBe(200);
      harness.mailVerifier.next = ok(undefined);
      expect(
        (await call('POST', `/api/integrations?user_id=${userId}`, emailBody(PASSWORD))).status,
      ).toBeLessThan(300);
      expect(
        (await call('POST', `/api/integrations?user_id=${userId}`, emailBody(PASSWORD))).status,
      ).toBeLessThan(300);
      expect(
        (await call('POST', `/api/integrations?user_id=${userId}`, tokenBody('tiktok', ACCESS_TOKEN))).status,
      ).toBeLessThan(300);
      expect((await call('DELETE', `/api/integrations/email?user_id=${userId}`)).status).toBe(204);

      await harness.jobs.deliverWebhooks();

      const pulled = (await (await call('GET', `/api/events?user_id=${userId}&limit=100`)).json()) as {
        events: { id: string; type: string }[];
      };
      const delivered = receiver.at('/actions');
      expect(delivered.every((webhook) => webhook.verified !== null)).toBe(true);
      expect(delivered.map((webhook) => webhook.id)).toEqual(pulled.events.map((event) => event.id));
      const types = new Set(delivered.map((webhook) => (webhook.verified as { type: string }).type));
      expect([...types].sort()).toEqual([
        'integration.capability_changed',
        'integration.connected',
        'integration.deleted',
        'integration.status_changed',
        'integration.updated',
      ]);
      const haystack = Object.fromEntries(
        delivered.map((webhook, index) => [`webhook ${index}`, `${webhook.id}\n${webhook.body}`]),
      );
      expect(leaks([PASSWORD, ACCESS_TOKEN, secret, secret.slice('whsec_'.length)], haystack)).toEqual([]);
    });
  });
}
