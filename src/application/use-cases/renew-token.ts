import type { Integration } from '../../domain/integration.js';
import { isTokenPlatform, PLATFORM_NAMES } from '../../domain/platform.js';
import type { Renewal } from '../../domain/refresh-policy.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { LifecycleChanges } from '../../domain/settlement.js';
import { withStoredSecrets } from '../credential-check.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { sealToken } from '../sealed-token.js';
import { tokenConnectorOf } from '../token-connector.js';

export interface RenewTokenDeps {
  readonly cipher: SecretCipher;
  readonly gateways: PlatformGateways;
}

// An empty or blank token is no token: it must never replace a stored one.
const present = (text: string | null): text is string => text !== null && text.trim() !== '';

async function renew(
  integration: Integration,
  renewal: Renewal,
  { cipher, gateways }: RenewTokenDeps,
  now: Date,
): Promise<Result<LifecycleChanges>> {
  const { platform } = integration;
  const sealed = integration[renewal.secret];
  if (!isTokenPlatform(platform) || sealed === null) {
    throw new Error(`The refresh policy chose a renewal that ${platform} cannot do`);
  }
  const issued = await gateways[tokenConnectorOf(integration)].refresh(await cipher.open(sealed));
  if (!issued.ok) return issued;
  const { accessToken, refreshToken, expiresAt, scopesGranted, metadata } = issued.value;
  if (!present(accessToken)) {
    return fail(
      'platform_unavailable',
      `${PLATFORM_NAMES[platform]} renewed the token but sent no new one. Nothing was changed; try again later.`,
    );
  }
  const [access, refresh] = await Promise.all([
    sealToken(cipher, accessToken),
    present(refreshToken) ? sealToken(cipher, refreshToken) : null,
  ]);
  return ok({
    accessToken: access.sealed,
    accessTokenMask: access.mask,
    // An answer without a refresh token keeps the stored one: an empty value never replaces it.
    ...(refresh === null ? {} : { refreshToken: refresh.sealed, refreshTokenMask: refresh.mask }),
    // The old expiry belonged to the old token; a new one the platform did not date is unknown.
    tokenExpiresAt: expiresAt,
    tokenIssuedAt: now,
    lastVerifiedAt: now,
    connectionStatus: 'connected',
    statusDetail: null,
    ...(scopesGranted === null || scopesGranted.length === 0 ? {} : { scopesGranted }),
    metadata: { ...integration.metadata, ...metadata },
  });
}

/**
 * Renews an integration's token with its platform, as its refresh rule says (TikTok's refresh grant with
 * the refresh token, Meta's exchange of the current token), and returns what to store: the new tokens
 * sealed with their masks, their expiry, and the status `connected`. A stored secret no configured key
 * opens is `credentials_unreadable`; the platform's refusals come back as the gateway sorted them.
 */
export function renewToken(deps: RenewTokenDeps) {
  return (integration: Integration, renewal: Renewal, now: Date): Promise<Result<LifecycleChanges>> =>
    withStoredSecrets(() => renew(integration, renewal, deps, now));
}

export type RenewToken = ReturnType<typeof renewToken>;
