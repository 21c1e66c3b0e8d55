import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthApp } from '../../src/adapters/gateways/oauth-app.js';
import { TikTokGateway } from '../../src/adapters/gateways/tiktok/tiktok-gateway.js';
import { randomSecret, s256Challenge } from '../../src/application/oauth-secrets.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { fail, ok } from '../../src/domain/result.js';
import { giveConsent } from '../fakes/consent.js';
import type { Fault } from '../fakes/fake-http-server.js';
import { TikTokFake, tiktokApiError, tiktokOAuthError } from '../fakes/tiktok-fake.js';
import { exchange } from '../support/platform-exchange.js';

const REDIRECT = 'https://app.example.com/oauth/tiktok/';
const TIMEOUT_MS = 400;

let tiktok: TikTokFake;
let gateway: TikTokGateway;

beforeAll(async () => {
  tiktok = await TikTokFake.start([REDIRECT]);
  gateway = tiktokGateway({ clientId: tiktok.clientKey, clientSecret: tiktok.clientSecret });
});
afterAll(() => tiktok.close());
afterEach(() => {
  tiktok.heal();
  tiktok.grantedScopes = null;
});

const tiktokGateway = (app: OAuthApp | null) =>
  new TikTokGateway({
    app,
    notConfigured: 'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET',
    authUrl: tiktok.baseUrl,
    apiUrl: tiktok.baseUrl,
    exchange,
    timeoutMs: TIMEOUT_MS,
    clock: systemClock,
  });

const unavailable = (why: string) =>
  fail('platform_unavailable', `TikTok ${why}. Nothing was changed; try again later.`);

async function signIn(scopes = ['user.info.basic']) {
  const verifier = randomSecret();
  const url = gateway.authorizationUrl({
    state: 'state-tt',
    redirectUri: REDIRECT,
    scopes,
    codeChallenge: await s256Challenge(verifier),
  });
  if (!url.ok) throw new Error(url.failure.detail);
  const back = await giveConsent(url.value);
  return { url: new URL(url.value), code: back.searchParams.get('code') ?? '', verifier };
}

describe('TikTokGateway sign-in', () => {
  it('builds the authorize URL with client_key, scopes, state and an S256 challenge', async () => {
    const { url, verifier } = await signIn(['user.info.basic', 'video.list']);

    expect(`${url.origin}${url.pathname}`).toBe(`${tiktok.baseUrl}/v2/auth/authorize/`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_key: tiktok.clientKey,
      scope: 'user.info.basic,video.list',
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 'state-tt',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
  });

  it('exchanges the code with its verifier for tokens, scopes and lifetimes from the response', async () => {
    tiktok.grantedScopes = ['user.info.basic'];
    const { code, verifier } = await signIn(['user.info.basic', 'video.list']);
    const started = Date.now();

    const issued = await gateway.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });

    expect(issued).toMatchObject({
      ok: true,
      value: {
        accessToken: expect.stringMatching(/^act\./),
        refreshToken: expect.stringMatching(/^rft\./),
        scopesGranted: ['user.info.basic'],
      },
    });
    const value = issued.ok ? issued.value : null;
    expect((value?.expiresAt?.getTime() ?? 0) - started).toBeGreaterThanOrEqual(86_400_000 - 1_000);
    expect(Date.parse(String(value?.metadata.refresh_token_expires_at)) - started).toBeGreaterThanOrEqual(
      31_536_000_000 - 1_000,
    );
    const request = tiktok.server.requestsTo('token').at(-1);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.form).toEqual({
      client_key: tiktok.clientKey,
      client_secret: tiktok.clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
  });

  it('is refused with another verifier, and a code works only once', async () => {
    const refused = fail(
      'authorization_code_rejected',
      'TikTok refused the authorization code: it expired, was already used, or does not match this sign-in. Start connecting again.',
    );
    const wrongVerifier = await signIn();
    const { code, verifier } = await signIn();

    expect(
      await gateway.exchangeCode({
        code: wrongVerifier.code,
        redirectUri: REDIRECT,
        codeVerifier: randomSecret(),
      }),
    ).toEqual(refused);
    expect((await gateway.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: verifier })).ok).toBe(
      true,
    );
    expect(await gateway.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: verifier })).toEqual(
      refused,
    );
  });

  it('rotates refresh tokens: the new one works, the old one is refused', async () => {
    const { code, verifier } = await signIn();
    const issued = await gateway.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    const first = issued.ok ? (issued.value.refreshToken ?? '') : '';

    const refreshed = await gateway.refresh(first);
    const second = refreshed.ok ? (refreshed.value.refreshToken ?? '') : '';

    expect(second).toMatch(/^rft\./);
    expect(second).not.toBe(first);
    expect(await gateway.refresh(first)).toEqual(
      fail(
        'token_revoked',
        'TikTok no longer accepts the refresh token: it expired, was revoked or was replaced. Reconnect your account.',
      ),
    );
    expect((await gateway.refresh(second)).ok).toBe(true);
  });

  it('revokes: afterwards the access token is refused', async () => {
    const { code, verifier } = await signIn();
    const issued = await gateway.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });
    const accessToken = issued.ok ? issued.value.accessToken : '';

    expect(await gateway.revoke({ accessToken, pageId: null })).toEqual(ok('revoked'));
    expect(tiktok.server.requestsTo('revoke').at(-1)?.form).toEqual({
      client_key: tiktok.clientKey,
      client_secret: tiktok.clientSecret,
      token: accessToken,
    });
    expect((await gateway.validate({ accessToken, pageId: null })).ok).toBe(false);
  });

  it.each<[string, Fault, ReturnType<typeof fail>]>([
    ['an OAuth error', tiktokOAuthError('invalid_request'), unavailable('refused to revoke the token')],
    [
      'HTTP 401 without a body',
      { kind: 'answer', response: { status: 401 } },
      unavailable('refused to revoke the token'),
    ],
    [
      'HTTP 503',
      { kind: 'answer', response: { status: 503 } },
      unavailable('is not working right now (HTTP 503)'),
    ],
    ['malformed JSON', { kind: 'malformed' }, unavailable('sent an answer this service could not read')],
    ['a hang', { kind: 'hang' }, unavailable(`did not answer within ${TIMEOUT_MS / 1000} seconds`)],
  ])('answers %s on the revoke endpoint as a failed revoke', async (_name, fault, expected) => {
    tiktok.fail('revoke', fault);
    expect(await gateway.revoke({ accessToken: tiktok.mintAccessToken(), pageId: null })).toEqual(expected);
  });

  it.each<[string, Fault, ReturnType<typeof fail>]>([
    [
      'invalid_client',
      tiktokOAuthError('invalid_client', 401),
      unavailable('refused this service’s app credentials (an operator must check them)'),
    ],
    ['HTTP 429', tiktokOAuthError('rate_limit_exceeded', 429), unavailable('is limiting requests right now')],
    [
      'HTTP 500',
      { kind: 'answer', response: { status: 500 } },
      unavailable('is not working right now (HTTP 500)'),
    ],
    ['malformed JSON', { kind: 'malformed' }, unavailable('sent an answer this service could not read')],
    ['a hang', { kind: 'hang' }, unavailable(`did not answer within ${TIMEOUT_MS / 1000} seconds`)],
  ])('answers %s on the token endpoint as platform_unavailable', async (_name, fault, expected) => {
    tiktok.fail('token', fault);
    expect(await gateway.exchangeCode({ code: 'abc', redirectUri: REDIRECT, codeVerifier: 'v' })).toEqual(
      expected,
    );
  });

  it('needs the app credentials, and names the variables to set', async () => {
    const unconfigured = tiktokGateway(null);
    const expected = fail(
      'platform_not_configured',
      'TikTok sign-in is not configured on this server: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.',
    );

    expect(await unconfigured.exchangeCode({ code: 'c', redirectUri: REDIRECT, codeVerifier: null })).toEqual(
      expected,
    );
    expect(
      unconfigured.authorizationUrl({ state: 's', redirectUri: REDIRECT, scopes: [], codeChallenge: null }),
    ).toEqual(expected);
  });
});

