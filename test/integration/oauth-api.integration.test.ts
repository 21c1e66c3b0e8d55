import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { systemClock } from '../../src/application/ports/clock.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { giveConsent } from '../fakes/consent.js';
import { metaError } from '../fakes/meta-fake.js';
import { databaseDrivers, pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { exchange } from '../support/platform-exchange.js';
import { ManualClock, type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const REDIRECT = 'https://app.example.com/oauth/callback';
const TIMEOUT_MS = 500;
const IG_SCOPES = [
  'instagram_basic',
  'instagram_manage_messages',
  'pages_show_list',
  'pages_manage_metadata',
];
const PAGE = { id: '100000000000003', name: 'Acme Studio', instagramAccountId: '17841400000000003' };

let fakes: PlatformFakes;
let database: TestDatabase;
let clock: ManualClock;
let harness: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  fakes = await startPlatformFakes([REDIRECT, 'https://app.example.com/cb']);
  database = await pgliteTestDatabase();
  clock = new ManualClock();
  fakes.meta.pages = [PAGE];
  harness = await createTestApp(database, {
    clock,
    env: { OAUTH_REDIRECT_URIS: REDIRECT },
    gateways: createPlatformGateways(fakes.settings, { exchange, clock: systemClock, timeoutMs: TIMEOUT_MS }),
  });
});
afterAll(async () => {
  await fakes.close();
  await database.dispose();
});
afterEach(() => {
  fakes.meta.heal();
  fakes.tiktok.heal();
  fakes.meta.pages = [PAGE];
  fakes.meta.grantedScopes = null;
  fakes.tiktok.grantedScopes = null;
});

const request = (method: string, path: string, body?: unknown) =>
  harness.app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

const authorize = (platform: string, userId: string, redirectUri = REDIRECT) =>
  request(
    'GET',
    `/api/integrations/oauth/${platform}/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(redirectUri)}`,
  );

const callback = (platform: string, userId: string, body: Record<string, string>) =>
  request('POST', `/api/integrations/oauth/${platform}/callback?user_id=${userId}`, body);

/** Authorize, consent at the fake platform, and return what the callback needs. */
async function consent(platform: string, userId: string) {
  const started = await authorize(platform, userId);
  if (started.status !== 200)
    throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
  const { authorization_url } = await started.json();
  const back = await giveConsent(authorization_url);
  return {
    authorizationUrl: new URL(authorization_url),
    body: {
      code: back.searchParams.get('code') ?? '',
      state: back.searchParams.get('state') ?? '',
      redirect_uri: REDIRECT,
    },
  };
}

async function rows(query: ReturnType<typeof sql>) {
  const result = await database.handle.db.execute(query);
  return (result as unknown as { rows: Record<string, unknown>[] }).rows;
}

const integrationRow = async (userId: string, platform: string) =>
  (
    await rows(sql`select * from social_integrations where user_id = ${userId} and platform = ${platform}`)
  )[0];

const stateCount = async () => (await rows(sql`select count(*)::int as n from oauth_states`))[0]?.n;

const capability = async (platform: string, userId: string) =>
  (await request('GET', `/api/integrations/${platform}/capabilities?user_id=${userId}`)).json();

const UNKNOWN_STATE = {
  detail: 'This sign-in is unknown or was already used. Start connecting again.',
  code: 'invalid_state',
};

