import { beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import { renewToken } from '../../../src/application/use-cases/renew-token.js';
import type { EncryptedSecret } from '../../../src/domain/integration.js';
import { maskToken } from '../../../src/domain/masking.js';
import { REFRESH_RULES } from '../../../src/domain/refresh-policy.js';
import { fail, ok } from '../../../src/domain/result.js';
import { ScriptedGateway } from '../../support/fakes.js';
import { dueTikTokDraft, storedIntegration } from '../../support/integration-builders.js';

const now = new Date('2026-11-23T12:00:00.000Z');
const renewal = REFRESH_RULES.tiktok.renewal;
const tokens = { openId: 'open-1', accessToken: 'act.old-access-0001', refreshToken: 'rft.old-refresh-0001' };

let cipher: FernetSecretCipher;
beforeAll(async () => {
  cipher = await FernetSecretCipher.fromKeyList(generateFernetKey());
});

const issued = (overrides = {}) => ({
  accessToken: 'act.new-access-0002',
  refreshToken: 'rft.new-refresh-0002',
  scopesGranted: ['user.info.basic'],
  expiresAt: new Date(now.getTime() + 86_400_000),
  metadata: { display_name: 'New Name' },
  ...overrides,
});

const open = (sealed: EncryptedSecret | null | undefined) => (sealed == null ? null : cipher.open(sealed));

async function renewWith(gateway: ScriptedGateway, integrationCipher = cipher) {
  const integration = storedIntegration(await dueTikTokDraft(integrationCipher, tokens, now));
  const renewed = await renewToken({ cipher, gateways: gateway.asGateways() })(integration, renewal, now);
  return { integration, renewed };
}

describe('renewToken', () => {
  it('renews with the stored refresh token and returns the new tokens sealed, with their masks', async () => {
    const gateway = new ScriptedGateway();
    gateway.nextRefresh = ok(issued());

    const { renewed } = await renewWith(gateway);

    expect(gateway.refreshes).toEqual([tokens.refreshToken]);
    if (!renewed.ok) throw new Error(renewed.failure.detail);
    const { accessToken, refreshToken, ...rest } = renewed.value;
    expect(await open(accessToken)).toBe('act.new-access-0002');
    expect(await open(refreshToken)).toBe('rft.new-refresh-0002');
    expect(rest).toEqual({
      accessTokenMask: maskToken('act.new-access-0002'),
      refreshTokenMask: maskToken('rft.new-refresh-0002'),
      tokenExpiresAt: issued().expiresAt,
      tokenIssuedAt: now,
      lastVerifiedAt: now,
      connectionStatus: 'connected',
      statusDetail: null,
      scopesGranted: ['user.info.basic'],
      metadata: { display_name: 'New Name' },
    });
  });

  it('keeps the stored refresh token and scopes when the answer carries none', async () => {
    const gateway = new ScriptedGateway();
    gateway.nextRefresh = ok(issued({ refreshToken: '  ', scopesGranted: null }));

    const { renewed } = await renewWith(gateway);

    if (!renewed.ok) throw new Error(renewed.failure.detail);
    expect(Object.keys(renewed.value)).not.toContain('refreshToken');
    expect(Object.keys(renewed.value)).not.toContain('scopesGranted');
  });

  it('changes nothing when the platform renewed but sent no new token', async () => {
    const gateway = new ScriptedGateway();
    gateway.nextRefresh = ok(issued({ accessToken: '' }));

    expect((await renewWith(gateway)).renewed).toEqual(
      fail(
        'platform_unavailable',
        'TikTok renewed the token but sent no new one. Nothing was changed; try again later.',
      ),
    );
  });

  it('passes the platform’s refusal on as it came', async () => {
    const gateway = new ScriptedGateway();
    gateway.nextRefresh = fail('token_revoked', 'TikTok says the refresh token was revoked.');

    expect((await renewWith(gateway)).renewed).toEqual(
      fail('token_revoked', 'TikTok says the refresh token was revoked.'),
    );
  });

  it('is credentials_unreadable, without calling the platform, when no configured key opens the secret', async () => {
    const gateway = new ScriptedGateway();
    const otherKey = await FernetSecretCipher.fromKeyList(generateFernetKey());

    const { renewed } = await renewWith(gateway, otherKey);

    expect(renewed.ok ? null : renewed.failure.code).toBe('credentials_unreadable');
    expect(gateway.refreshes).toEqual([]);
  });
});