describe('TikTokGateway.validate', () => {
  it('records the open_id, the proven scope and the display name', async () => {
    const accessToken = tiktok.mintAccessToken();

    expect(await gateway.validate({ accessToken, pageId: null })).toEqual(
      ok({
        accessToken,
        scopesGranted: ['user.info.basic'],
        expiresAt: 'unknown',
        accountId: tiktok.openId,
        pageId: null,
        metadata: { display_name: 'Fake Creator' },
      }),
    );
    const request = tiktok.server.requestsTo('user_info').at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(request?.query).toEqual({ fields: 'open_id,union_id,display_name,avatar_url' });
  });

  describe('answers of any size (issue 14)', () => {
    afterEach(() => {
      tiktok.displayName = 'Fake Creator';
    });

    it('stops reading an answer over 1 MiB and calls the platform unavailable', async () => {
      tiktok.displayName = 'x'.repeat(2 * 1024 * 1024);

      expect(await gateway.validate({ accessToken: tiktok.mintAccessToken(), pageId: null })).toEqual(
        unavailable('sent an answer larger than this service reads'),
      );
    });

    it('keeps at most 255 characters of a display name', async () => {
      tiktok.displayName = 'y'.repeat(10_000);

      const validated = await gateway.validate({ accessToken: tiktok.mintAccessToken(), pageId: null });

      expect(validated).toMatchObject(ok({ metadata: { display_name: 'y'.repeat(255) } }));
    });
  });

  it.each<[string, () => string, ReturnType<typeof fail>]>([
    [
      'an expired token',
      () => tiktok.mintAccessToken({ expired: true }),
      fail(
        'token_expired',
        'TikTok no longer accepts this access token: it expired or was revoked. Reconnect your account.',
      ),
    ],
    [
      'a token without user.info.basic',
      () => tiktok.mintAccessToken({ scopes: ['video.list'] }),
      fail(
        'credentials_rejected',
        'This TikTok token lacks the user.info.basic permission, which this service needs to identify the account. Reconnect and allow it.',
      ),
    ],
  ])('refuses %s', async (_name, token, expected) => {
    expect(await gateway.validate({ accessToken: token(), pageId: null })).toEqual(expected);
  });

  it.each<[string, Fault, ReturnType<typeof fail>]>([
    [
      'rate_limit_exceeded',
      tiktokApiError('rate_limit_exceeded', 429),
      unavailable('is limiting requests right now'),
    ],
    [
      'internal_error',
      tiktokApiError('internal_error', 500),
      unavailable('is not working right now (HTTP 500)'),
    ],
    [
      'an unknown error code',
      tiktokApiError('brand_new_error', 400),
      unavailable('answered with an unexpected error'),
    ],
    ['malformed JSON', { kind: 'malformed' }, unavailable('sent an answer this service could not read')],
    ['a hang', { kind: 'hang' }, unavailable(`did not answer within ${TIMEOUT_MS / 1000} seconds`)],
    [
      'a redirect, without following it',
      { kind: 'answer', response: { status: 302, location: 'http://127.0.0.1:9/elsewhere' } },
      unavailable('answered with a redirect (HTTP 302)'),
    ],
  ])('answers %s as platform_unavailable', async (_name, fault, expected) => {
    tiktok.fail('user_info', fault);
    expect(await gateway.validate({ accessToken: tiktok.mintAccessToken(), pageId: null })).toEqual(expected);
  });
});
