import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MetaGateway,
  type MetaGatewayOptions,
  type MetaPlatform,
} from '../../src/adapters/gateways/meta/meta-gateway.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { fail, ok } from '../../src/domain/result.js';
import { giveConsent } from '../fakes/consent.js';
import type { Fault } from '../fakes/fake-http-server.js';
import { LONG_LIVED_SECONDS, MetaFake, metaError } from '../fakes/meta-fake.js';
import { exchange } from '../support/platform-exchange.js';

const REDIRECT = 'https://app.example.com/oauth/callback';
const TIMEOUT_MS = 400;
const ALL_SCOPES = ['instagram_basic', 'instagram_manage_messages', 'pages_show_list', 'pages_messaging'];

let meta: MetaFake;

beforeAll(async () => {
  meta = await MetaFake.start([REDIRECT]);
});
afterAll(() => meta.close());
afterEach(() => {
  meta.heal();
  meta.pages = [];
  meta.pageSize = 2;
});

function gateway(platform: MetaPlatform, overrides: Partial<MetaGatewayOptions> = {}) {
  return new MetaGateway({
    platform,
    app: { clientId: meta.appId, clientSecret: meta.appSecret },
    notConfigured: 'FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET',
    graphUrl: meta.baseUrl,
    graphVersion: meta.version,
    dialogUrl: meta.baseUrl,
    exchange,
    timeoutMs: TIMEOUT_MS,
    clock: systemClock,
    ...overrides,
  });
}

const unavailable = (why: string) =>
  fail('platform_unavailable', `Meta ${why}. Nothing was changed; try again later.`);

