import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { createTestApp } from '../support/test-app.js';

const drivers = await databaseDrivers();
const VERIFY_TOKEN = 'meta-verify-token-for-tests';

const challengeQuery = (token: string) =>
  `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`GET /webhooks/meta on ${driver.name}`, () => {
    let database: TestDatabase;
    let configured: LoopbackApp;
    let unconfigured: LoopbackApp;

    beforeAll(async () => {
      database = await driver.open();
      const withToken = await createTestApp(database, {
        env: {
          META_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
          FACEBOOK_CLIENT_ID: '710000000000001',
          FACEBOOK_CLIENT_SECRET: 'meta-app-secret-for-tests',
        },
      });
      const withoutToken = await createTestApp(database);
      configured = await serveOnLoopback(withToken.app.fetch);
      unconfigured = await serveOnLoopback(withoutToken.app.fetch);
    });
    afterAll(async () => {
      await configured.close();
      await unconfigured.close();
      await database.dispose();
    });

    it('answers the challenge, as plain text, for the right verify token, without a user identity', async () => {
      const response = await fetch(`${configured.base}${challengeQuery(VERIFY_TOKEN)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('1158201444');
    });

    it('refuses a wrong verify token with 403 in the usual error shape, and echoes nothing', async () => {
      for (const token of ['wrong-token', `${VERIFY_TOKEN}x`, '']) {
        const response = await fetch(`${configured.base}${challengeQuery(token)}`);
        expect(response.status).toBe(403);
        const body = await response.json();
        expect(body).toMatchObject({ code: 'forbidden' });
        expect(JSON.stringify(body)).not.toContain('1158201444');
      }
    });

    it('refuses a request that is not a subscription check with 400', async () => {
      const response = await fetch(`${configured.base}/webhooks/meta?hub.verify_token=${VERIFY_TOKEN}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_request' });
    });

    it('is not there (404) while META_WEBHOOK_VERIFY_TOKEN is unset', async () => {
      const response = await fetch(`${unconfigured.base}${challengeQuery(VERIFY_TOKEN)}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'not_found' });
    });
  });
}
