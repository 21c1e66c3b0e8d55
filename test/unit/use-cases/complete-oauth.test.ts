import { beforeEach, describe, expect, it } from 'vitest';
import type { CodeGrant, IssuedToken } from '../../../src/application/ports/platform-gateway.js';
import { completeOAuth } from '../../../src/application/use-cases/complete-oauth.js';
import { startOAuth } from '../../../src/application/use-cases/start-oauth.js';
import { OAUTH_STATE_TTL_MS } from '../../../src/domain/oauth.js';
import type { TokenPlatform } from '../../../src/domain/platform.js';
import { fail, ok, type Result } from '../../../src/domain/result.js';
import { ScriptedGateway } from '../../support/fakes.js';
import { uniqueUserId } from '../../support/integration-builders.js';
import { REDIRECT_URI, type UnitPorts, unitPorts } from '../../support/unit-ports.js';

/** A scripted gateway that also exchanges codes, remembering each grant. */
class ExchangingGateway extends ScriptedGateway {
  readonly grants: CodeGrant[] = [];
  nextExchange: Result<IssuedToken> = ok({
    accessToken: 'act.issued-by-the-exchange-e81f',
    refreshToken: 'rft.issued-by-the-exchange-93aa',
    scopesGranted: ['user.info.basic'],
    expiresAt: new Date('2026-03-02T12:00:00.000Z'),
    metadata: { exchanged: true },
  });

  // Optional only to fit the base class, whose exchange ignores its grant; the use case always passes one.
  override async exchangeCode(grant?: CodeGrant): Promise<Result<IssuedToken>> {
    if (grant !== undefined) this.grants.push(grant);
    return this.nextExchange;
  }
}

describe('completeOAuth', () => {
  let ports: UnitPorts;
  let gateway: ExchangingGateway;
  let complete: ReturnType<typeof completeOAuth>;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    gateway = new ExchangingGateway();
    ports = { ...ports, gateways: gateway.asGateways() };
    complete = completeOAuth(ports);
  });

  /** Starts a sign-in as `userId` and answers with the state the platform would send back. */
  const started = async (platform: TokenPlatform = 'tiktok') => {
    const result = await startOAuth(ports)(userId, platform, REDIRECT_URI);
    if (!result.ok) throw new Error(result.failure.detail);
    return new URL(result.value.authorizationUrl).searchParams.get('state') ?? '';
  };
  const callback = (state: string) => ({ code: 'code-from-the-platform', state, redirectUri: REDIRECT_URI });

  it('exchanges the code once with the PKCE verifier, then stores the validated token sealed', async () => {
    const state = await started();
    const [transaction] = [...ports.oauthStates.byStateHash.values()];
    if (!transaction?.codeVerifier) throw new Error('TikTok sign-ins keep a PKCE verifier');
    const verifier = await ports.cipher.open(transaction.codeVerifier);

    const saved = await complete(userId, 'tiktok', callback(state));

    expect(gateway.grants).toEqual([
      { code: 'code-from-the-platform', redirectUri: REDIRECT_URI, codeVerifier: verifier },
    ]);
    expect(gateway.validations).toEqual([{ accessToken: 'act.issued-by-the-exchange-e81f', pageId: null }]);
    expect(saved).toMatchObject({
      ok: true,
      value: {
        created: true,
        integration: {
          connectionStatus: 'connected',
          scopesGranted: ['user.info.basic'],
          accessToken: '****e81f',
          refreshToken: '****93aa',
          metadata: { exchanged: true, username: 'acme.studio' },
        },
      },
    });
    const stored = await ports.repository.find(userId, 'tiktok');
    expect(stored?.refreshToken && (await ports.cipher.open(stored.refreshToken))).toBe(
      'rft.issued-by-the-exchange-93aa',
    );
  });

  it('accepts each state once: a second callback with it is refused before the platform is asked', async () => {
    const state = await started();
    await complete(userId, 'tiktok', callback(state));

    expect(await complete(userId, 'tiktok', callback(state))).toMatchObject({
      ok: false,
      failure: { code: 'invalid_state' },
    });
    expect(gateway.grants).toHaveLength(1);
  });

  it("answers another user's state as unknown, and it is spent", async () => {
    const state = await started();

    expect(await complete(uniqueUserId(), 'tiktok', callback(state))).toMatchObject({
      ok: false,
      failure: { code: 'invalid_state' },
    });
    expect(await complete(userId, 'tiktok', callback(state))).toMatchObject({ ok: false });
    expect(gateway.grants).toEqual([]);
  });

  it('refuses a sign-in completed after ten minutes', async () => {
    const state = await started();
    ports.clock.advance(OAUTH_STATE_TTL_MS);

    expect(await complete(userId, 'tiktok', callback(state))).toMatchObject({
      ok: false,
      failure: { code: 'invalid_state', detail: expect.stringContaining('expired') },
    });
  });

  it('refuses a state started for another platform, or returning to another redirect URI', async () => {
    const forInstagram = await started('instagram');
    const elsewhere = await started('instagram');

    expect(await complete(userId, 'facebook', callback(forInstagram))).toMatchObject({
      ok: false,
      failure: { code: 'state_platform_mismatch' },
    });
    expect(
      await complete(userId, 'instagram', { ...callback(elsewhere), redirectUri: 'https://evil.example/cb' }),
    ).toMatchObject({ ok: false, failure: { code: 'invalid_state' } });
    expect(gateway.grants).toEqual([]);
  });

  it('stores nothing when the platform refuses the code', async () => {
    const state = await started();
    gateway.nextExchange = fail('authorization_code_rejected', 'TikTok refused this sign-in code.');

    expect(await complete(userId, 'tiktok', callback(state))).toEqual(
      fail('authorization_code_rejected', 'TikTok refused this sign-in code.'),
    );
    expect(await ports.repository.find(userId, 'tiktok')).toBeNull();
  });

  it('has no sign-in for email', async () => {
    expect(await complete(userId, 'email', callback('any'))).toMatchObject({
      ok: false,
      failure: { code: 'oauth_not_supported' },
    });
  });
});
