import { beforeEach, describe, expect, it } from 'vitest';
import { stateHash } from '../../../src/application/oauth-secrets.js';
import { startOAuth } from '../../../src/application/use-cases/start-oauth.js';
import { OAUTH_STATE_TTL_MS } from '../../../src/domain/oauth.js';
import { uniqueUserId } from '../../support/integration-builders.js';
import { REDIRECT_URI, type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('startOAuth', () => {
  let ports: UnitPorts;
  let start: ReturnType<typeof startOAuth>;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    start = startOAuth(ports);
  });

  const stateOf = (authorizationUrl: string) => new URL(authorizationUrl).searchParams.get('state') ?? '';

  it('stores the state hashed, bound to user, platform and redirect URI, for ten minutes', async () => {
    const started = await start(userId, 'instagram', REDIRECT_URI);
    if (!started.ok) throw new Error(started.failure.detail);

    const state = stateOf(started.value.authorizationUrl);
    const expiresAt = new Date(ports.clock.now().getTime() + OAUTH_STATE_TTL_MS);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.value.expiresAt).toEqual(expiresAt);
    expect([...ports.oauthStates.byStateHash.values()]).toEqual([
      {
        stateHash: await stateHash(state),
        userId,
        platform: 'instagram',
        loginType: 'facebook',
        redirectUri: REDIRECT_URI,
        codeVerifier: null,
        createdAt: ports.clock.now(),
        expiresAt,
      },
    ]);
  });

  it('keeps a sealed PKCE verifier for TikTok, and a fresh state for every start', async () => {
    const first = await start(userId, 'tiktok', REDIRECT_URI);
    const second = await start(userId, 'tiktok', REDIRECT_URI);
    if (!first.ok || !second.ok) throw new Error('both starts should succeed');

    expect(stateOf(first.value.authorizationUrl)).not.toBe(stateOf(second.value.authorizationUrl));
    const stored = ports.oauthStates.byStateHash.get(await stateHash(stateOf(first.value.authorizationUrl)));
    if (!stored?.codeVerifier) throw new Error('TikTok needs a PKCE verifier');
    expect(await ports.cipher.open(stored.codeVerifier)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a redirect URI that is not exactly one configured, storing nothing', async () => {
    expect(await start(userId, 'instagram', `${REDIRECT_URI}/`)).toMatchObject({
      ok: false,
      failure: { code: 'redirect_uri_not_allowed' },
    });
    expect(ports.oauthStates.byStateHash.size).toBe(0);
  });

  it('says so when no redirect URI is configured at all', async () => {
    const refused = await startOAuth({ ...ports, oauthRedirectUris: [] })(userId, 'facebook', REDIRECT_URI);

    expect(refused).toMatchObject({
      ok: false,
      failure: { detail: expect.stringContaining('OAUTH_REDIRECT_URIS') },
    });
  });

  it('has no sign-in for email', async () => {
    expect(await start(userId, 'email', REDIRECT_URI)).toMatchObject({
      ok: false,
      failure: { code: 'oauth_not_supported' },
    });
  });
});
