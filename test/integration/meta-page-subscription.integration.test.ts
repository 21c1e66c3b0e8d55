import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { giveConsent } from '../fakes/consent.js';
import { metaError } from '../fakes/meta-fake.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { exchange } from '../support/platform-exchange.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const REDIRECT = 'https://app.example.com/oauth/callback';
const PAGE = { id: '100000000000021', name: 'Acme Subscribed', instagramAccountId: '17841400000000021' };
const WITHOUT_METADATA = [
  'pages_messaging',
  'instagram_basic',
  'instagram_manage_messages',
  'pages_show_list',
];

let fakes: PlatformFakes;

beforeAll(async () => {
  fakes = await startPlatformFakes([REDIRECT]);
});
afterAll(() => fakes.close());

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`subscribing connected Pages to message webhooks on ${driver.name}`, () => {
    let database: TestDatabase;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    let server: LoopbackApp;

    beforeAll(async () => {
      database = await driver.open();
      harness = await createTestApp(database, {
        env: { OAUTH_REDIRECT_URIS: REDIRECT },
        gateways: createPlatformGateways(fakes.settings, { exchange, clock: systemClock, timeoutMs: 2_000 }),
      });
      server = await serveOnLoopback(harness.app.fetch);
    });
    afterAll(async () => {
      await server.close();
      await database.dispose();
    });
    afterEach(() => {
      fakes.meta.heal();
      fakes.meta.grantedScopes = null;
      fakes.meta.subscriptions.clear();
    });

    const json = async (response: Response) => ({ status: response.status, body: await response.json() });

    /** Authorize, consent at the fake Meta and post the callback, all over HTTP. */
    async function connect(platform: 'facebook' | 'instagram', userId: string) {
      fakes.meta.pages = [PAGE];
      const started = await json(
        await server.call(
          'GET',
          `/api/integrations/oauth/${platform}/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        ),
      );
      const back = await giveConsent(started.body.authorization_url);
      return json(
        await server.call('POST', `/api/integrations/oauth/${platform}/callback?user_id=${userId}`, {
          code: back.searchParams.get('code'),
          state: back.searchParams.get('state'),
          redirect_uri: REDIRECT,
        }),
      );
    }

    const subscribeCalls = () => fakes.meta.server.requestsTo('subscribed_apps');
    const logEntries = () => harness.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const subscriptionLogs = (integrationId: string) =>
      logEntries().filter(
        (entry) => entry.integration_id === integrationId && String(entry.msg).includes('message webhooks'),
      );

    it('subscribes the Facebook Page with its token and subscribed_fields=messages after OAuth', async () => {
      const before = subscribeCalls().length;
      const connected = await connect('facebook', uniqueUserId());

      expect(connected.status).toBe(201);
      expect(connected.body.scopes_granted).toContain('pages_manage_metadata');
      expect(fakes.meta.subscriptions.get(PAGE.id)).toEqual(['messages']);
      const calls = subscribeCalls().slice(before);
      expect(calls.map((call) => [call.path, call.form.subscribed_fields])).toEqual([
        [`/${fakes.meta.version}/${PAGE.id}/subscribed_apps`, 'messages'],
      ]);
      // The token stored for sending is the one that subscribed, and it stays out of the URL.
      const pageToken = fakes.meta.latestPageToken(PAGE.id) ?? '';
      expect(calls[0]?.headers.authorization).toBe(`Bearer ${pageToken}`);
      expect(calls[0]?.query).toEqual({});
      expect(subscriptionLogs(connected.body.id)).toMatchObject([
        { level: 'info', msg: 'page subscribed to message webhooks', platform: 'facebook', page_id: PAGE.id },
      ]);
    });

    it('subscribes the Page linked to an Instagram account connected through Facebook Login', async () => {
      const connected = await connect('instagram', uniqueUserId());

      expect(connected.body).toMatchObject({ account_id: PAGE.instagramAccountId, page_id: PAGE.id });
      expect(fakes.meta.subscriptions.get(PAGE.id)).toEqual(['messages']);
    });

    it('keeps the integration connected when Meta refuses the subscription, and logs why without secrets', async () => {
      fakes.meta.fail('subscribed_apps', metaError(200));
      const userId = uniqueUserId();
      const connected = await connect('facebook', userId);

      expect(connected.status).toBe(201);
      expect(connected.body.connection_status).toBe('connected');
      expect(fakes.meta.subscriptions.has(PAGE.id)).toBe(false);
      const capability = await json(
        await server.call('GET', `/api/integrations/facebook/capabilities?user_id=${userId}`),
      );
      expect(capability.body).toMatchObject({ is_connected: true, can_send_dm: true });
      expect(subscriptionLogs(connected.body.id)).toMatchObject([
        {
          level: 'warn',
          platform: 'facebook',
          page_id: PAGE.id,
          code: 'credentials_rejected',
          platform_error_code: 200,
        },
      ]);
      const pageToken = fakes.meta.latestPageToken(PAGE.id) ?? '';
      expect(harness.logLines.join('\n')).not.toContain(pageToken);
    });

    it('keeps the integration connected when Meta is down for the subscription', async () => {
      fakes.meta.fail('subscribed_apps', { kind: 'answer', response: { status: 503 } });
      const connected = await connect('instagram', uniqueUserId());

      expect([connected.status, connected.body.connection_status]).toEqual([201, 'connected']);
      expect(subscriptionLogs(connected.body.id)).toMatchObject([
        { level: 'warn', code: 'platform_unavailable', platform_error_code: null },
      ]);
    });

    it('makes no subscription call for a sign-in granted without pages_manage_metadata', async () => {
      fakes.meta.grantedScopes = ['pages_messaging', 'pages_show_list'];
      const before = subscribeCalls().length;
      const connected = await connect('facebook', uniqueUserId());

      expect([connected.status, connected.body.connection_status]).toEqual([201, 'connected']);
      expect(subscribeCalls().length).toBe(before);
      expect(subscriptionLogs(connected.body.id)).toMatchObject([
        { level: 'info', msg: expect.stringContaining('pages_manage_metadata was not granted') },
      ]);
    });

    it('subscribes the Page of a posted token that carries the scope, and not one that lacks it', async () => {
      fakes.meta.pages = [PAGE];
      const post = (userId: string, scopes: readonly string[]) =>
        server.call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'facebook',
          access_token: fakes.meta.mintPageToken(PAGE.id, scopes),
        });
      const before = subscribeCalls().length;

      const older = await post(uniqueUserId(), WITHOUT_METADATA);
      expect(older.status).toBe(201);
      expect(subscribeCalls().length).toBe(before);

      const current = await post(uniqueUserId(), [...WITHOUT_METADATA, 'pages_manage_metadata']);
      expect(current.status).toBe(201);
      expect(subscribeCalls().length).toBe(before + 1);
      expect(fakes.meta.subscriptions.get(PAGE.id)).toEqual(['messages']);
    });
  });
}
