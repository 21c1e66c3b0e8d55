import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDirectMessageGateways,
  createPlatformGateways,
} from '../../src/adapters/gateways/platform-gateways.js';
import { giveConsent } from '../fakes/consent.js';
import { IG_LONG_LIVED_SECONDS, instagramError } from '../fakes/instagram-fake.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { instagramDraft, uniqueUserId } from '../support/integration-builders.js';
import { clearIntegrations } from '../support/lifecycle-rows.js';
import { exchange } from '../support/platform-exchange.js';
import { ManualClock, type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const REDIRECT = 'https://app.example.com/oauth/callback';
const DAY = 86_400_000;
const MINUTE = 60_000;
const IGSID = '25000000000000001';
const BOTH_SCOPES = ['instagram_business_basic', 'instagram_business_manage_messages'];

let fakes: PlatformFakes;
const drivers = await databaseDrivers();

beforeAll(async () => {
  fakes = await startPlatformFakes([REDIRECT]);
});
afterAll(() => fakes.close());

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`Instagram Login on ${driver.name}`, () => {
    let database: TestDatabase;
    let clock: ManualClock;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    const ig = () => fakes.instagram;

    beforeAll(async () => {
      database = await driver.open();
    });
    afterAll(() => database.dispose());
    beforeEach(async () => {
      await clearIntegrations(database.handle.db);
      ig().heal();
      ig().server.requests.splice(0);
      ig().accountType = 'BUSINESS';
      ig().grantedScopes = null;
      ig().codeResponseShape = 'flat';
      ig().people.clear();
      fakes.meta.server.requests.splice(0);
      // A minute ahead of the database's now(), which schedules what is saved.
      clock = new ManualClock(new Date(Date.now() + MINUTE));
      ig().offsetMs = MINUTE;
      harness = await createTestApp(database, {
        clock,
        env: { OAUTH_REDIRECT_URIS: REDIRECT },
        gateways: createPlatformGateways(fakes.settings, { exchange, clock, timeoutMs: 500 }),
        directMessages: createDirectMessageGateways(fakes.settings, { exchange, timeoutMs: 500 }),
      });
    });

    async function call(method: string, path: string, body?: unknown) {
      const response = await harness.app.request(path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    }

    async function connect(userId: string) {
      const started = await call(
        'GET',
        `/api/integrations/oauth/instagram/authorize?user_id=${userId}&login=instagram&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      );
      expect(started.status).toBe(200);
      const consentUrl = new URL(started.body.authorization_url);
      const back = await giveConsent(consentUrl.toString());
      const done = await call('POST', `/api/integrations/oauth/instagram/callback?user_id=${userId}`, {
        code: back.searchParams.get('code'),
        state: back.searchParams.get('state'),
        redirect_uri: REDIRECT,
      });
      return { consentUrl, back, done };
    }

    describe('OAuth round trip', () => {
      it.each(['flat', 'data'] as const)(
        'authorizes at www.instagram.com and stores the 60-day token of user_id (%s code answer)',
        async (shape) => {
          ig().codeResponseShape = shape;
          const userId = uniqueUserId();
          const { consentUrl, back, done } = await connect(userId);

          expect(`${consentUrl.origin}${consentUrl.pathname}`).toBe(`${ig().baseUrl}/oauth/authorize`);
          expect(Object.fromEntries(consentUrl.searchParams)).toEqual({
            client_id: ig().appId,
            redirect_uri: REDIRECT,
            response_type: 'code',
            scope: 'instagram_business_basic,instagram_business_manage_messages',
            state: expect.any(String),
          });
          expect(back.hash).toBe('#_');
          expect(done.status).toBe(201);
          expect(done.body).toMatchObject({
            platform: 'instagram',
            login_type: 'instagram',
            account_id: ig().userId,
            page_id: null,
            scopes_granted: BOTH_SCOPES,
            connection_status: 'connected',
            metadata: { username: ig().username, account_type: 'BUSINESS' },
          });
          expect(new Date(done.body.token_expires_at).getTime()).toBe(
            clock.now().getTime() + IG_LONG_LIVED_SECONDS * 1000,
          );
          // The code as a form POST to api.instagram.com, then the exchange and the profile on graph.
          const [code] = ig().server.requestsTo('code');
          expect(code?.form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: REDIRECT });
          expect(ig().server.requestsTo('exchange')[0]?.query).toMatchObject({
            grant_type: 'ig_exchange_token',
            client_secret: ig().appSecret,
          });
          expect(ig().server.requestsTo('me')[0]?.query.fields).toBe('user_id,username,account_type');
          expect(fakes.meta.server.requests).toHaveLength(0);

          const capabilities = await call(
            'GET',
            `/api/integrations/instagram/capabilities?user_id=${userId}`,
          );
          expect(capabilities.body).toMatchObject({
            can_send_dm: true,
            can_read_messages: true,
            reason: null,
          });
        },
      );

      it('keeps Facebook Login the default: login=facebook and no login go to the Meta dialog', async () => {
        for (const login of ['', '&login=facebook']) {
          const started = await call(
            'GET',
            `/api/integrations/oauth/instagram/authorize?user_id=u1${login}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
          );
          expect(new URL(started.body.authorization_url).pathname).toBe(
            `/${fakes.meta.version}/dialog/oauth`,
          );
        }
      });

      it('refuses login=instagram for another platform, and an unknown login, with 4xx', async () => {
        const wrong = await call(
          'GET',
          `/api/integrations/oauth/facebook/authorize?user_id=u1&login=instagram&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        const unknown = await call(
          'GET',
          `/api/integrations/oauth/instagram/authorize?user_id=u1&login=threads&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
        expect(unknown.status).toBe(400);
        expect(JSON.stringify(unknown.body)).toContain('login');
      });

      it('fails the connect flow for a personal account and stores nothing', async () => {
        ig().accountType = 'PERSONAL';
        const userId = uniqueUserId();
        const { done } = await connect(userId);
        expect(done).toMatchObject({ status: 400, body: { code: 'credentials_rejected' } });
        expect(await harness.repository.find(userId, 'instagram')).toBeNull();
      });

      it('answers a refused code, a hang and malformed JSON without storing anything', async () => {
        for (const [route, fault, code] of [
          ['code', instagramError(100), 'authorization_code_rejected'],
          ['exchange', { kind: 'hang' }, 'platform_unavailable'],
          ['me', { kind: 'malformed' }, 'platform_unavailable'],
          ['exchange', instagramError(4), 'platform_unavailable'],
        ] as const) {
          ig().heal();
          ig().fail(route, fault);
          const userId = uniqueUserId();
          const { done } = await connect(userId);
          expect(done.body.code).toBe(code);
          expect(await harness.repository.find(userId, 'instagram')).toBeNull();
        }
      });
    });

    describe('direct creation', () => {
      it('validates an Instagram Login token on graph.instagram.com when login_type is instagram', async () => {
        const userId = uniqueUserId();
        const created = await call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'instagram',
          login_type: 'instagram',
          access_token: ig().mintToken(),
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          login_type: 'instagram',
          account_id: ig().userId,
          scopes_granted: BOTH_SCOPES,
        });
        expect(ig().server.requestsTo('conversations')).toHaveLength(1);
        expect(fakes.meta.server.requests).toHaveLength(0);
      });

      it('records a token without the messaging permission, and capabilities name the scope', async () => {
        const userId = uniqueUserId();
        await call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'instagram',
          login_type: 'instagram',
          access_token: ig().mintToken({ scopes: ['instagram_business_basic'] }),
        });
        const capabilities = await call('GET', `/api/integrations/instagram/capabilities?user_id=${userId}`);
        expect(capabilities.body).toMatchObject({
          can_send_dm: false,
          reason_code: 'missing_scope',
          missing_scopes: ['instagram_business_manage_messages'],
        });
      });

      it('refuses login_type instagram for TikTok before any outbound call', async () => {
        const refused = await call('POST', `/api/integrations?user_id=u1`, {
          platform: 'tiktok',
          login_type: 'instagram',
          access_token: 'act.whatever',
        });
        expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
        expect(refused.body.detail).toContain('login_type');
        expect(fakes.tiktok.server.requests).toHaveLength(0);
      });

      it('keeps Facebook Login for a body without login_type: checked with Meta, login_type facebook', async () => {
        const userId = uniqueUserId();
        const created = await call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'instagram',
          access_token: fakes.meta.mintUserToken({ scopes: ['instagram_basic'] }),
        });
        expect(created.body).toMatchObject({ login_type: 'facebook' });
        expect(ig().server.requests).toHaveLength(0);
      });
    });

    describe('refresh', () => {
      async function stored(ageMs: number, lifetimeLeftMs: number | null, token = ig().mintToken({ ageMs })) {
        const userId = uniqueUserId();
        const issuedAt = new Date(clock.now().getTime() - ageMs);
        await harness.repository.upsert(
          instagramDraft({
            userId,
            loginType: 'instagram',
            scopesGranted: BOTH_SCOPES,
            accountId: ig().userId,
            pageId: null,
            accessToken: await harness.cipher.seal(token),
            tokenIssuedAt: issuedAt,
            lastVerifiedAt: clock.now(),
            tokenExpiresAt: lifetimeLeftMs === null ? null : new Date(clock.now().getTime() + lifetimeLeftMs),
          }),
        );
        return userId;
      }
      const refreshCalls = () => ig().server.requestsTo('refresh');

      it('renews inside its window (under 15 of 60 days left) with a GET ig_refresh_token', async () => {
        const userId = await stored(50 * DAY, 10 * DAY);
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ renewed: 1 });
        expect(refreshCalls()).toHaveLength(1);
        expect(refreshCalls()[0]).toMatchObject({ method: 'GET', query: { grant_type: 'ig_refresh_token' } });
        const renewed = await harness.repository.find(userId, 'instagram');
        expect(renewed?.tokenExpiresAt?.getTime()).toBe(clock.now().getTime() + IG_LONG_LIVED_SECONDS * 1000);
        expect(renewed?.connectionStatus).toBe('connected');
      });

      it('does not renew outside its window: a token 2 days old with 58 days left waits', async () => {
        await stored(2 * DAY, 58 * DAY);
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ renewed: 0, rescheduled: 1 });
        expect(refreshCalls()).toHaveLength(0);
      });

      it('renews a token of unknown expiry only once it is a day old', async () => {
        const young = await stored(2 * 3_600_000, null);
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ renewed: 0 });
        expect(refreshCalls()).toHaveLength(0);
        clock.advance(DAY);
        ig().offsetMs += DAY;
        await harness.repository.changeStatus((await harness.repository.find(young, 'instagram'))?.id ?? '', {
          connectionStatus: 'connected',
          statusDetail: null,
          nextCheckAt: new Date(Date.now() - MINUTE),
        });
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ renewed: 1 });
        expect((await harness.repository.find(young, 'instagram'))?.tokenExpiresAt).not.toBeNull();
      });

      it('never refreshes an expired token: it is recorded expired', async () => {
        const userId = await stored(61 * DAY, -MINUTE, ig().mintToken({ ageMs: 61 * DAY, expired: true }));
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ expired: 1 });
        expect(refreshCalls()).toHaveLength(0);
        expect((await harness.repository.find(userId, 'instagram'))?.connectionStatus).toBe('expired');
      });

      it('marks a refused renewal as the other platforms do: revoked', async () => {
        const token = ig().mintToken({ ageMs: 50 * DAY });
        ig().revoke(token, 460);
        const userId = await stored(50 * DAY, 10 * DAY, token);
        expect(await harness.jobs.refreshDueIntegrations()).toMatchObject({ refused: 1 });
        expect((await harness.repository.find(userId, 'instagram'))?.connectionStatus).toBe('revoked');
      });
    });

    describe('sending', () => {
      it('sends through graph.instagram.com/{v}/{account_id}/messages with a Bearer token', async () => {
        const userId = uniqueUserId();
        const token = ig().mintToken();
        await call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'instagram',
          login_type: 'instagram',
          access_token: token,
        });
        ig().people.set(IGSID, { lastMessageAt: ig().now() - 3_600_000 });
        const sent = await call('POST', `/api/outreach/instagram/messages?user_id=${userId}`, {
          recipient_id: IGSID,
          text: 'Thanks for writing',
        });
        expect(sent.status).toBe(201);
        const [request] = ig().server.requestsTo('messages');
        expect(request?.path).toBe(`/${ig().version}/${ig().userId}/messages`);
        expect(request?.headers.authorization).toBe(`Bearer ${token}`);
        expect(sent.body.platform_message_id).toBe(ig().sentMessages.at(-1)?.messageId);
      });

      it('maps Meta errors as the Page Send API does: outside the window, and a revoked token', async () => {
        const userId = uniqueUserId();
        const token = ig().mintToken();
        await call('POST', `/api/integrations?user_id=${userId}`, {
          platform: 'instagram',
          login_type: 'instagram',
          access_token: token,
        });
        ig().people.set(IGSID, { lastMessageAt: ig().now() - 2 * DAY });
        const late = await call('POST', `/api/outreach/instagram/messages?user_id=${userId}`, {
          recipient_id: IGSID,
          text: 'Late reply',
        });
        expect(late.body.code).toBe('outside_messaging_window');
        // Another person: the refusal closed the window with the first until they write again.
        const other = `${IGSID.slice(0, -1)}2`;
        ig().people.set(other, { lastMessageAt: ig().now() });
        ig().revoke(token, 460);
        const revoked = await call('POST', `/api/outreach/instagram/messages?user_id=${userId}`, {
          recipient_id: other,
          text: 'Again',
        });
        expect(revoked.body.reason_code ?? revoked.body.code).toBe('token_revoked');
        expect((await harness.repository.find(userId, 'instagram'))?.connectionStatus).toBe('revoked');
      });
    });
  });
}