describe('MetaGateway.validate', () => {
  it('finds the Page linked to an Instagram Business account across /me/accounts pages and keeps its token', async () => {
    meta.pageSize = 1;
    meta.pages = [
      { id: '100000000000001', name: 'Shop without Instagram' },
      {
        id: '100000000000002',
        name: 'Granted without token',
        instagramAccountId: '17841400000000009',
        withoutToken: true,
      },
      {
        id: '100000000000003',
        name: 'Acme Studio',
        instagramAccountId: '17841400000000003',
        instagramUsername: 'acme.studio',
      },
    ];
    const userToken = meta.mintUserToken({ scopes: ALL_SCOPES });

    const result = await gateway('instagram').validate({ accessToken: userToken, pageId: null });

    const pageToken = meta.latestPageToken('100000000000003');
    expect(result).toEqual(
      ok({
        accessToken: pageToken,
        scopesGranted: ALL_SCOPES,
        expiresAt: 'never',
        accountId: '17841400000000003',
        pageId: '100000000000003',
        // The app-scoped id of the person, which Meta's deauthorize and data deletion callbacks name.
        metaUserId: meta.userId,
        metadata: { page_name: 'Acme Studio', username: 'acme.studio' },
      }),
    );
    expect(meta.server.requestsTo('accounts')).toHaveLength(3);
  });

  it('follows paging links only back to the configured Graph host', async () => {
    const userToken = meta.mintUserToken({ scopes: ALL_SCOPES });
    meta.fail('accounts', {
      kind: 'answer',
      response: {
        status: 200,
        body: {
          data: [{ id: '100000000000001', name: 'Shop', access_token: 'EAAGPage-from-the-answer-1234' }],
          paging: { next: 'http://169.254.169.254/latest/meta-data/?after=1' },
        },
      },
    });
    const before = meta.server.requestsTo('accounts').length;

    const result = await gateway('facebook').validate({ accessToken: userToken, pageId: null });

    expect(meta.server.requestsTo('accounts')).toHaveLength(before + 1);
    expect(result).toMatchObject({ ok: false, failure: { code: 'credentials_rejected' } });
  });

  it('reports a personal Instagram account (no linked Business account) as account null', async () => {
    meta.pages = [{ id: '100000000000001', name: 'Shop' }];
    const result = await gateway('instagram').validate({
      accessToken: meta.mintUserToken({ scopes: ALL_SCOPES }),
      pageId: null,
    });

    expect(result).toMatchObject({ ok: true, value: { accountId: null, pageId: '100000000000001' } });
  });

  it('keeps the user token, its expiry and no Page when the user has none', async () => {
    const userToken = meta.mintUserToken({ scopes: ['pages_messaging', 'pages_show_list'] });
    const result = await gateway('facebook').validate({ accessToken: userToken, pageId: null });

    expect(result).toMatchObject({
      ok: true,
      value: { accessToken: userToken, accountId: meta.userId, pageId: null, metadata: {} },
    });
    const expiresAt = result.ok ? (result.value.expiresAt as Date).getTime() : 0;
    expect(Math.abs(expiresAt - Date.now() - LONG_LIVED_SECONDS * 1000)).toBeLessThan(5_000);
  });

  it('does not list Pages without pages_show_list', async () => {
    meta.pages = [{ id: '100000000000001', name: 'Shop' }];
    const userToken = meta.mintUserToken({ scopes: ['pages_messaging'] });
    const before = meta.server.requestsTo('accounts').length;

    const result = await gateway('facebook').validate({ accessToken: userToken, pageId: null });

    expect(result).toMatchObject({ ok: true, value: { accessToken: userToken, pageId: null } });
    expect(meta.server.requestsTo('accounts')).toHaveLength(before);
  });

  it('selects the Page the caller names, and refuses one the token cannot manage', async () => {
    meta.pages = [
      { id: '100000000000001', name: 'First' },
      { id: '100000000000002', name: 'Second' },
    ];
    const userToken = meta.mintUserToken({ scopes: ALL_SCOPES });

    const chosen = await gateway('facebook').validate({ accessToken: userToken, pageId: '100000000000002' });
    const foreign = await gateway('facebook').validate({ accessToken: userToken, pageId: '999' });

    expect(chosen).toMatchObject({ ok: true, value: { pageId: '100000000000002', expiresAt: 'never' } });
    expect(foreign).toEqual(
      fail(
        'credentials_rejected',
        'This token cannot manage the Facebook Page 999, or that Page was not granted to this app. Leave page_id out or pick a Page granted when connecting.',
      ),
    );
  });

  it('accepts a Page token as posted, finding its Page and Instagram account through /me', async () => {
    meta.pages = [
      {
        id: '100000000000003',
        name: 'Acme Studio',
        instagramAccountId: '17841400000000003',
        instagramUsername: 'acme.studio',
      },
    ];
    await gateway('instagram').validate({
      accessToken: meta.mintUserToken({ scopes: ALL_SCOPES }),
      pageId: null,
    });
    const pageToken = meta.latestPageToken('100000000000003') ?? '';

    const result = await gateway('instagram').validate({ accessToken: pageToken, pageId: '100000000000003' });

    expect(result).toEqual(
      ok({
        accessToken: pageToken,
        scopesGranted: ALL_SCOPES,
        expiresAt: 'never',
        accountId: '17841400000000003',
        pageId: '100000000000003',
        // The app-scoped id of the person, which Meta's deauthorize and data deletion callbacks name.
        metaUserId: meta.userId,
        metadata: { page_name: 'Acme Studio', username: 'acme.studio' },
      }),
    );
  });

  it.each([
    [
      'an expired token',
      () => meta.mintUserToken({ expired: true }),
      fail('token_expired', 'Your Instagram token has expired. Reconnect your account.'),
    ],
    [
      'a token revoked by a password change',
      () => meta.mintUserToken({ revokedWith: 460 }),
      fail(
        'token_revoked',
        'Your Instagram access was revoked: the Facebook password was changed. Reconnect your account.',
      ),
    ],
    [
      'a token of a removed app',
      () => meta.mintUserToken({ revokedWith: 458 }),
      fail(
        'token_revoked',
        'Your Instagram access was revoked: the app was removed from the Facebook account. Reconnect your account.',
      ),
    ],
    [
      'an unknown token',
      () => 'EAAGnot-a-token-Meta-knows-of',
      fail('credentials_rejected', 'Meta does not accept this Instagram token. Reconnect your account.'),
    ],
    [
      'a token issued to another app',
      () => meta.mintUserToken({ appId: '720000000000002' }),
      fail(
        'credentials_rejected',
        'This Instagram token was issued to another app. Connect through this service instead.',
      ),
    ],
  ])('refuses %s with a clear sentence', async (_name, token, expected) => {
    expect(await gateway('instagram').validate({ accessToken: token(), pageId: null })).toEqual(expected);
  });

  const limited = unavailable('is limiting requests right now');
  it.each<[string, Fault, ReturnType<typeof fail>]>([
    ['app rate limit (4)', metaError(4), limited],
    ['user rate limit (17)', metaError(17), limited],
    ['page rate limit (32)', metaError(32), limited],
    ['custom rate limit (613)', metaError(613), limited],
    ['Business Use Case limit (80002)', metaError(80002), limited],
    ['temporary error (2)', metaError(2), unavailable('had a temporary problem')],
    [
      'HTTP 500',
      { kind: 'answer', response: { status: 500, body: { error: 'oops' } } },
      unavailable('is not working right now (HTTP 500)'),
    ],
    [
      'HTTP 503 with HTML',
      { kind: 'answer', response: { status: 503, body: '<html>' } },
      unavailable('is not working right now (HTTP 503)'),
    ],
    ['malformed JSON', { kind: 'malformed' }, unavailable('sent an answer this service could not read')],
    [
      'an unexpected shape',
      { kind: 'answer', response: { status: 200, body: { data: 'nope' } } },
      unavailable('sent an answer this service could not read'),
    ],
    [
      'refused app credentials (190 on the app token)',
      metaError(190),
      unavailable('refused this service’s app credentials (an operator must check them)'),
    ],
  ])('answers %s on debug_token as platform_unavailable', async (_name, fault, expected) => {
    meta.fail('debug_token', fault);
    expect(await gateway('facebook').validate({ accessToken: meta.mintUserToken(), pageId: null })).toEqual(
      expected,
    );
  });

  it.each<[string, Fault, ReturnType<typeof fail>]>([
    [
      'permission error (10)',
      metaError(10),
      fail(
        'credentials_rejected',
        'Meta refused access with this Facebook token because a permission is missing. Reconnect and grant every requested permission.',
      ),
    ],
    [
      'permission error (200)',
      metaError(200, undefined, 403),
      fail(
        'credentials_rejected',
        'Meta refused access with this Facebook token because a permission is missing. Reconnect and grant every requested permission.',
      ),
    ],
    [
      'expired session (190/463)',
      metaError(190, 463),
      fail('token_expired', 'Your Facebook token has expired. Reconnect your account.'),
    ],
    ['rate limit (613)', metaError(613), limited],
    [
      'an unknown error code',
      metaError(12345),
      unavailable('answered with an unexpected error (code 12345)'),
    ],
  ])('classifies %s on /me/accounts', async (_name, fault, expected) => {
    meta.pages = [{ id: '100000000000001', name: 'Shop' }];
    meta.fail('accounts', fault);
    expect(
      await gateway('facebook').validate({
        accessToken: meta.mintUserToken({ scopes: ALL_SCOPES }),
        pageId: null,
      }),
    ).toEqual(expected);
  });

  it('gives up on a platform that hangs within the outbound timeout', async () => {
    meta.fail('debug_token', { kind: 'hang' });
    const started = performance.now();

    const result = await gateway('facebook').validate({ accessToken: meta.mintUserToken(), pageId: null });

    expect(result).toEqual(unavailable(`did not answer within ${TIMEOUT_MS / 1000} seconds`));
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it('says so when Meta cannot be reached', async () => {
    const closed = await MetaFake.start([REDIRECT]);
    await closed.close();
    const unreachable = gateway('facebook', { graphUrl: closed.baseUrl });

    expect(await unreachable.validate({ accessToken: 'EAAGanything-at-all', pageId: null })).toEqual(
      unavailable('could not be reached'),
    );
  });

  it('needs the app credentials, and names the variables to set', async () => {
    const unconfigured = gateway('instagram', {
      app: null,
      notConfigured: 'INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET',
    });
    const expected = fail(
      'platform_not_configured',
      'Instagram sign-in is not configured on this server: set INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET.',
    );

    expect(await unconfigured.validate({ accessToken: meta.mintUserToken(), pageId: null })).toEqual(
      expected,
    );
    expect(
      unconfigured.authorizationUrl({ state: 's', redirectUri: REDIRECT, scopes: [], codeChallenge: null }),
    ).toEqual(expected);
  });
});

describe('MetaGateway.revoke', () => {
  it('deletes the user token’s permissions: afterwards every token of that person is refused', async () => {
    const userToken = meta.mintUserToken({ scopes: ALL_SCOPES });
    const pageToken = meta.mintPageToken('100000000000001', ALL_SCOPES);

    expect(await gateway('facebook').revoke({ accessToken: userToken, pageId: null })).toEqual(ok('revoked'));
    const [sent] = meta.server.requestsTo('permissions').slice(-1);
    expect(sent).toMatchObject({ method: 'DELETE', path: `/${meta.version}/me/permissions` });
    expect(sent?.headers.authorization).toBe(`Bearer ${userToken}`);
    expect(sent?.query).toEqual({});
    for (const token of [userToken, pageToken]) {
      expect((await gateway('facebook').validate({ accessToken: token, pageId: null })).ok).toBe(false);
    }
  });

  it('sends nothing for a stored Page token, which cannot revoke', async () => {
    const before = meta.server.requests.length;
    const pageToken = meta.mintPageToken('100000000000001', ALL_SCOPES);
    expect(await gateway('instagram').revoke({ accessToken: pageToken, pageId: '100000000000001' })).toEqual(
      ok('not_offered'),
    );
    expect(meta.server.requests.length).toBe(before);
  });

  it.each<[string, Fault, ReturnType<typeof fail>]>([
    [
      'a revoked token (190/458)',
      metaError(190, 458),
      fail(
        'token_revoked',
        'Your Facebook access was revoked: the app was removed from the Facebook account. Reconnect your account.',
      ),
    ],
    [
      'success: false',
      { kind: 'answer', response: { status: 200, body: { success: false } } },
      unavailable('refused to revoke the token'),
    ],
    [
      'HTTP 500',
      { kind: 'answer', response: { status: 500 } },
      unavailable('is not working right now (HTTP 500)'),
    ],
    ['malformed JSON', { kind: 'malformed' }, unavailable('sent an answer this service could not read')],
    ['a hang', { kind: 'hang' }, unavailable(`did not answer within ${TIMEOUT_MS / 1000} seconds`)],
  ])('answers %s as a failed revoke', async (_name, fault, expected) => {
    meta.fail('permissions', fault);
    const accessToken = meta.mintUserToken({ scopes: ALL_SCOPES });
    expect(await gateway('facebook').revoke({ accessToken, pageId: null })).toEqual(expected);
  });
});

describe('MetaGateway.subscribeToMessages', () => {
  const PAGE_ID = '100000000000001';
  const SCOPES = [...ALL_SCOPES, 'pages_manage_metadata'];
  const subscribe = (accessToken: string, scopesGranted = SCOPES, pageId: string | null = PAGE_ID) =>
    gateway('facebook').subscribeToMessages({ accessToken, pageId, scopesGranted });

  it('subscribes the app to the Page with the Page token', async () => {
    expect(await subscribe(meta.mintPageToken(PAGE_ID, SCOPES))).toEqual({ outcome: 'subscribed' });
    expect(meta.subscriptions.get(PAGE_ID)).toEqual(['messages']);
  });

  it('asks nothing without a Page or without pages_manage_metadata', async () => {
    const before = meta.server.requests.length;
    const token = meta.mintPageToken(PAGE_ID, SCOPES);
    expect(await subscribe(token, SCOPES, null)).toEqual({ outcome: 'not_offered' });
    expect(await subscribe(token, ALL_SCOPES)).toEqual({ outcome: 'not_granted' });
    expect(meta.server.requests.length).toBe(before);
  });

  it('reports what Meta says when the token cannot subscribe that Page', async () => {
    const userToken = meta.mintUserToken({ scopes: SCOPES });
    expect(await subscribe(userToken)).toEqual({
      outcome: 'failed',
      code: 'credentials_rejected',
      platformCode: 210,
    });
    const withoutScope = meta.mintPageToken(PAGE_ID, ALL_SCOPES);
    expect(await subscribe(withoutScope)).toEqual({
      outcome: 'failed',
      code: 'credentials_rejected',
      platformCode: 200,
    });
  });

  it.each<[string, Fault, number | null]>([
    ['a rate limit (code 4)', metaError(4), 4],
    ['success: false', { kind: 'answer', response: { status: 200, body: { success: false } } }, null],
    ['HTTP 500', { kind: 'answer', response: { status: 500 } }, null],
    ['malformed JSON', { kind: 'malformed' }, null],
    ['a hang', { kind: 'hang' }, null],
  ])('answers %s as a failed subscription, platform_unavailable', async (_name, fault, platformCode) => {
    meta.fail('subscribed_apps', fault);
    expect(await subscribe(meta.mintPageToken(PAGE_ID, SCOPES))).toEqual({
      outcome: 'failed',
      code: 'platform_unavailable',
      platformCode,
    });
  });
});

describe('MetaGateway sign-in', () => {
  const authorize = () => {
    const url = gateway('instagram').authorizationUrl({
      state: 'state-123',
      redirectUri: REDIRECT,
      scopes: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
      codeChallenge: null,
    });
    if (!url.ok) throw new Error(url.failure.detail);
    return url.value;
  };

  it('builds the dialog URL with the app, exact redirect URI, state and comma-separated scopes', () => {
    const url = new URL(authorize());

    expect(`${url.origin}${url.pathname}`).toBe(`${meta.baseUrl}/${meta.version}/dialog/oauth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: meta.appId,
      redirect_uri: REDIRECT,
      state: 'state-123',
      response_type: 'code',
      scope: 'instagram_basic,instagram_manage_messages,pages_show_list',
      auth_type: 'rerequest',
    });
  });

  it('exchanges the code once and upgrades it to a long-lived token', async () => {
    const back = await giveConsent(authorize());
    const code = back.searchParams.get('code') ?? '';
    const before = meta.server.requestsTo('access_token').length;

    const issued = await gateway('instagram').exchangeCode({
      code,
      redirectUri: REDIRECT,
      codeVerifier: null,
    });
    const again = await gateway('instagram').exchangeCode({
      code,
      redirectUri: REDIRECT,
      codeVerifier: null,
    });

    expect(back.searchParams.get('state')).toBe('state-123');
    expect(issued).toMatchObject({
      ok: true,
      value: { refreshToken: null, scopesGranted: null, metadata: {} },
    });
    const requests = meta.server.requestsTo('access_token').slice(before);
    expect(requests.map((request) => request.query)).toEqual([
      { client_id: meta.appId, client_secret: meta.appSecret, redirect_uri: REDIRECT, code },
      {
        client_id: meta.appId,
        client_secret: meta.appSecret,
        grant_type: 'fb_exchange_token',
        fb_exchange_token: expect.stringMatching(/^EAAGUser/),
      },
      { client_id: meta.appId, client_secret: meta.appSecret, redirect_uri: REDIRECT, code },
    ]);
    const longLived = issued.ok ? issued.value.accessToken : '';
    expect(longLived).not.toBe(requests[1]?.query.fb_exchange_token);
    expect(again).toEqual(
      fail(
        'authorization_code_rejected',
        'Meta refused the authorization code: it expired, was already used, or was issued for another redirect URI. Start connecting again.',
      ),
    );
  });

  it('answers a rate-limited exchange as platform_unavailable', async () => {
    meta.fail('access_token', metaError(4));
    expect(
      await gateway('facebook').exchangeCode({ code: 'AQx', redirectUri: REDIRECT, codeVerifier: null }),
    ).toEqual(unavailable('is limiting requests right now'));
  });
});
