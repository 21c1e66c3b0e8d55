import { and, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/persistence/database.js';
import { outboxEvents, webhookDeliveries } from '../../src/adapters/persistence/schema.js';
import { parseConfig } from '../../src/config.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';
import { startWebhookReceiver, type WebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

const secret = webhookSecret();

/** Writes events as a use case's transaction would; delivery only reads the outbox. */
async function writeEvents(database: TestDatabase, count: number, userId = uniqueUserId()) {
  const rows = await (database.handle.db as Database)
    .insert(outboxEvents)
    .values(
      Array.from({ length: count }, (_, index) => ({
        userId,
        type: 'integration.deleted',
        data: { user_id: userId, platform: 'email', index },
      })),
    )
    .returning({ id: outboxEvents.id });
  return rows.map((row) => row.id);
}

async function deliveryRow(database: TestDatabase, eventId: string, endpoint: string) {
  const [row] = await database.handle.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.endpoint, endpoint)));
  return row;
}

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`webhook delivery on ${driver.name}`, () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      database = await driver.open();
      receiver = await startWebhookReceiver(secret);
    });
    afterAll(async () => {
      await receiver.close();
      await database.dispose();
    });

    // Each test delivers to paths of its own, and earlier tests' events were delivered already.
    const serviceFor = (paths: string[], env: Record<string, string> = {}) =>
      createTestApp(database, {
        env: {
          WEBHOOK_URLS: paths.map((path) => receiver.url(path)).join(','),
          WEBHOOK_SECRET: secret,
          WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
          WEBHOOK_RETRY_SECONDS: '0,0',
          ...env,
        },
      });

    it('delivers each event signed, with the event id as webhook-id and the contract body', async () => {
      const service = await serviceFor(['/signed']);
      const [id] = await writeEvents(database, 1);
      const report = await service.jobs.deliverWebhooks();
      expect(report).toEqual({ delivered: 1, retrying: 0, gone: 0, failed: 0 });
      const [webhook] = receiver.at('/signed');
      expect(webhook?.id).toBe(id);
      expect(webhook?.verified).toMatchObject({
        type: 'integration.deleted',
        data: { platform: 'email', index: 0 },
      });
      const body = JSON.parse(webhook?.body ?? '{}');
      expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
      expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
      expect(Math.abs(Number(webhook?.timestamp) - Date.now() / 1000)).toBeLessThan(300);
      expect(await service.jobs.deliverWebhooks()).toEqual({ delivered: 0, retrying: 0, gone: 0, failed: 0 });
    });

    it('retries a 500 on the schedule: the third attempt, 200, carries the same webhook-id', async () => {
      receiver.script('/flaky', [500, 500, 200]);
      const service = await serviceFor(['/flaky']);
      const [id] = await writeEvents(database, 1);
      const report = await service.jobs.deliverWebhooks();
      expect(report).toEqual({ delivered: 1, retrying: 2, gone: 0, failed: 0 });
      expect(receiver.at('/flaky').map((webhook) => webhook.id)).toEqual([id, id, id]);
      expect(receiver.at('/flaky').every((webhook) => webhook.verified !== null)).toBe(true);
      expect(await deliveryRow(database, id ?? '', receiver.url('/flaky'))).toMatchObject({
        status: 'delivered',
        attempts: 3,
      });
    });

    it('stops at 410 without retrying, and fails after the last scheduled attempt', async () => {
      receiver.script('/gone', [410]);
      receiver.script('/down', [503]);
      const service = await serviceFor(['/gone', '/down']);
      const [id] = await writeEvents(database, 1);
      const report = await service.jobs.deliverWebhooks();
      expect(report).toEqual({ delivered: 0, retrying: 2, gone: 1, failed: 1 });
      expect(receiver.at('/gone')).toHaveLength(1);
      expect(receiver.at('/down')).toHaveLength(3);
      expect(await deliveryRow(database, id ?? '', receiver.url('/gone'))).toMatchObject({ status: 'gone' });
      expect(await deliveryRow(database, id ?? '', receiver.url('/down'))).toMatchObject({
        status: 'failed',
        attempts: 3,
        lastError: 'status',
      });
      await service.jobs.deliverWebhooks();
      expect(receiver.at('/gone')).toHaveLength(1);
      expect(receiver.at('/down')).toHaveLength(3);
    });

    it('delivers to each endpoint independently: one failing does not hold back the other', async () => {
      receiver.script('/broken', [500]);
      const service = await serviceFor(['/broken', '/healthy'], { WEBHOOK_RETRY_SECONDS: '3600' });
      const ids = await writeEvents(database, 3);
      const report = await service.jobs.deliverWebhooks();
      expect(report).toEqual({ delivered: 3, retrying: 3, gone: 0, failed: 0 });
      expect(
        receiver
          .at('/healthy')
          .map((webhook) => webhook.id)
          .sort(),
      ).toEqual([...ids].sort());
      expect(receiver.at('/broken')).toHaveLength(3);
      const waiting = await deliveryRow(database, ids[0] ?? '', receiver.url('/broken'));
      expect(waiting?.status).toBe('pending');
      expect(waiting?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    });

    it('refuses a redirect as a failed attempt and never follows it', async () => {
      receiver.script('/moved', [302]);
      const service = await serviceFor(['/moved'], { WEBHOOK_RETRY_SECONDS: '0' });
      const [id] = await writeEvents(database, 1);
      await service.jobs.deliverWebhooks();
      expect(receiver.at('/moved/elsewhere')).toHaveLength(0);
      expect(await deliveryRow(database, id ?? '', receiver.url('/moved'))).toMatchObject({
        lastError: 'redirect refused',
      });
    });

    it('signs with every secret during rotation: each signature verifies with its own secret', async () => {
      const next = webhookSecret();
      const service = await serviceFor(['/rotating'], { WEBHOOK_SECRET: `${next},${secret}` });
      await writeEvents(database, 1);
      await service.jobs.deliverWebhooks();
      const [webhook] = receiver.at('/rotating');
      expect(webhook?.signatures).toHaveLength(2);
      expect(webhook?.signatures.every((signature) => signature.startsWith('v1,'))).toBe(true);
      const headers = (signature: string) => ({
        'webhook-id': webhook?.id ?? '',
        'webhook-timestamp': webhook?.timestamp ?? '',
        'webhook-signature': signature,
      });
      const [first, second] = webhook?.signatures ?? [];
      expect(new Webhook(next).verify(webhook?.body ?? '', headers(first ?? ''))).toBeTruthy();
      expect(new Webhook(secret).verify(webhook?.body ?? '', headers(second ?? ''))).toBeTruthy();
      expect(() => new Webhook(secret).verify(webhook?.body ?? '', headers(first ?? ''))).toThrow();
    });

    it('redelivers failed deliveries of events since a time, with a fresh schedule', async () => {
      receiver.script('/later', [500, 500, 500, 200]);
      const service = await serviceFor(['/later']);
      // Earlier tests left failed deliveries of older events: only this one happened since `since`.
      const since = new Date();
      const [id] = await writeEvents(database, 1);
      expect((await service.jobs.deliverWebhooks()).failed).toBe(1);
      expect(await service.jobs.redeliverFailed(new Date(Date.now() + 3_600_000))).toBe(0);
      expect(await service.jobs.redeliverFailed(since)).toBe(1);
      expect((await service.jobs.deliverWebhooks()).delivered).toBe(1);
      expect(receiver.at('/later').map((webhook) => webhook.id)).toEqual([id, id, id, id]);
    });

    // 2,000 deliveries on PGlite take 12-17 s on a busy two-core machine: the 60 s is a hang guard, not a target.
    it('with four instances over 1,000 events, delivers each event once per endpoint', async () => {
      const paths = ['/many-a', '/many-b'];
      const services = await Promise.all([1, 2, 3, 4].map(() => serviceFor(paths)));
      const ids = await writeEvents(database, 1000);
      await Promise.all(services.map((service) => service.jobs.deliverWebhooks()));
      for (const path of paths) {
        const delivered = receiver.at(path).map((webhook) => webhook.id);
        expect(delivered).toHaveLength(1000);
        expect(new Set(delivered)).toEqual(new Set(ids));
      }
    }, 60_000);
  });
}

