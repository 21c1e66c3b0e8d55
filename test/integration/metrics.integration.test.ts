import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromClientMetrics } from '../../src/adapters/metrics/prom-client-metrics.js';
import { DrizzleMetricsQueries } from '../../src/adapters/persistence/drizzle-metrics-queries.js';
import { REFRESH_OUTCOMES } from '../../src/application/use-cases/refresh-due-integrations.js';
import { ok } from '../../src/domain/result.js';
import { startRefresher } from '../../src/runtime/periodic-job.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { scheduleAt } from '../support/lifecycle-rows.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { createTestApp, testConfig } from '../support/test-app.js';
import { startWebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

const drivers = await databaseDrivers();
const TOKEN = 'metrics-token-for-tests-0123456789';
const CANARY = 'CANARY_user_7f3a9c';
const REQUESTS = 'social_integrations_http_request_duration_seconds_count';

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`/metrics on ${driver.name}`, () => {
    let database: TestDatabase;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    let metrics: PromClientMetrics;
    let served: LoopbackApp;

    beforeAll(async () => {
      database = await driver.open();
      const { handle } = database;
      metrics = new PromClientMetrics({
        queries: new DrizzleMetricsQueries(handle.db),
        poolSize: handle.driver === 'postgres' ? handle.sql.options.max : 1,
        driver: handle.driver,
      });
      harness = await createTestApp(database, {
        env: { METRICS_TOKEN: TOKEN },
        metrics: { recorder: metrics, scrape: () => metrics.scrape() },
      });
      served = await serveOnLoopback(harness.app.fetch);
    });
    afterAll(async () => {
      await served.close();
      await database.dispose();
    });

    const call = (method: string, path: string, body?: unknown) => served.call(method, path, body);

    async function scrape() {
      const response = await fetch(`${served.base}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      return { text, samples: parsePrometheusText(text) };
    }

    it('refuses a scrape without the token, or with another one, with 401', async () => {
      for (const authorization of [
        undefined,
        'Bearer wrong-token-of-the-same-length-0123',
        `Basic ${TOKEN}`,
        `Bearer ${TOKEN}x`,
      ]) {
        const response = await fetch(
          `${served.base}/metrics`,
          authorization === undefined ? {} : { headers: { authorization } },
        );
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        expect(await response.text()).not.toContain('social_integrations_');
      }
    });

    it('counts requests by route pattern, method and status, never by the path asked for', async () => {
      const route = { route: '/api/integrations/:platform/capabilities', method: 'GET', status: '200' };
      const before = sampleValue((await scrape()).samples, REQUESTS, route);
      for (let index = 0; index < 3; index += 1) {
        expect((await call('GET', `/api/integrations/tiktok/capabilities?user_id=${CANARY}`)).status).toBe(
          200,
        );
      }
      expect((await call('GET', `/api/${CANARY}/nothing?user_id=${CANARY}`)).status).toBe(404);
      expect((await call('GET', `/${CANARY}`)).status).toBe(404);

      const { samples } = await scrape();
      expect(sampleValue(samples, REQUESTS, route)).toBe(before + 3);
      expect(sampleValue(samples, REQUESTS, { route: '/api/*', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, REQUESTS, { route: '/*', status: '404' })).toBeGreaterThanOrEqual(1);
      expect(
        sampleValue(samples, 'social_integrations_http_request_duration_seconds_bucket', {
          ...route,
          le: '+Inf',
        }),
      ).toBe(before + 3);
    });

    it('counts integrations by platform and status from the database at scrape time', async () => {
      const userId = uniqueUserId();
      await harness.repository.upsert(emailDraft({ userId }));
      await harness.repository.upsert(instagramDraft({ userId, connectionStatus: 'revoked' }));
      await harness.repository.upsert(
        instagramDraft({ userId, platform: 'tiktok', tokenExpiresAt: new Date(Date.now() - 60_000) }),
      );
      const gauge = 'social_integrations_integrations';
      const { samples } = await scrape();
      expect(sampleValue(samples, gauge, { platform: 'email', status: 'connected' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(
        sampleValue(samples, gauge, { platform: 'instagram', status: 'revoked' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, gauge, { platform: 'tiktok', status: 'expired' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(
        sampleValue(samples, 'social_integrations_database_pool_size', { driver: database.handle.driver }),
      ).toBe(database.handle.driver === 'postgres' ? 10 : 1);
      expect(
        samples.some((sample) => sample.name === 'social_integrations_database_server_connections'),
      ).toBe(true);
    });

    it('counts revokes on delete and sends by platform and outcome', async () => {
      const userId = uniqueUserId();
      await harness.repository.upsert(
        instagramDraft({ userId, platform: 'tiktok', accessToken: await harness.cipher.seal('act.metrics') }),
      );
      harness.gateway.nextRevoke = ok('revoked');
      expect((await call('DELETE', `/api/integrations/tiktok?user_id=${userId}`)).status).toBe(204);
      const denied = await call('POST', `/api/outreach/facebook/messages?user_id=${CANARY}`, {
        recipient_id: '24000000000000001',
        text: 'Hello',
      });
      expect(denied.status).toBe(409);

      const { samples } = await scrape();
      expect(
        sampleValue(samples, 'social_integrations_revocations_total', {
          platform: 'tiktok',
          outcome: 'revoked',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sampleValue(samples, 'social_integrations_outreach_sends_total', {
          platform: 'facebook',
          outcome: 'denied',
          code: 'not_connected',
        }),
      ).toBe(1);
    });

    it('counts what the in-process refresher did, by outcome', async () => {
      const { integration } = await harness.repository.upsert(emailDraft({ userId: uniqueUserId() }));
      await scheduleAt(database.handle.db, integration.id, new Date(Date.now() - 1000));
      const counted = (samples: ReturnType<typeof parsePrometheusText>) =>
        Object.fromEntries(
          REFRESH_OUTCOMES.map((outcome) => [
            outcome,
            sampleValue(samples, 'social_integrations_refresh_outcomes_total', { outcome }),
          ]),
        );
      const before = counted((await scrape()).samples);
      const runs = () => harness.logLines.filter((line) => line.includes('"msg":"refresh run"'));
      const logged = runs().length;

      const job = startRefresher(
        testConfig({ REFRESH_INTERVAL_SECONDS: '3600' }),
        harness.jobs,
        harness.logger,
        undefined,
        metrics,
      );
      await expect.poll(() => runs().length).toBe(logged + 1);
      await job?.stop();

      const report = JSON.parse(runs().at(-1) ?? '{}');
      const after = counted((await scrape()).samples);
      expect(REFRESH_OUTCOMES.reduce((sum, outcome) => sum + report[outcome], 0)).toBeGreaterThanOrEqual(1);
      for (const outcome of REFRESH_OUTCOMES)
        expect(after[outcome]).toBe((before[outcome] ?? 0) + report[outcome]);
    });

    it('counts webhook attempts by outcome, the delivery lag, and what waits in the outbox', async () => {
      const secret = webhookSecret();
      const receiver = await startWebhookReceiver(secret);
      try {
        const delivering = await createTestApp(database, {
          env: {
            WEBHOOK_URLS: `${receiver.url('/flaky')},${receiver.url('/gone')}`,
            WEBHOOK_SECRET: secret,
            WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
            WEBHOOK_RETRY_SECONDS: '0',
          },
          metrics: { recorder: metrics, scrape: () => metrics.scrape() },
        });
        receiver.script('/flaky', [500, 200]);
        receiver.script('/gone', [410]);
        // An event of the canary user's, beside what the earlier tests' deletes wrote.
        expect(
          (
            await call(
              'PUT',
              `/api/outreach/email/suppressions/${encodeURIComponent('a@example.com')}?user_id=${CANARY}`,
            )
          ).status,
        ).toBe(201);

        const depth = (samples: ReturnType<typeof parsePrometheusText>, state: string) =>
          sampleValue(samples, 'social_integrations_outbox_depth', { state });
        const attempts = (samples: ReturnType<typeof parsePrometheusText>, outcome: string) =>
          sampleValue(samples, 'social_integrations_webhook_attempts_total', { outcome });
        const waiting = (await scrape()).samples;
        expect(depth(waiting, 'unqueued')).toBeGreaterThanOrEqual(1);
        expect(sampleValue(waiting, 'social_integrations_outbox_oldest_waiting_seconds')).toBeGreaterThan(0);

        await delivering.jobs.deliverWebhooks();
        const events = receiver.at('/gone').length;
        expect(events).toBe(depth(waiting, 'unqueued'));
        const after = (await scrape()).samples;
        expect(attempts(after, 'delivered') - attempts(waiting, 'delivered')).toBe(events);
        expect(attempts(after, 'retrying') - attempts(waiting, 'retrying')).toBe(1);
        expect(attempts(after, 'gone') - attempts(waiting, 'gone')).toBe(events);
        const lag = 'social_integrations_webhook_delivery_lag_seconds';
        expect(sampleValue(after, `${lag}_count`) - sampleValue(waiting, `${lag}_count`)).toBe(events);
        expect(sampleValue(after, `${lag}_bucket`, { le: '+Inf' })).toBe(sampleValue(after, `${lag}_count`));
        expect([depth(after, 'unqueued'), depth(after, 'pending'), depth(after, 'failed')]).toEqual([
          0, 0, 0,
        ]);
        expect(sampleValue(after, 'social_integrations_outbox_oldest_waiting_seconds')).toBe(0);
      } finally {
        await receiver.close();
      }
    });

    it('never carries a user id or a secret in a label or anywhere in the scrape', async () => {
      const { text } = await scrape();
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('act.metrics');
      expect(text).not.toMatch(/user_id|usr_/);
    });
  });
}

describe('/metrics without METRICS_TOKEN or METRICS_PORT', () => {
  it('answers 404, as for any unknown path', async () => {
    const { pgliteTestDatabase } = await import('../support/databases.js');
    const database = await pgliteTestDatabase();
    try {
      const harness = await createTestApp(database);
      const response = await harness.app.request('/metrics', {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(404);
    } finally {
      await database.dispose();
    }
  });
});
