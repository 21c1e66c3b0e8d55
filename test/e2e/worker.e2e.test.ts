import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import type { Database } from '../../src/adapters/persistence/database.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { outboxEvents } from '../../src/adapters/persistence/schema.js';
import { giveConsent } from '../fakes/consent.js';
import { hubSignature, messagingDelivery } from '../fakes/meta-fake.js';
import {
  postgresTestDatabase,
  postgresUnavailableReason,
  selectRows,
  type TestDatabase,
} from '../support/databases.js';
import { type EdgeProcess, startWorker } from '../support/edge-processes.js';
import { connectionSummary, jsonPoster } from '../support/http-json.js';
import { dueTikTokDraft, emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { startWebhookReceiver, type WebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

const REDIRECT = 'http://localhost:5173/oauth/callback';
const KEY = generateFernetKey();
const WEBHOOK_SECRET = webhookSecret();
const postgresSkip = await postgresUnavailableReason();

describe.skipIf(postgresSkip !== null)(
  'the Worker in workerd (wrangler dev), on PostgreSQL through Hyperdrive',
  () => {
    let fakes: PlatformFakes;
    let database: TestDatabase;
    let worker: EdgeProcess;
    let receiver: WebhookReceiver;
    let stateDir: string;
    let base: string;

    beforeAll(async () => {
      fakes = await startPlatformFakes([REDIRECT]);
      fakes.meta.pages = [
        { id: '100000000000003', name: 'Acme Studio', instagramAccountId: '17841400000000003' },
      ];
      database = await postgresTestDatabase();
      receiver = await startWebhookReceiver(WEBHOOK_SECRET);
      stateDir = mkdtempSync(join(tmpdir(), 'social-integrations-worker-'));
      worker = await startWorker(
        {
          ...fakes.environment,
          NODE_ENV: 'test',
          ENCRYPTION_KEY: KEY,
          OUTBOUND_TIMEOUT_MS: '3000',
          RATE_LIMIT_OUTBOUND_PER_MINUTE: '0',
          WEBHOOK_URLS: receiver.url('/worker'),
          WEBHOOK_SECRET,
          WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
          META_WEBHOOK_VERIFY_TOKEN: 'worker-verify-token',
        },
        database.url ?? '',
        stateDir,
      );
      base = `${worker.baseUrl}/api/integrations`;
    }, 90_000);
    afterAll(async () => {
      await worker?.stop();
      await receiver?.close();
      await database?.dispose();
      await fakes?.close();
      rmSync(stateDir, { recursive: true, force: true });
    });

    const post = jsonPoster(() => base);

    it('answers capabilities for the four platforms, email unavailable on this runtime', async () => {
      const response = await fetch(`${base}/capabilities?user_id=${uniqueUserId()}`);
      const capabilities = await response.json();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(capabilities.map((entry: { platform: string }) => entry.platform)).toEqual([
        'instagram',
        'facebook',
        'tiktok',
        'email',
      ]);
      expect(capabilities[3]).toMatchObject({
        can_send_dm: false,
        reason_code: 'unsupported_on_runtime',
        reason: expect.stringContaining('through the Node service (npm start)'),
      });
    });

    it('checks a posted TikTok token with TikTok, stores it sealed, lists it masked and deletes it', async () => {
      const userId = uniqueUserId();
      const { accessToken, refreshToken } = fakes.tiktok.issueTokens();

      const created = await post(`/?user_id=${userId}`, {
        platform: 'tiktok',
        access_token: accessToken,
        refresh_token: refreshToken,
      });

      expect(created.status).toBe(201);
      expect(fakes.tiktok.server.requestsTo('user_info').at(-1)?.headers.authorization).toBe(
        `Bearer ${accessToken}`,
      );
      const [row] = await selectRows<{ access_token: string }>(
        database,
        sql`select access_token from social_integrations where user_id = ${userId}`,
      );
      expect(row?.access_token).toMatch(/^gAAAAA/);
      const listed = await (await fetch(`${base}/?user_id=${userId}`)).json();
      expect(listed).toMatchObject([
        { platform: 'tiktok', account_id: fakes.tiktok.openId, access_token: `****${accessToken.slice(-4)}` },
      ]);
      expect(JSON.stringify(listed)).not.toContain(accessToken);

      expect((await fetch(`${base}/tiktok?user_id=${userId}`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${base}/?user_id=${userId}`)).json()).toEqual([]);
    });

    it('answers 501 to creating or validating an email integration, and changes nothing', async () => {
      const userId = uniqueUserId();
      const created = await post(`/?user_id=${userId}`, {
        platform: 'email',
        email_address: 'me@example.com',
        smtp_host: 'smtp.example.com',
        smtp_port: 587,
        smtp_username: 'me@example.com',
        smtp_password: 'CANARY_smtp_password',
      });
      expect(created.status).toBe(501);
      expect(await created.json()).toEqual({
        code: 'email_unsupported_on_runtime',
        detail:
          'Email (SMTP) integrations cannot be checked on Cloudflare Workers. Connect and validate them through the Node service (npm start), which shares this database.',
      });
      expect(await (await fetch(`${base}/?user_id=${userId}`)).json()).toEqual([]);

      // One a Node service saved: validating it here must not mark it failed.
      const cipher = await FernetSecretCipher.fromKeyList(KEY);
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      const { integration: stored } = await repository.upsert(
        emailDraft({ userId, smtpPassword: await cipher.seal('CANARY_smtp_password') }),
      );
      const validated = await post(`/email/validate?user_id=${userId}`);
      expect(validated.status).toBe(501);
      expect((await validated.json()).code).toBe('email_unsupported_on_runtime');
      expect(await repository.find(userId, 'email')).toEqual(stored);
    });

    it('connects Instagram and TikTok through OAuth against the fake platforms, then sends on Instagram', async () => {
      const userId = uniqueUserId();
      for (const platform of ['instagram', 'tiktok']) {
        const started = await fetch(
          `${base}/oauth/${platform}/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        expect(started.status).toBe(200);
        const back = await giveConsent((await started.json()).authorization_url);
        const callback = await post(`/oauth/${platform}/callback?user_id=${userId}`, {
          code: back.searchParams.get('code'),
          state: back.searchParams.get('state'),
          redirect_uri: REDIRECT,
        });
        expect(callback.status).toBe(201);
      }

      const capabilities = await (await fetch(`${base}/capabilities?user_id=${userId}`)).json();
      expect(connectionSummary(capabilities)).toEqual([
        ['instagram', true, true],
        ['facebook', false, false],
        ['tiktok', true, false],
        ['email', false, false],
      ]);

      // The Page's Send API is plain fetch: outreach to Instagram works here; email is Node's.
      fakes.meta.people.set('24000000000000003', { platform: 'instagram', lastMessageAt: Date.now() });
      const outreach = `${worker.baseUrl}/api/outreach`;
      const sent = await fetch(`${outreach}/instagram/messages?user_id=${userId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'worker-1' },
        body: JSON.stringify({ recipient_id: '24000000000000003', text: 'Sent from a Worker' }),
      });
      expect(sent.status).toBe(201);
      expect((await sent.json()).platform_message_id).toBe(fakes.meta.sentMessages.at(-1)?.messageId);
      expect(fakes.meta.sentMessages.at(-1)).toMatchObject({
        pageId: '100000000000003',
        text: 'Sent from a Worker',
      });
      const email = await fetch(`${outreach}/email/messages?user_id=${userId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: 'lead@example.org', subject: 'Hi', text: 'Hello' }),
      });
      expect([email.status, (await email.json()).code]).toEqual([501, 'email_unsupported_on_runtime']);
    });

    it("answers Meta's webhook challenge for the right verify token only", async () => {
      const challenge = (token: string) =>
        fetch(
          `${worker.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=4242`,
        );
      const right = await challenge('worker-verify-token');
      expect(right.status).toBe(200);
      expect(await right.text()).toBe('4242');
      const wrong = await challenge('another-token');
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ code: 'forbidden' });
    });

    it('checks a Meta delivery with Web Crypto: only a signed one opens the window', async () => {
      const userId = uniqueUserId();
      const pageId = '100000000000013';
      await new DrizzleIntegrationRepository(database.handle.db).upsert(
        instagramDraft({ userId, platform: 'facebook', pageId }),
      );
      const body = JSON.stringify(
        messagingDelivery('facebook', pageId, [{ from: '24000000000013', text: 'hi' }]),
      );
      const deliver = (signature: string) =>
        fetch(`${worker.baseUrl}/webhooks/meta`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body,
        });
      expect((await deliver(hubSignature('another-secret', body))).status).toBe(401);
      expect((await deliver(hubSignature(fakes.meta.appSecret, body))).status).toBe(200);
      const check = await fetch(
        `${worker.baseUrl}/api/outreach/facebook/recipients/24000000000013?user_id=${userId}`,
      );
      expect(await check.json()).toMatchObject({ window: 'open' });
    });

    it('keeps rate-limit counts in PostgreSQL, shared by every isolate', async () => {
      await fetch(`${base}/?user_id=${uniqueUserId()}`);
      const [counted] = await selectRows<{ count: number }>(
        database,
        sql`select count(*)::int as count from rate_limit_counters`,
      );
      expect(counted?.count).toBeGreaterThan(0);
    });

    it('serves the settings page and its scripts from Workers static assets', async () => {
      const page = await fetch(`${worker.baseUrl}/settings?user_id=${uniqueUserId()}`);
      expect(page.status).toBe(200);
      const script = await fetch(`${worker.baseUrl}/assets/settings.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect(script.headers.get('cache-control')).toBe('no-store');
      const swaggerUi = await fetch(`${worker.baseUrl}/assets/swagger-ui/swagger-ui-bundle.js`);
      expect(swaggerUi.status).toBe(200);
      expect((await fetch(`${worker.baseUrl}/assets/missing.js`)).status).toBe(404);
    });

    it('renews a due TikTok integration when the cron trigger fires', async () => {
      const cipher = await FernetSecretCipher.fromKeyList(KEY);
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      const tokens = { openId: `open-${uniqueUserId()}`, ...fakes.tiktok.issueTokens() };
      const { integration: seeded } = await repository.upsert(
        await dueTikTokDraft(cipher, tokens, new Date()),
      );
      const grants = () =>
        fakes.tiktok.server
          .requestsTo('token')
          .filter((request) => request.form.refresh_token === tokens.refreshToken);

      const fired = await fetch(`${worker.baseUrl}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
      expect(fired.status).toBe(200);

      let renewed = await repository.find(seeded.userId, 'tiktok');
      for (let tries = 0; tries < 100 && renewed?.accessToken === seeded.accessToken; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        renewed = await repository.find(seeded.userId, 'tiktok');
      }
      expect(grants()).toHaveLength(1);
      expect(renewed?.accessToken).not.toBe(seeded.accessToken);
      const sealed = renewed?.accessToken;
      if (sealed == null) throw new Error('the renewed integration has no access token');
      const newAccessToken = await cipher.open(sealed);
      expect(newAccessToken).not.toBe(tokens.accessToken);
      expect(renewed?.tokenExpiresAt?.getTime()).toBeGreaterThan(seeded.tokenExpiresAt?.getTime() ?? 0);
      // The pass looks for more due integrations after saving this one, then logs its end.
      for (let tries = 0; tries < 50 && !worker.output().includes('"msg":"refresh run finished"'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(worker.output()).toContain('"msg":"refresh run finished"');
    });

    it('delivers a committed event as a signed webhook when the cron trigger fires', async () => {
      const [event] = await (database.handle.db as Database)
        .insert(outboxEvents)
        .values({ userId: uniqueUserId(), type: 'integration.deleted', data: { platform: 'tiktok' } })
        .returning({ id: outboxEvents.id });

      const fired = await fetch(`${worker.baseUrl}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
      expect(fired.status).toBe(200);

      const webhook = await receiver.deliveryOf(event?.id ?? '');
      expect(webhook.verified).toMatchObject({ type: 'integration.deleted', data: { platform: 'tiktok' } });
    });

    it('refuses to run the cron with an ENCRYPTION_KEY that cannot open the stored secrets', async () => {
      const own = await postgresTestDatabase();
      const ownState = mkdtempSync(join(tmpdir(), 'social-integrations-worker-'));
      const cipher = await FernetSecretCipher.fromKeyList(KEY);
      const repository = new DrizzleIntegrationRepository(own.handle.db);
      const seeded = await Promise.all(
        [1, 2].map(async () => {
          const tokens = { openId: `open-${uniqueUserId()}`, ...fakes.tiktok.issueTokens() };
          return (await repository.upsert(await dueTikTokDraft(cipher, tokens, new Date()))).integration;
        }),
      );
      const wrongKey = await startWorker(
        { ...fakes.environment, NODE_ENV: 'test', ENCRYPTION_KEY: generateFernetKey() },
        own.url ?? '',
        ownState,
      );
      try {
        const fired = await fetch(
          `${wrongKey.baseUrl}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`,
        );
        expect(fired.status).toBe(200);
        for (let tries = 0; tries < 50 && !wrongKey.output().includes('refresh refused'); tries++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(wrongKey.output()).toContain(
          '"msg":"refresh refused: ENCRYPTION_KEY cannot open the stored secrets"',
        );
        expect(wrongKey.output()).toContain(
          'were encrypted with a key that ENCRYPTION_KEY lacks (2 of 2 sampled rows',
        );
        expect(wrongKey.output()).not.toContain('"msg":"refresh run finished"');
        for (const integration of seeded) {
          expect(await repository.find(integration.userId, 'tiktok')).toEqual(integration);
        }
      } finally {
        await wrongKey.stop();
        await own.dispose();
        rmSync(ownState, { recursive: true, force: true });
      }
    }, 90_000);

    it('answers a misconfigured deployment with a 500 that keeps its settings to the log', async () => {
      const misconfiguredState = mkdtempSync(join(tmpdir(), 'social-integrations-worker-'));
      const misconfigured = await startWorker(
        { NODE_ENV: 'production', CORS_ORIGINS: 'not-an-origin' },
        database.url ?? '',
        misconfiguredState,
        500,
      );
      try {
        const answer = await fetch(`${misconfigured.baseUrl}/api/integrations/capabilities?user_id=u`);
        expect(answer.status).toBe(500);
        const body = JSON.stringify(await answer.json());
        expect(body).toContain('"code":"internal_error"');
        expect(body).toContain('misconfigured');
        expect(body).not.toContain('ENCRYPTION_KEY');
        expect(body).not.toContain('not-an-origin');
        // workerd's console reaches wrangler's output a moment after the answer.
        for (
          let tries = 0;
          tries < 50 && !misconfigured.output().includes('Invalid configuration');
          tries++
        ) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(misconfigured.output()).toMatch(/Invalid configuration: CORS_ORIGINS\S* has .*not-an-origin/);
      } finally {
        await misconfigured.stop();
        rmSync(misconfiguredState, { recursive: true, force: true });
      }
    }, 90_000);
  },
);