describe('webhook configuration', () => {
  const problems = (env: Record<string, string>) => {
    const parsed = parseConfig(env);
    return parsed.ok ? [] : parsed.problems;
  };

  it('requires a secret with endpoints, and https or loopback http', () => {
    expect(problems({ WEBHOOK_URLS: 'https://hooks.example.com/a' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET is required with WEBHOOK_URLS/),
    ]);
    expect(problems({ WEBHOOK_URLS: 'http://hooks.example.com/a', WEBHOOK_SECRET: secret })).toEqual([
      expect.stringMatching(/^WEBHOOK_URLS\.0 entries must be absolute https URLs/),
    ]);
    expect(problems({ WEBHOOK_URLS: 'https://hooks.example.com/a', WEBHOOK_SECRET: 'hunter2' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET\.0 entries must be whsec_/),
    ]);
    expect(problems({ WEBHOOK_RETRY_SECONDS: '5,soon' })).toEqual([
      expect.stringMatching(/^WEBHOOK_RETRY_SECONDS/),
    ]);
  });

  it('refuses loopback and private addresses unless WEBHOOK_ALLOW_PRIVATE_HOSTS=true', () => {
    for (const url of [
      'http://127.0.0.1:9000/hook',
      'http://localhost/hook',
      'https://10.0.0.8/hook',
      'https://192.168.1.1/hook',
      'https://[::1]/hook',
      'https://[fd00::1]/hook',
      'https://169.254.169.254/latest',
    ]) {
      expect(problems({ WEBHOOK_URLS: url, WEBHOOK_SECRET: secret })).toEqual([
        expect.stringMatching(/^WEBHOOK_URLS names a loopback or private address/),
      ]);
      expect(
        problems({ WEBHOOK_URLS: url, WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true' }),
      ).toEqual([]);
    }
    expect(problems({ WEBHOOK_URLS: 'https://hooks.example.com/a', WEBHOOK_SECRET: secret })).toEqual([]);
  });
});