describe('OAuth round trips against the fake platforms', () => {
  it('connects Instagram: dialog URL, exchange, long-lived token, Page and Business account, sealed Page token', async () => {
    const userId = uniqueUserId();
    const { authorizationUrl, body } = await consent('instagram', userId);
    const response = await callback('instagram', userId, body);
    const text = await response.text();

    expect(Object.fromEntries(authorizationUrl.searchParams)).toEqual({
      client_id: fakes.meta.appId,
      redirect_uri: REDIRECT,
      state: body.state,
      response_type: 'code',
      scope: 'instagram_basic,instagram_manage_messages,pages_show_list,pages_manage_metadata',
      auth_type: 'rerequest',
    });
    expect(body.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.status).toBe(201);
    const pageToken = fakes.meta.latestPageToken(PAGE.id) ?? '';
    expect(JSON.parse(text)).toMatchObject({
      user_id: userId,
      platform: 'instagram',
      connection_status: 'connected',
      scopes_granted: IG_SCOPES,
      page_id: PAGE.id,
      account_id: PAGE.instagramAccountId,
      business_id: null,
      access_token: `****${pageToken.slice(-4)}`,
      refresh_token: null,
      token_expires_at: null,
      metadata: { page_name: 'Acme Studio' },
    });
    const row = await integrationRow(userId, 'instagram');
    expect(await harness.cipher.open(row?.access_token as EncryptedSecret)).toBe(pageToken);
    // Who connected it, for Meta's deauthorize and data deletion callbacks; never in a response.
    expect(row?.meta_user_id).toBe(fakes.meta.userId);
    expect(JSON.parse(text)).not.toHaveProperty('meta_user_id');
    expect(JSON.stringify(row)).not.toContain(pageToken);
    expect(text).not.toContain(pageToken);
    expect(await capability('instagram', userId)).toMatchObject({
      is_connected: true,
      can_send_dm: true,
      can_read_messages: true,
      reason: null,
    });
  });

  it('connects Facebook with the Page token for sending', async () => {
    const userId = uniqueUserId();
    fakes.meta.pages = [{ id: '100000000000005', name: 'Acme Shop' }];
    const { authorizationUrl, body } = await consent('facebook', userId);
    const response = await callback('facebook', userId, body);

    expect(authorizationUrl.searchParams.get('scope')).toBe(
      'pages_messaging,pages_show_list,pages_manage_metadata',
    );
    expect(authorizationUrl.searchParams.has('code_challenge')).toBe(false);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      platform: 'facebook',
      scopes_granted: ['pages_messaging', 'pages_show_list', 'pages_manage_metadata'],
      page_id: '100000000000005',
      account_id: fakes.meta.userId,
      token_expires_at: null,
    });
    const row = await integrationRow(userId, 'facebook');
    expect(row?.meta_user_id).toBe(fakes.meta.userId);
    const pageToken = fakes.meta.latestPageToken('100000000000005');
    expect(await harness.cipher.open(row?.access_token as EncryptedSecret)).toBe(pageToken);
    expect(await capability('facebook', userId)).toMatchObject({ is_connected: true, can_send_dm: true });
  });

  it('connects TikTok with PKCE: the challenge is the S256 of the verifier TikTok later receives', async () => {
    const userId = uniqueUserId();
    const { authorizationUrl, body } = await consent('tiktok', userId);
    const response = await callback('tiktok', userId, body);
    const text = await response.text();

    const verifier = fakes.tiktok.server.requestsTo('token').at(-1)?.form.code_verifier ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizationUrl.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(verifier).digest('base64url'),
    );
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('scope')).toBe('user.info.basic');
    expect(response.status).toBe(201);
    expect(JSON.parse(text)).toMatchObject({
      platform: 'tiktok',
      account_id: fakes.tiktok.openId,
      scopes_granted: ['user.info.basic'],
      access_token: expect.stringMatching(/^\*\*\*\*.{4}$/),
      refresh_token: expect.stringMatching(/^\*\*\*\*.{4}$/),
      metadata: { display_name: 'Fake Creator', refresh_token_expires_at: expect.any(String) },
    });
    expect(Date.parse(JSON.parse(text).token_expires_at) - Date.now()).toBeGreaterThan(86_000_000);
    const row = await integrationRow(userId, 'tiktok');
    expect(await harness.cipher.open(row?.refresh_token as EncryptedSecret)).toMatch(/^rft\./);
    expect(text).not.toContain(verifier);
    expect(await capability('tiktok', userId)).toMatchObject({
      is_connected: true,
      can_send_dm: false,
      reason: 'TikTok does not provide an official Direct Message API.',
    });
  });

  it('stores only the state’s hash and a sealed PKCE verifier', async () => {
    const userId = uniqueUserId();
    const { authorization_url } = await (await authorize('tiktok', userId)).json();
    const state = new URL(authorization_url).searchParams.get('state') ?? '';

    const [row] = await rows(sql`select * from oauth_states where user_id = ${userId}`);

    expect(row?.state_hash).toBe(createHash('sha256').update(state).digest('hex'));
    expect(row?.code_verifier).toMatch(/^gAAAAA/);
    expect(JSON.stringify(row)).not.toContain(state);
    expect(row).toMatchObject({ platform: 'tiktok', redirect_uri: REDIRECT });
  });

  it('keeps the stored refresh token when a reconnect brings none', async () => {
    const userId = uniqueUserId();
    const first = await consent('tiktok', userId);
    await callback('tiktok', userId, first.body);
    const stored = (await integrationRow(userId, 'tiktok'))?.refresh_token;
    const second = await consent('tiktok', userId);
    fakes.tiktok.fail('token', {
      kind: 'answer',
      response: {
        status: 200,
        body: {
          access_token: fakes.tiktok.mintAccessToken(),
          expires_in: 86_400,
          open_id: fakes.tiktok.openId,
          scope: 'user.info.basic',
          token_type: 'Bearer',
        },
      },
    });

    const response = await callback('tiktok', userId, second.body);

    expect(response.status).toBe(200);
    expect((await integrationRow(userId, 'tiktok'))?.refresh_token).toBe(stored);
  });
});

