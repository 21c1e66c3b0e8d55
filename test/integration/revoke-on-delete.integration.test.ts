import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { systemClock } from '../../src/application/ports/clock.js';
import type { Fault } from '../fakes/fake-http-server.js';
import { metaError } from '../fakes/meta-fake.js';
import { tiktokOAuthError } from '../fakes/tiktok-fake.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { leaks } from '../support/leaks.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { exchange } from '../support/platform-exchange.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const drivers = await databaseDrivers();
const TIMEOUT_MS = 400;
const META_SCOPES = ['instagram_basic', 'instagram_manage_messages', 'pages_show_list', 'pages_messaging'];
const PAGE = { id: '100000000000003', name: 'Acme Studio', instagramAccountId: '17841400000000003' };

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`deleting revokes the token at the platform, on ${driver.name}`, () => {
    let database: TestDatabase;
    let fakes: PlatformFakes;
    let harness: Awaited<ReturnType<typeof createTestApp>>;
    let served: LoopbackApp;
    /** Every token these tests stored, for the log check at the end. */
    const tokens: string[] = [];

    beforeAll(async () => {
      database = await driver.open();
      fakes = await startPlatformFakes([]);
      harness = await createTestApp(database, {
        gateways: createPlatformGateways(fakes.settings, {
          exchange,
          clock: systemClock,
          timeoutMs: TIMEOUT_MS,
        }),
        env: { OUTBOUND_TIMEOUT_MS: String(TIMEOUT_MS) },
      });
      served = await serveOnLoopback(harness.app.fetch);
    });
    afterAll(async () => {
      await served.close();
      await fakes.close();
      await database.dispose();
    });
    afterEach(() => {
      fakes.meta.heal();
      fakes.tiktok.heal();
      fakes.meta.pages = [];
    });

    const call = (method: string, path: string, body?: unknown) => served.call(method, path, body);

    async function connect(userId: string, platform: string, accessToken: string) {
      tokens.push(accessToken);
      const saved = await call('POST', `/api/integrations?user_id=${userId}`, {
        platform,
        access_token: accessToken,
      });
      expect(saved.status).toBe(201);
    }

    async function deleteEntry(userId: string) {
      const page = await (await call('GET', `/api/integrations/audit?user_id=${userId}`)).json();
      const deletes = page.entries.filter(
        (entry: { action: string }) => entry.action === 'integration.delete',
      );
      expect(deletes).toHaveLength(1);
      return deletes[0];
    }

    const remove = async (userId: string, platform: string) => {
      const response = await call('DELETE', `/api/integrations/${platform}?user_id=${userId}`);
      expect(response.status).toBe(204);
      expect((await call('GET', `/api/integrations?user_id=${userId}`).then((r) => r.json())).length).toBe(0);
    };

    it('TikTok: posts the stored access token to /v2/oauth/revoke/, and the audit entry says revoked', async () => {
      const userId = uniqueUserId();
      const { accessToken } = fakes.tiktok.issueTokens();
      await connect(userId, 'tiktok', accessToken);

      await remove(userId, 'tiktok');

      expect(fakes.tiktok.server.requestsTo('revoke').at(-1)?.form).toEqual({
        client_key: fakes.tiktok.clientKey,
        client_secret: fakes.tiktok.clientSecret,
        token: accessToken,
      });
      expect(fakes.tiktok.liveRefreshTokens(fakes.tiktok.openId)).toEqual([]);
      expect(await deleteEntry(userId)).toMatchObject({
        outcome: 'success',
        platform: 'tiktok',
        revocation: 'revoked',
        code: null,
      });
    });

    it('Facebook without a Page: the stored user token deletes its permissions', async () => {
      const userId = uniqueUserId();
      const userToken = fakes.meta.mintUserToken({ scopes: ['pages_messaging'] });
      await connect(userId, 'facebook', userToken);

      await remove(userId, 'facebook');

      const sent = fakes.meta.server.requestsTo('permissions').at(-1);
      expect(sent?.method).toBe('DELETE');
      expect(sent?.headers.authorization).toBe(`Bearer ${userToken}`);
      expect(await deleteEntry(userId)).toMatchObject({ revocation: 'revoked', code: null });
    });

    it('Instagram with a Page: a Page token cannot revoke, so nothing is sent and the entry says so', async () => {
      const userId = uniqueUserId();
      fakes.meta.pages = [PAGE];
      const before = fakes.meta.server.requestsTo('permissions').length;
      await connect(userId, 'instagram', fakes.meta.mintUserToken({ scopes: META_SCOPES }));
      tokens.push(fakes.meta.latestPageToken(PAGE.id) ?? '');

      await remove(userId, 'instagram');

      expect(fakes.meta.server.requestsTo('permissions').length).toBe(before);
      expect(await deleteEntry(userId)).toMatchObject({ revocation: 'not_offered', code: null });
    });

    it('deleting what is not there revokes nothing and records no revocation', async () => {
      const userId = uniqueUserId();
      const before = fakes.tiktok.server.requestsTo('revoke').length;
      await remove(userId, 'tiktok');
      expect(fakes.tiktok.server.requestsTo('revoke').length).toBe(before);
      expect(await deleteEntry(userId)).toMatchObject({ outcome: 'success', revocation: null });
    });

    const UNAVAILABLE = 'platform_unavailable';
    it.each<[string, 'tiktok' | 'facebook', Fault, string]>([
      ['TikTok refusing (400)', 'tiktok', tiktokOAuthError('invalid_request'), UNAVAILABLE],
      ['TikTok failing (500)', 'tiktok', { kind: 'answer', response: { status: 500 } }, UNAVAILABLE],
      ['TikTok hanging', 'tiktok', { kind: 'hang' }, UNAVAILABLE],
      ['TikTok answering malformed JSON', 'tiktok', { kind: 'malformed' }, UNAVAILABLE],
      ['Meta refusing (190/460)', 'facebook', metaError(190, 460), 'token_revoked'],
      ['Meta failing (503)', 'facebook', { kind: 'answer', response: { status: 503 } }, UNAVAILABLE],
      ['Meta hanging', 'facebook', { kind: 'hang' }, UNAVAILABLE],
    ])(
      '%s: the delete still answers 204, and the audit entry records the failed revoke',
      async (_name, platform, fault, code) => {
        const userId = uniqueUserId();
        const token =
          platform === 'tiktok'
            ? fakes.tiktok.issueTokens().accessToken
            : fakes.meta.mintUserToken({ scopes: ['pages_messaging'] });
        await connect(userId, platform, token);
        if (platform === 'tiktok') fakes.tiktok.fail('revoke', fault);
        else fakes.meta.fail('permissions', fault);

        await remove(userId, platform);

        const entry = await deleteEntry(userId);
        expect(entry).toMatchObject({ outcome: 'success', platform, revocation: 'failed', code });
      },
    );

    it('keeps every token out of the log lines', () => {
      expect(tokens.length).toBeGreaterThan(10);
      expect(harness.logLines.some((line) => line.includes('/api/integrations/'))).toBe(true);
      expect(leaks(tokens, { logs: harness.logLines.join('\n') })).toEqual([]);
    });
  });
}
