import { defaultLogin } from '../../domain/login.js';
import { PLATFORM_NAMES, type Platform, type TokenPlatform } from '../../domain/platform.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import { stateHash } from '../oauth-secrets.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { OAuthStateStore, OAuthTransaction } from '../ports/oauth-state-store.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { tokenConnectorOf } from '../token-connector.js';
import { acceptedTokenDraft } from '../token-draft.js';
import { type SavedIntegration, storeConnection } from './save-integration.js';
import { EMAIL_HAS_NO_OAUTH } from './start-oauth.js';

export interface CompleteOAuthDeps {
  readonly repository: IntegrationRepository;
  readonly gateways: PlatformGateways;
  readonly oauthStates: OAuthStateStore;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly announcements: IntegrationAnnouncements;
}

/** What the platform sent back to the redirect URI, relayed by the frontend. */
export interface OAuthCallback {
  readonly code: string;
  readonly state: string;
  readonly redirectUri: string;
}

// One sentence for unknown, used and other users' states, so a state reveals nothing about its owner.
const UNKNOWN_STATE = fail<never>(
  'invalid_state',
  'This sign-in is unknown or was already used. Start connecting again.',
);

function checkTransaction(
  transaction: OAuthTransaction | null,
  userId: string,
  platform: TokenPlatform,
  callback: OAuthCallback,
  now: Date,
): Result<OAuthTransaction> {
  if (transaction === null || transaction.userId !== userId) return UNKNOWN_STATE;
  if (transaction.expiresAt.getTime() <= now.getTime()) {
    return fail(
      'invalid_state',
      'This sign-in expired: it must be completed within 10 minutes. Start again.',
    );
  }
  if (transaction.platform !== platform) {
    return fail(
      'state_platform_mismatch',
      `This sign-in was started for ${PLATFORM_NAMES[transaction.platform]}, not ${PLATFORM_NAMES[platform]}. Start connecting again.`,
    );
  }
  if (transaction.redirectUri !== callback.redirectUri) {
    return fail(
      'invalid_state',
      'redirect_uri differs from the one this sign-in was started with. Start connecting again.',
    );
  }
  return ok(transaction);
}

/**
 * Finishes a sign-in. The state is taken out of the store first (so it can never be used twice, even by
 * concurrent callbacks) and checked before anything reaches the platform; then the code is exchanged once,
 * the token validated, sealed and saved (its account's messages subscribed meanwhile), and the masked
 * integration returned.
 */
export function completeOAuth(deps: CompleteOAuthDeps) {
  return async (
    userId: string,
    platform: Platform,
    callback: OAuthCallback,
  ): Promise<Result<SavedIntegration>> => {
    if (platform === 'email') return EMAIL_HAS_NO_OAUTH;
    const taken = await deps.oauthStates.take(await stateHash(callback.state));
    const checked = checkTransaction(taken, userId, platform, callback, deps.clock.now());
    if (!checked.ok) return checked;
    const transaction = checked.value;

    const gateway = deps.gateways[tokenConnectorOf(transaction)];
    const issued = await gateway.exchangeCode({
      code: callback.code,
      redirectUri: transaction.redirectUri,
      codeVerifier:
        transaction.codeVerifier === null ? null : await deps.cipher.open(transaction.codeVerifier),
    });
    if (!issued.ok) return issued;
    const [validated, existing] = await Promise.all([
      gateway.validate({ accessToken: issued.value.accessToken, pageId: null }),
      deps.repository.find(userId, platform),
    ]);
    if (!validated.ok) return validated;

    const draft = await acceptedTokenDraft(
      {
        userId,
        platform,
        loginType: transaction.loginType ?? defaultLogin(platform),
        validated: validated.value,
        refreshToken: issued.value.refreshToken,
        scopesGranted: issued.value.scopesGranted ?? validated.value.scopesGranted,
        fallbackExpiresAt: issued.value.expiresAt,
        businessId: null,
        metadata: issued.value.metadata,
      },
      existing,
      deps,
    );
    return ok(await storeConnection({ draft, validated: validated.value, gateway }, deps));
  };
}