describe('HEAD on authorize (issue 14)', () => {
  it('leaves an oauth.start entry for every OAuth state it creates', async () => {
    const userId = uniqueUserId();
    const before = await stateCount();

    const response = await request(
      'HEAD',
      `/api/integrations/oauth/instagram/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );

    const created = Number(await stateCount()) - Number(before);
    const entries = await rows(
      sql`select action, outcome, platform from audit_log where actor = ${userId} and action = 'oauth.start'`,
    );
    expect(response.status).toBe(200);
    expect(created).toBe(1);
    expect(entries).toEqual([{ action: 'oauth.start', outcome: 'success', platform: 'instagram' }]);
  });
});

describe('OAuth authorize refusals', () => {
  it.each([
    'https://evil.example/cb',
    'https://app.example.com.evil.example/oauth/callback',
    'https://app.example.com@evil.example/oauth/callback',
    '//evil.example/oauth/callback',
    'https://app.example.com/oauth/callback/',
    'https://app.example.com/oauth/callback?x=1',
    'https://app.example.com/oauth/callback#f',
    'http://app.example.com/oauth/callback',
    'HTTPS://APP.EXAMPLE.COM/oauth/callback',
    'https://app.example.com%2F@evil.example',
    'https://app.example.com\\@evil.example/oauth/callback',
    'https://user:pw@app.example.com/oauth/callback',
    'javascript:alert(1)',
    'https://app.example.com/cb',
  ])('refuses redirect_uri %s and stores no state', async (redirectUri) => {
    const before = await stateCount();
    const response = await authorize('instagram', uniqueUserId(), redirectUri);

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toEqual({
      detail: 'redirect_uri must be exactly one of the redirect URIs configured in OAUTH_REDIRECT_URIS.',
      code: 'redirect_uri_not_allowed',
    });
    expect(await stateCount()).toBe(before);
  });

  it('refuses email, which has no OAuth', async () => {
    const response = await authorize('email', uniqueUserId());

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'Email has no OAuth sign-in: connect it by posting its SMTP settings to /api/integrations.',
      code: 'oauth_not_supported',
    });
  });

  it('answers an unknown platform with 404', async () => {
    expect((await authorize('myspace', uniqueUserId())).status).toBe(404);
  });

  it('names the variables to set for a platform that is not configured', async () => {
    const unconfigured = await createTestApp(database, {
      env: { OAUTH_REDIRECT_URIS: REDIRECT },
      gateways: createPlatformGateways(
        { ...fakes.settings, apps: { instagram: null, facebook: null, tiktok: null, instagram_login: null } },
        { exchange, clock: systemClock, timeoutMs: TIMEOUT_MS },
      ),
    });
    const answers = await Promise.all(
      ['instagram', 'tiktok'].map(async (platform) => {
        const response = await unconfigured.app.request(
          `/api/integrations/oauth/${platform}/authorize?user_id=u&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        return [response.status, await response.json()];
      }),
    );

    expect(answers).toEqual([
      [
        400,
        {
          detail:
            'Instagram sign-in is not configured on this server: set INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET (or FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET).',
          code: 'platform_not_configured',
        },
      ],
      [
        400,
        {
          detail:
            'TikTok sign-in is not configured on this server: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.',
          code: 'platform_not_configured',
        },
      ],
    ]);
  });
});

