import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { hubSignature, messagingDelivery, signedRequest } from '../fakes/meta-fake.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { type EdgeProcess, startDeno } from '../support/edge-processes.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';

const postgresSkip = await postgresUnavailableReason();
const META_APP_SECRET = 'deno-meta-app-secret';

describe.skipIf(postgresSkip !== null)('the app under deno serve, on PostgreSQL', () => {
  let database: TestDatabase;
  let deno: EdgeProcess;

  beforeAll(async () => {
    database = await postgresTestDatabase();
    deno = await startDeno({
      DATABASE_URL: database.url ?? '',
      ENCRYPTION_KEY: generateFernetKey(),
      REFRESH_ENABLED: 'false',
      META_WEBHOOK_VERIFY_TOKEN: 'deno-verify-token',
      FACEBOOK_CLIENT_ID: '710000000000009',
      FACEBOOK_CLIENT_SECRET: META_APP_SECRET,
    });
  }, 90_000);
  afterAll(async () => {
    await deno?.stop();
    await database?.dispose();
  });

  it('answers /healthz, /readyz and capabilities from the database', async () => {
    expect(await (await fetch(`${deno.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${deno.baseUrl}/readyz`)).status).toBe(200);

    const response = await fetch(`${deno.baseUrl}/api/integrations/capabilities?user_id=${uniqueUserId()}`);
    const capabilities = await response.json();

    expect(response.status).toBe(200);
    expect(
      capabilities.map((entry: { platform: string; reason_code: string }) => [
        entry.platform,
        entry.reason_code,
      ]),
    ).toEqual([
      ['instagram', 'not_connected'],
      ['facebook', 'not_connected'],
      ['tiktok', 'dm_not_supported'],
      ['email', 'unsupported_on_runtime'],
    ]);
    expect(deno.output()).toContain('"path":"/api/integrations/capabilities","status":200');
  });

  it("answers Meta's webhook challenge for the right verify token only", async () => {
    const challenge = (token: string) =>
      fetch(`${deno.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=4242`);
    const right = await challenge('deno-verify-token');
    expect(right.status).toBe(200);
    expect(await right.text()).toBe('4242');
    const wrong = await challenge('another-token');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'forbidden' });
  });

  it('checks Meta deliveries and callbacks with Web Crypto: a signed message opens its window', async () => {
    const userId = uniqueUserId();
    const pageId = '100000000000009';
    await new DrizzleIntegrationRepository(database.handle.db).upsert(
      instagramDraft({ userId, platform: 'facebook', pageId, metaUserId: '10000000000009' }),
    );
    const body = JSON.stringify(
      messagingDelivery('facebook', pageId, [{ from: '24000000000009', text: 'hi' }]),
    );
    const deliver = (signature: string) =>
      fetch(`${deno.baseUrl}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      });
    expect((await deliver(hubSignature('another-secret', body))).status).toBe(401);
    expect((await deliver(hubSignature(META_APP_SECRET, body))).status).toBe(200);
    const check = await fetch(
      `${deno.baseUrl}/api/outreach/facebook/recipients/24000000000009?user_id=${userId}`,
    );
    expect(await check.json()).toMatchObject({ window: 'open' });

    const deauthorize = await fetch(`${deno.baseUrl}/webhooks/meta/deauthorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        signed_request: signedRequest(META_APP_SECRET, {
          algorithm: 'HMAC-SHA256',
          user_id: '10000000000009',
        }),
      }).toString(),
    });
    expect(deauthorize.status).toBe(200);
    const stored = await new DrizzleIntegrationRepository(database.handle.db).find(userId, 'facebook');
    expect(stored).toMatchObject({ connectionStatus: 'revoked' });
  });

  it('answers an email send with 501, as validation', async () => {
    const response = await fetch(`${deno.baseUrl}/api/outreach/email/messages?user_id=${uniqueUserId()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'lead@example.org', subject: 'Hi', text: 'Hello' }),
    });
    expect(response.status).toBe(501);
    expect((await response.json()).code).toBe('email_unsupported_on_runtime');
  });

  it('refuses to start with an ENCRYPTION_KEY that cannot open the stored secrets, as the Node server does', async () => {
    const sealedWith = await FernetSecretCipher.fromKeyList(generateFernetKey());
    await new DrizzleIntegrationRepository(database.handle.db).upsert(
      emailDraft({ smtpPassword: await sealedWith.seal('app-password') }),
    );
    await expect(
      startDeno({
        DATABASE_URL: database.url ?? '',
        ENCRYPTION_KEY: generateFernetKey(),
        REFRESH_ENABLED: 'false',
      }),
    ).rejects.toThrow(
      /Stored secrets in PostgreSQL at .* were encrypted with a key that ENCRYPTION_KEY lacks/,
    );
  });

  it('refuses to start with a configuration it cannot run on, naming each problem', async () => {
    await expect(startDeno({ NODE_ENV: 'test' })).rejects.toThrow(
      'Invalid configuration: DATABASE_URL is required on Deno (on Workers, the HYPERDRIVE binding provides it); ENCRYPTION_KEY is required on Deno (generate one with npm run generate-key)',
    );
  });
});
