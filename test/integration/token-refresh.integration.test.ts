import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import type { RefreshReport } from '../../src/application/use-cases/refresh-due-integrations.js';
import type { EncryptedSecret, IntegrationDraft } from '../../src/domain/integration.js';
import { maskToken } from '../../src/domain/masking.js';
import { fail } from '../../src/domain/result.js';
import { LONG_LIVED_SECONDS } from '../fakes/meta-fake.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { dueTikTokDraft, emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { clearIntegrations, lifecycleRow } from '../support/lifecycle-rows.js';
import { exchange } from '../support/platform-exchange.js';
import { ManualClock, type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const IG_SCOPES = ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'];
const PAGE = { id: '100000000000007', name: 'Acme Studio', instagramAccountId: '17841400000000007' };
const ACCESS_LIFETIME_S = 7200;
const REFRESH_LIFETIME_S = 15_552_000;
const REFRESH_REFUSED =
  'TikTok no longer accepts the refresh token: it expired, was revoked or was replaced. Reconnect your account.';

const nothing: RefreshReport = {
  renewed: 0,
  checked: 0,
  expired: 0,
  warned: 0,
  refused: 0,
  retrying: 0,
  rescheduled: 0,
  unscheduled: 0,
  lease_lost: 0,
  failed: 0,
};
const only = (counts: Partial<RefreshReport>): RefreshReport => ({ ...nothing, ...counts });

let fakes: PlatformFakes;
const drivers = await databaseDrivers();

beforeAll(async () => {
  fakes = await startPlatformFakes([]);
  fakes.tiktok.accessLifetimeSeconds = ACCESS_LIFETIME_S;
  fakes.tiktok.refreshLifetimeSeconds = REFRESH_LIFETIME_S;
});
afterAll(() => fakes.close());

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`refreshing due integrations on ${driver.name}`, () => {
    let database: TestDatabase;
    let clock: ManualClock;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs);

    beforeAll(async () => {
      database = await driver.open();
    });
    afterAll(() => database.dispose());
    beforeEach(async () => {
      await clearIntegrations(database.handle.db);
      fakes.meta.heal();
      fakes.tiktok.heal();
      fakes.meta.pages = [];
      fakes.meta.server.requests.splice(0);
      fakes.tiktok.server.requests.splice(0);
      // A minute ahead of the database's now(), which schedules what is saved.
      clock = new ManualClock(new Date(Date.now() + MINUTE));
      harness = await createTestApp(database, {
        clock,
        gateways: createPlatformGateways(fakes.settings, { exchange, clock, timeoutMs: 500 }),
      });
    });

    const run = () => harness.jobs.refreshDueIntegrations();
    const open = (sealed: EncryptedSecret | null) => (sealed === null ? null : harness.cipher.open(sealed));
    const refreshGrants = () =>
      fakes.tiktok.server
        .requestsTo('token')
        .filter((request) => request.form.grant_type === 'refresh_token');
    const capability = async (platform: string, userId: string) =>
      (await harness.app.request(`/api/integrations/${platform}/capabilities?user_id=${userId}`)).json();

    /** A TikTok integration whose 2-hour access token has 20 minutes left. */
    async function storedTikTok(overrides: Partial<IntegrationDraft> = {}) {
      const openId = `open-${uniqueUserId()}`;
      const tokens = { openId, ...fakes.tiktok.issueTokens(openId) };
      const { integration } = await harness.repository.upsert(
        await dueTikTokDraft(harness.cipher, tokens, clock.now(), {
          metadata: { display_name: 'Fake Creator' },
          ...overrides,
        }),
      );
      return { integration, ...tokens };
    }

    const stored = async (userId: string, platform: 'instagram' | 'tiktok' | 'email') => {
      const integration = await harness.repository.find(userId, platform);
      if (integration === null) throw new Error('integration gone');
      return integration;
    };

    describe('TikTok', () => {
      it('renews a due token: the new refresh token replaces the old one, lifetimes from the answer', async () => {
        const { integration, openId, refreshToken } = await storedTikTok();

        expect(await run()).toEqual(only({ renewed: 1 }));

        const renewed = await stored(integration.userId, 'tiktok');
        const [live] = fakes.tiktok.liveRefreshTokens(openId);
        expect(refreshGrants().map((request) => request.form.refresh_token)).toEqual([refreshToken]);
        expect(await open(renewed.refreshToken)).toBe(live);
        expect(fakes.tiktok.liveRefreshTokens(openId)).toEqual([live]);
        const newAccessToken = await open(renewed.accessToken);
        expect(newAccessToken).not.toBe(await open(integration.accessToken));
        expect(renewed).toMatchObject({
          // The new tokens' masks are stored with them, for listing without decryption.
          accessTokenMask: maskToken(newAccessToken),
          refreshTokenMask: maskToken(live ?? null),
          connectionStatus: 'connected',
          statusDetail: null,
          tokenExpiresAt: at(ACCESS_LIFETIME_S * 1000),
          tokenIssuedAt: clock.now(),
          lastVerifiedAt: clock.now(),
          metadata: {
            display_name: 'Fake Creator',
            refresh_token_expires_at: at(REFRESH_LIFETIME_S * 1000).toISOString(),
          },
        });
        // Renewed again once a quarter of the 2 hours is left.
        expect(await lifecycleRow(database.handle.db, integration.id)).toMatchObject({
          nextCheckAt: at(90 * MINUTE),
          attempts: 0,
          leaseToken: null,
        });
        expect(await run()).toEqual(nothing);
        clock.advance(90 * MINUTE);
        expect(await run()).toEqual(only({ renewed: 1 }));
        expect(refreshGrants()).toHaveLength(2);

        const logs = harness.logLines.join('\n');
        expect(logs).toContain('"msg":"integration refreshed"');
        for (const secret of [refreshToken, live, await open(renewed.accessToken), renewed.refreshToken]) {
          expect(logs).not.toContain(secret);
        }
      });

      it.each([
        ['a 5xx', { status: 503, body: { error: 'server_error' } }],
        ['a rate limit', { status: 429, body: { error: 'rate_limit_exceeded' } }],
      ])('keeps the status and retries with backoff after %s', async (_name, response) => {
        const { integration, openId, refreshToken } = await storedTikTok();
        fakes.tiktok.fail('token', { kind: 'answer', response });

        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(await stored(integration.userId, 'tiktok')).toEqual(integration);
        expect(await lifecycleRow(database.handle.db, integration.id)).toMatchObject({
          nextCheckAt: at(MINUTE),
          attempts: 1,
        });
        expect(await capability('tiktok', integration.userId)).toMatchObject({
          is_connected: true,
          connection_status: 'connected',
        });

        expect(await run()).toEqual(nothing);
        clock.advance(MINUTE);
        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(await lifecycleRow(database.handle.db, integration.id)).toMatchObject({
          nextCheckAt: at(2 * MINUTE),
          attempts: 2,
        });

        fakes.tiktok.heal();
        clock.advance(2 * MINUTE);
        expect(await run()).toEqual(only({ renewed: 1 }));
        expect(refreshGrants().map((request) => request.form.refresh_token)).toEqual([
          refreshToken,
          refreshToken,
          refreshToken,
        ]);
        expect(await open((await stored(integration.userId, 'tiktok')).refreshToken)).toBe(
          fakes.tiktok.liveRefreshTokens(openId)[0],
        );
        expect((await lifecycleRow(database.handle.db, integration.id)).attempts).toBe(0);
      });

      it('retries a platform that hangs past the outbound timeout', async () => {
        const { integration } = await storedTikTok();
        fakes.tiktok.fail('token', { kind: 'hang' });

        expect(await run()).toEqual(only({ retrying: 1 }));
        expect((await stored(integration.userId, 'tiktok')).connectionStatus).toBe('connected');
      });

      it('marks a refused refresh token revoked, with the reason in capabilities, and stops trying', async () => {
        const { integration } = await storedTikTok({
          refreshToken: await harness.cipher.seal('rft.already-rotated-or-revoked'),
        });

        expect(await run()).toEqual(only({ refused: 1 }));

        expect(await stored(integration.userId, 'tiktok')).toMatchObject({
          connectionStatus: 'revoked',
          statusDetail: REFRESH_REFUSED,
          accessToken: integration.accessToken,
          refreshToken: integration.refreshToken,
        });
        expect(await capability('tiktok', integration.userId)).toEqual({
          platform: 'tiktok',
          is_connected: false,
          connection_status: 'revoked',
          can_send_dm: false,
          can_discover: true,
          can_read_messages: false,
          reason: 'TikTok does not provide an official Direct Message API.',
          reason_code: 'dm_not_supported',
          missing_scopes: [],
          limitations: [],
        });
        const list = await (
          await harness.app.request(`/api/integrations?user_id=${integration.userId}`)
        ).json();
        expect(list).toMatchObject([{ connection_status: 'revoked', status_detail: REFRESH_REFUSED }]);
        expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toBeNull();
        clock.advance(30 * DAY);
        expect(await run()).toEqual(nothing);
        expect(refreshGrants()).toHaveLength(1);
      });

      it('keeps the stored refresh token when the platform answers without one', async () => {
        const { integration, openId, refreshToken } = await storedTikTok();
        fakes.tiktok.fail('token', {
          kind: 'answer',
          response: {
            status: 200,
            body: { access_token: 'act.renewed-without-refresh', expires_in: 7200, open_id: openId },
          },
        });

        expect(await run()).toEqual(only({ renewed: 1 }));

        const renewed = await stored(integration.userId, 'tiktok');
        expect(await open(renewed.accessToken)).toBe('act.renewed-without-refresh');
        expect(renewed.refreshToken).toBe(integration.refreshToken);
        expect(renewed.refreshTokenMask).toBe(integration.refreshTokenMask);
        expect(renewed.accessTokenMask).toBe('****resh');
        expect(await open(renewed.refreshToken)).toBe(refreshToken);
        expect(renewed.scopesGranted).toEqual(['user.info.basic']);
      });

      it.each([
        ['an empty refresh token', { access_token: 'act.new', refresh_token: '', expires_in: 7200 }],
        ['a blank access token', { access_token: '   ', refresh_token: 'rft.new', expires_in: 7200 }],
      ])('overwrites nothing when the platform sends %s, and retries', async (_name, body) => {
        const { integration } = await storedTikTok();
        fakes.tiktok.fail('token', { kind: 'answer', response: { status: 200, body } });

        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(await stored(integration.userId, 'tiktok')).toEqual(integration);
      });

      it('still renews an access token past its expiry, since the refresh token outlives it', async () => {
        const { integration } = await storedTikTok({ tokenExpiresAt: at(-3 * HOUR) });
        expect(await capability('tiktok', integration.userId)).toMatchObject({
          connection_status: 'expired',
        });

        expect(await run()).toEqual(only({ renewed: 1 }));
        expect(await capability('tiktok', integration.userId)).toMatchObject({
          is_connected: true,
          connection_status: 'connected',
        });
      });

      it('keeps an unreadable secret off the account’s record, and renews it once the key is back', async () => {
        const oldKey = generateFernetKey();
        const withOldKey = await FernetSecretCipher.fromKeyList(oldKey);
        const openId = `open-${uniqueUserId()}`;
        const tokens = { openId, ...fakes.tiktok.issueTokens(openId) };
        const { integration } = await harness.repository.upsert(
          await dueTikTokDraft(withOldKey, tokens, clock.now()),
        );

        // ENCRYPTION_KEY lacks the key it was sealed with: the key's fault, not the account's.
        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(await stored(integration.userId, 'tiktok')).toMatchObject({
          connectionStatus: 'connected',
          statusDetail: null,
        });
        expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toEqual(at(MINUTE));
        expect(refreshGrants()).toEqual([]);

        // The same database served with the old key added back (ENCRYPTION_KEY=new,old).
        const fixed = await createTestApp(database, {
          keys: `${harness.key},${oldKey}`,
          clock,
          gateways: createPlatformGateways(fakes.settings, { exchange, clock, timeoutMs: 500 }),
        });
        clock.advance(MINUTE);
        expect(await fixed.jobs.refreshDueIntegrations()).toEqual(only({ renewed: 1 }));
        expect(refreshGrants().map((request) => request.form.refresh_token)).toEqual([tokens.refreshToken]);
        expect(await capability('tiktok', integration.userId)).toMatchObject({
          is_connected: true,
          connection_status: 'connected',
        });
      });
    });

    describe('Meta', () => {
      async function connectInstagram() {
        const userId = uniqueUserId();
        const userToken = fakes.meta.mintUserToken({ scopes: IG_SCOPES });
        const response = await harness.app.request(`/api/integrations?user_id=${userId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ platform: 'instagram', access_token: userToken }),
        });
        expect(response.status).toBe(201);
        fakes.meta.server.requests.splice(0);
        return { userId, userToken, integration: await stored(userId, 'instagram') };
      }
      const exchanges = () =>
        fakes.meta.server
          .requestsTo('access_token')
          .filter((request) => request.query.grant_type === 'fb_exchange_token');

      it('re-exchanges a long-lived user token once a quarter of its lifetime is left', async () => {
        const { userId, userToken, integration } = await connectInstagram();
        expect(await run()).toEqual(only({ rescheduled: 1 }));
        expect(await lifecycleRow(database.handle.db, integration.id)).toMatchObject({
          nextCheckAt: new Date(clock.now().getTime() + DAY),
        });

        clock.advance(46 * DAY);
        expect(await run()).toEqual(only({ renewed: 1 }));

        const renewed = await stored(userId, 'instagram');
        expect(exchanges().map((request) => request.query.fb_exchange_token)).toEqual([userToken]);
        expect(await open(renewed.accessToken)).not.toBe(userToken);
        expect(renewed).toMatchObject({
          connectionStatus: 'connected',
          tokenExpiresAt: at(LONG_LIVED_SECONDS * 1000),
          tokenIssuedAt: clock.now(),
          pageId: null,
        });
      });

      it('records a user token that expired unrenewed as expired, without calling Meta', async () => {
        const { userId } = await connectInstagram();
        clock.advance(61 * DAY);

        expect(await run()).toEqual(only({ expired: 1 }));
        expect(fakes.meta.server.requests).toEqual([]);
        expect(await capability('instagram', userId)).toMatchObject({
          is_connected: false,
          connection_status: 'expired',
          reason_code: 'token_expired',
          reason: 'Your Instagram access expired before it could be renewed. Reconnect your account.',
        });
      });

      it('health-checks a Page token (no expiry) daily and records a revocation with Meta’s reason', async () => {
        fakes.meta.pages = [PAGE];
        const { userId, userToken, integration } = await connectInstagram();
        expect(integration).toMatchObject({ pageId: PAGE.id, tokenExpiresAt: null });

        clock.advance(25 * HOUR);
        expect(await run()).toEqual(only({ checked: 1 }));
        expect(fakes.meta.server.requestsTo('debug_token').length).toBeGreaterThan(0);
        expect(await stored(userId, 'instagram')).toMatchObject({
          connectionStatus: 'connected',
          lastVerifiedAt: clock.now(),
          accessToken: integration.accessToken,
        });

        fakes.meta.revoke(userToken, 460);
        clock.advance(25 * HOUR);
        expect(await run()).toEqual(only({ refused: 1 }));
        expect(await capability('instagram', userId)).toMatchObject({
          is_connected: false,
          connection_status: 'revoked',
          can_send_dm: false,
          reason_code: 'token_revoked',
          reason:
            'Your Instagram access was revoked: the Facebook password was changed. Reconnect your account.',
        });
      });

      it('keeps a Page token connected when Meta fails during its check', async () => {
        fakes.meta.pages = [PAGE];
        const { userId } = await connectInstagram();
        fakes.meta.fail('debug_token', { kind: 'answer', response: { status: 500, body: {} } });
        clock.advance(25 * HOUR);

        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(await capability('instagram', userId)).toMatchObject({
          is_connected: true,
          can_send_dm: true,
        });
      });
    });

    describe('email and the rest', () => {
      async function storedEmail() {
        const { integration } = await harness.repository.upsert(
          emailDraft({
            smtpPassword: await harness.cipher.seal('app-password'),
            lastVerifiedAt: at(-25 * HOUR),
          }),
        );
        return integration;
      }

      it('re-checks a stale SMTP login, and retries when the server cannot be reached', async () => {
        const integration = await storedEmail();
        harness.mailVerifier.next = fail('smtp_timeout', 'The SMTP server did not answer in time.');

        expect(await run()).toEqual(only({ retrying: 1 }));
        expect(harness.mailVerifier.logins).toMatchObject([{ password: 'app-password' }]);
        expect((await stored(integration.userId, 'email')).connectionStatus).toBe('connected');

        harness.mailVerifier.next = fail(
          'smtp_auth_failed',
          'SMTP authentication failed - check username and password',
        );
        clock.advance(MINUTE);
        expect(await run()).toEqual(only({ refused: 1 }));
        expect(await capability('email', integration.userId)).toMatchObject({
          connection_status: 'error',
          reason_code: 'validation_failed',
          reason:
            'The last check of your Email connection failed: SMTP authentication failed - check username and password.',
        });
      });

      it('takes integrations that are not connected off the schedule without calling anyone', async () => {
        const { integration } = await storedTikTok({ connectionStatus: 'revoked' });

        expect(await run()).toEqual(only({ unscheduled: 1 }));
        expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toBeNull();
        expect(fakes.tiktok.server.requests).toEqual([]);
      });

      it('puts a revalidated integration back on the schedule', async () => {
        const integration = await storedEmail();
        harness.mailVerifier.next = fail(
          'smtp_auth_failed',
          'SMTP authentication failed - check username and password',
        );
        await run();
        expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toBeNull();

        harness.mailVerifier.next = { ok: true, value: undefined };
        await harness.app.request(`/api/integrations/email/validate?user_id=${integration.userId}`, {
          method: 'POST',
        });

        expect((await lifecycleRow(database.handle.db, integration.id)).nextCheckAt).toEqual(clock.now());
        expect(await run()).toEqual(only({ rescheduled: 1 }));
      });
    });

    describe('expiry on read, before any job runs', () => {
      it('reports a passed token_expires_at as expired in list and capabilities', async () => {
        const { integration } = await harness.repository.upsert(
          instagramDraft({
            accessToken: await harness.cipher.seal('EAAG-a-token-that-expired-a-minute-ago'),
            tokenIssuedAt: at(-61 * DAY),
            tokenExpiresAt: at(-1 * MINUTE),
          }),
        );

        const list = await (
          await harness.app.request(`/api/integrations?user_id=${integration.userId}`)
        ).json();
        const capabilities = await (
          await harness.app.request(`/api/integrations/capabilities?user_id=${integration.userId}`)
        ).json();

        expect(integration.connectionStatus).toBe('connected');
        expect(list).toMatchObject([{ platform: 'instagram', connection_status: 'expired' }]);
        expect(capabilities[0]).toEqual({
          platform: 'instagram',
          is_connected: false,
          connection_status: 'expired',
          can_send_dm: false,
          can_discover: true,
          can_read_messages: false,
          reason: 'Your Instagram access has expired. Reconnect your account.',
          reason_code: 'token_expired',
          missing_scopes: [],
          limitations: [
            'Meta allows messages only as replies within 24 hours of the person’s last message to you.',
          ],
        });
      });
    });
  });
}