describe('OAuth callback refusals (nothing reaches the platform)', () => {
  const exchanges = () =>
    fakes.meta.server.requestsTo('access_token').length + fakes.tiktok.server.requestsTo('token').length;

  it('accepts a state once: a replay is refused', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('instagram', userId);

    const first = await callback('instagram', userId, body);
    const before = exchanges();
    const replay = await callback('instagram', userId, body);

    expect(first.status).toBe(201);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual(UNKNOWN_STATE);
    expect(exchanges()).toBe(before);
  });

  it('refuses an expired state', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('tiktok', userId);
    clock.advance(10 * 60_000 + 1_000);
    const before = exchanges();

    const response = await callback('tiktok', userId, body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'This sign-in expired: it must be completed within 10 minutes. Start again.',
      code: 'invalid_state',
    });
    expect(exchanges()).toBe(before);
    expect(await integrationRow(userId, 'tiktok')).toBeUndefined();
  });

  it('refuses another user’s state, and burns it', async () => {
    const owner = uniqueUserId();
    const intruder = uniqueUserId();
    const { body } = await consent('instagram', owner);
    const before = exchanges();

    const stolen = await callback('instagram', intruder, body);
    const late = await callback('instagram', owner, body);

    expect([stolen.status, await stolen.json()]).toEqual([400, UNKNOWN_STATE]);
    expect([late.status, await late.json()]).toEqual([400, UNKNOWN_STATE]);
    expect(exchanges()).toBe(before);
    expect(await integrationRow(intruder, 'instagram')).toBeUndefined();
    expect(await integrationRow(owner, 'instagram')).toBeUndefined();
  });

  it('refuses a state started for another platform', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('instagram', userId);
    const tiktokExchanges = fakes.tiktok.server.requestsTo('token').length;

    const response = await callback('tiktok', userId, body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'This sign-in was started for Instagram, not TikTok. Start connecting again.',
      code: 'state_platform_mismatch',
    });
    expect(fakes.tiktok.server.requestsTo('token')).toHaveLength(tiktokExchanges);
  });

  it('refuses a redirect_uri other than the one the sign-in started with', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('facebook', userId);
    const before = exchanges();

    const response = await callback('facebook', userId, {
      ...body,
      redirect_uri: 'https://app.example.com/cb',
    });

    expect(await response.json()).toEqual({
      detail: 'redirect_uri differs from the one this sign-in was started with. Start connecting again.',
      code: 'invalid_state',
    });
    expect(exchanges()).toBe(before);
  });

  it('refuses a forged state and an email callback', async () => {
    const forged = await callback('instagram', uniqueUserId(), {
      code: 'x',
      state: 'forged',
      redirect_uri: REDIRECT,
    });
    const email = await callback('email', uniqueUserId(), {
      code: 'x',
      state: 'forged',
      redirect_uri: REDIRECT,
    });

    expect([forged.status, await forged.json()]).toEqual([400, UNKNOWN_STATE]);
    expect([email.status, (await email.json()).code]).toEqual([400, 'oauth_not_supported']);
  });

  it('rejects unknown fields in the callback body', async () => {
    const response = await callback('tiktok', uniqueUserId(), {
      code: 'x',
      state: 'y',
      redirect_uri: REDIRECT,
      user_id: 'someone-else',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
  });
});

describe('OAuth callback outcomes from the platform', () => {
  it('answers a refused code with 400 and saves nothing', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('instagram', userId);
    fakes.meta.fail('access_token', metaError(100, 36009));

    const response = await callback('instagram', userId, body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail:
        'Meta refused the authorization code: it expired, was already used, or was issued for another redirect URI. Start connecting again.',
      code: 'authorization_code_rejected',
    });
    expect(await integrationRow(userId, 'instagram')).toBeUndefined();
  });

  it('saves a sign-in that lacks the messaging scope, and capabilities say what is missing', async () => {
    const userId = uniqueUserId();
    fakes.meta.grantedScopes = ['instagram_basic', 'pages_show_list'];
    const { body } = await consent('instagram', userId);

    const response = await callback('instagram', userId, body);

    expect(response.status).toBe(201);
    expect(await capability('instagram', userId)).toMatchObject({
      is_connected: true,
      can_send_dm: false,
      can_read_messages: false,
      reason: "Missing 'instagram_manage_messages' scope. Reconnect with proper permissions.",
      reason_code: 'missing_scope',
      missing_scopes: ['instagram_manage_messages'],
    });
  });

  it('saves a personal Instagram account (no Business/Creator account) and says so', async () => {
    const userId = uniqueUserId();
    fakes.meta.pages = [{ id: '100000000000007', name: 'Personal' }];
    const { body } = await consent('instagram', userId);

    const response = await callback('instagram', userId, body);

    expect(await response.json()).toMatchObject({ page_id: '100000000000007', account_id: null });
    expect(await capability('instagram', userId)).toMatchObject({
      can_send_dm: false,
      reason_code: 'not_business_account',
    });
  });

  it('saves a sign-in with no Facebook Page and says so', async () => {
    const userId = uniqueUserId();
    fakes.meta.pages = [];
    const { body } = await consent('facebook', userId);

    const response = await callback('facebook', userId, body);

    expect(await response.json()).toMatchObject({ page_id: null, account_id: fakes.meta.userId });
    expect(await capability('facebook', userId)).toMatchObject({
      can_send_dm: false,
      reason_code: 'page_not_linked',
      reason: 'No Facebook Page is linked to this Facebook account. Link a Page and reconnect.',
    });
  });

  it('refuses a token Meta reports as expired', async () => {
    const userId = uniqueUserId();
    const { body } = await consent('instagram', userId);
    fakes.meta.fail('debug_token', {
      kind: 'answer',
      response: { status: 200, body: { data: { is_valid: false, error: { code: 190, subcode: 463 } } } },
    });

    const response = await callback('instagram', userId, body);

    expect([response.status, await response.json()]).toEqual([
      400,
      { detail: 'Your Instagram token has expired. Reconnect your account.', code: 'token_expired' },
    ]);
    expect(await integrationRow(userId, 'instagram')).toBeUndefined();
  });

  it.each([
    ['a timeout', { kind: 'hang' } as const, `did not answer within ${TIMEOUT_MS / 1000} seconds`],
    [
      'HTTP 503',
      { kind: 'answer', response: { status: 503 } } as const,
      'is not working right now (HTTP 503)',
    ],
  ])('answers %s with 502 and saves nothing', async (_name, fault, why) => {
    const userId = uniqueUserId();
    const { body } = await consent('tiktok', userId);
    fakes.tiktok.fail('token', fault);

    const response = await callback('tiktok', userId, body);

    expect([response.status, await response.json()]).toEqual([
      502,
      { detail: `TikTok ${why}. Nothing was changed; try again later.`, code: 'platform_unavailable' },
    ]);
    expect(await integrationRow(userId, 'tiktok')).toBeUndefined();
  });
});

describe('posting tokens directly, validated with the platform', () => {
  const post = (userId: string, body: Record<string, unknown>) =>
    request('POST', `/api/integrations?user_id=${userId}`, body);

  it('saves a valid Instagram token as its Page token, with what Meta reports', async () => {
    const userId = uniqueUserId();
    const userToken = fakes.meta.mintUserToken({ scopes: IG_SCOPES });

    const response = await post(userId, {
      platform: 'instagram',
      access_token: userToken,
      token_expires_at: '2099-01-01T00:00:00Z',
      account_id: 'claimed-account',
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      scopes_granted: IG_SCOPES,
      page_id: PAGE.id,
      account_id: PAGE.instagramAccountId,
      token_expires_at: null,
    });
    const row = await integrationRow(userId, 'instagram');
    const pageToken = fakes.meta.latestPageToken(PAGE.id);
    expect(await harness.cipher.open(row?.access_token as EncryptedSecret)).toBe(pageToken);
  });

  it('saves a token without the messaging scope, with the original design’s reason', async () => {
    const userId = uniqueUserId();
    const response = await post(userId, {
      platform: 'facebook',
      access_token: fakes.meta.mintUserToken({ scopes: ['pages_show_list'] }),
    });

    expect(response.status).toBe(201);
    expect(await capability('facebook', userId)).toMatchObject({
      is_connected: true,
      can_send_dm: false,
      reason: "Missing 'pages_messaging' scope. Reconnect with proper permissions.",
      reason_code: 'missing_scope',
    });
  });

  it('saves a valid TikTok token with its open_id', async () => {
    const userId = uniqueUserId();
    const response = await post(userId, {
      platform: 'tiktok',
      access_token: fakes.tiktok.mintAccessToken(),
      token_expires_at: '2030-01-01T00:00:00Z',
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      account_id: fakes.tiktok.openId,
      scopes_granted: ['user.info.basic'],
      token_expires_at: '2030-01-01T00:00:00.000Z',
    });
  });

  it.each([
    [
      'an expired Meta token',
      () => ({ platform: 'instagram', access_token: fakes.meta.mintUserToken({ expired: true }) }),
      { detail: 'Your Instagram token has expired. Reconnect your account.', code: 'token_expired' },
    ],
    [
      'a revoked Meta token',
      () => ({ platform: 'facebook', access_token: fakes.meta.mintUserToken({ revokedWith: 460 }) }),
      {
        detail:
          'Your Facebook access was revoked: the Facebook password was changed. Reconnect your account.',
        code: 'token_revoked',
      },
    ],
    [
      'an expired TikTok token',
      () => ({ platform: 'tiktok', access_token: fakes.tiktok.mintAccessToken({ expired: true }) }),
      {
        detail:
          'TikTok no longer accepts this access token: it expired or was revoked. Reconnect your account.',
        code: 'token_expired',
      },
    ],
  ])('refuses %s with 400 and saves nothing', async (_name, body, expected) => {
    const userId = uniqueUserId();
    const response = await post(userId, body());

    expect([response.status, await response.json()]).toEqual([400, expected]);
    expect(await rows(sql`select id from social_integrations where user_id = ${userId}`)).toEqual([]);
  });

  it.each([
    ['a timeout', { kind: 'hang' } as const, `did not answer within ${TIMEOUT_MS / 1000} seconds`],
    [
      'HTTP 500',
      { kind: 'answer', response: { status: 500 } } as const,
      'is not working right now (HTTP 500)',
    ],
  ])('answers %s from Meta with 502 and saves nothing', async (_name, fault, why) => {
    const userId = uniqueUserId();
    fakes.meta.fail('debug_token', fault);

    const response = await post(userId, { platform: 'instagram', access_token: fakes.meta.mintUserToken() });

    expect([response.status, await response.json()]).toEqual([
      502,
      { detail: `Meta ${why}. Nothing was changed; try again later.`, code: 'platform_unavailable' },
    ]);
    expect(await integrationRow(userId, 'instagram')).toBeUndefined();
  });
});

describe('validating a stored token again', () => {
  it('records revoked when Meta says so, and capabilities explain', async () => {
    const userId = uniqueUserId();
    const userToken = fakes.meta.mintUserToken({ scopes: IG_SCOPES });
    await request('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'instagram',
      access_token: userToken,
    });
    fakes.meta.revoke(userToken, 458);

    const response = await request('POST', `/api/integrations/instagram/validate?user_id=${userId}`);

    expect(await response.json()).toMatchObject({
      valid: false,
      detail:
        'Your Instagram access was revoked: the app was removed from the Facebook account. Reconnect your account.',
      integration: { connection_status: 'revoked' },
    });
    expect(await capability('instagram', userId)).toMatchObject({
      can_send_dm: false,
      reason_code: 'token_revoked',
      reason:
        'Your Instagram access was revoked: the app was removed from the Facebook account. Reconnect your account.',
    });
  });

  it('re-checks a stored Page token and keeps the status when Meta is down', async () => {
    const userId = uniqueUserId();
    await request('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'instagram',
      access_token: fakes.meta.mintUserToken({ scopes: IG_SCOPES }),
    });

    const healthy = await request('POST', `/api/integrations/instagram/validate?user_id=${userId}`);
    fakes.meta.fail('debug_token', { kind: 'answer', response: { status: 502 } });
    const down = await request('POST', `/api/integrations/instagram/validate?user_id=${userId}`);

    expect(await healthy.json()).toMatchObject({
      valid: true,
      integration: { connection_status: 'connected' },
    });
    expect([down.status, (await down.json()).code]).toEqual([502, 'platform_unavailable']);
    expect((await integrationRow(userId, 'instagram'))?.connection_status).toBe('connected');
  });
});

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`20 parallel callbacks with one state on ${driver.name}`, () => {
    it('let exactly one succeed and exchange the code once', async () => {
      const own = await driver.open();
      try {
        const parallel = await createTestApp(own, {
          env: { OAUTH_REDIRECT_URIS: REDIRECT },
          gateways: createPlatformGateways(fakes.settings, {
            exchange,
            clock: systemClock,
            timeoutMs: 5_000,
          }),
        });
        const userId = uniqueUserId();
        const started = await parallel.app.request(
          `/api/integrations/oauth/tiktok/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        const back = await giveConsent((await started.json()).authorization_url);
        const before = fakes.tiktok.server.requestsTo('token').length;

        const responses = await Promise.all(
          Array.from({ length: 20 }, () =>
            parallel.app.request(`/api/integrations/oauth/tiktok/callback?user_id=${userId}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                code: back.searchParams.get('code'),
                state: back.searchParams.get('state'),
                redirect_uri: REDIRECT,
              }),
            }),
          ),
        );

        const statuses = responses.map((response) => response.status).sort();
        expect(statuses).toEqual([201, ...Array(19).fill(400)]);
        expect(fakes.tiktok.server.requestsTo('token').length - before).toBe(1);
      } finally {
        await own.dispose();
      }
    });
  });
}
