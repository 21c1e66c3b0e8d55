import { connectorOf, defaultLogin, type LoginType, offersLogin } from '../../domain/login.js';
import { OAUTH_RULES, OAUTH_STATE_TTL_MS } from '../../domain/oauth.js';
import { PLATFORM_NAMES, type Platform } from '../../domain/platform.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { randomSecret, s256Challenge, stateHash } from '../oauth-secrets.js';
import type { Clock } from '../ports/clock.js';
import type { OAuthStateStore } from '../ports/oauth-state-store.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

export interface StartOAuthDeps {
  readonly gateways: PlatformGateways;
  readonly oauthStates: OAuthStateStore;
  readonly oauthRedirectUris: readonly string[];
  readonly cipher: SecretCipher;
  readonly clock: Clock;
}

export interface StartedOAuth {
  readonly authorizationUrl: string;
  readonly expiresAt: Date;
}

export const EMAIL_HAS_NO_OAUTH = fail<never>(
  'oauth_not_supported',
  'Email has no OAuth sign-in: connect it by posting its SMTP settings to /api/integrations.',
);

function redirectRefusal(allowed: readonly string[]) {
  return fail<never>(
    'redirect_uri_not_allowed',
    allowed.length === 0
      ? 'No OAuth redirect URIs are configured on this server: set OAUTH_REDIRECT_URIS.'
      : 'redirect_uri must be exactly one of the redirect URIs configured in OAUTH_REDIRECT_URIS.',
  );
}

/**
 * Starts a sign-in: checks the redirect URI against the exact allowlist, then stores a fresh random state
 * (hashed) bound to the user, platform, redirect URI and PKCE verifier for ten minutes, and answers with
 * the platform's consent URL.
 */
export function startOAuth(deps: StartOAuthDeps) {
  return async (
    userId: string,
    platform: Platform,
    redirectUri: string,
    login: LoginType | null = null,
  ): Promise<Result<StartedOAuth>> => {
    if (platform === 'email') return EMAIL_HAS_NO_OAUTH;
    if (login !== null && !offersLogin(platform, login)) {
      return fail(
        'invalid_request',
        `login=${login} is not a way to connect ${PLATFORM_NAMES[platform]}: leave login out.`,
      );
    }
    const loginType = login ?? defaultLogin(platform);
    const connector = connectorOf({ platform, loginType });
    if (connector === 'email') return EMAIL_HAS_NO_OAUTH;
    const rule = OAUTH_RULES[connector];
    const state = randomSecret();
    const verifier = rule.pkce ? randomSecret() : null;
    const url = deps.gateways[connector].authorizationUrl({
      state,
      redirectUri,
      scopes: rule.scopes,
      codeChallenge: verifier === null ? null : await s256Challenge(verifier),
    });
    if (!url.ok) return url;
    if (!deps.oauthRedirectUris.includes(redirectUri)) return redirectRefusal(deps.oauthRedirectUris);

    const createdAt = deps.clock.now();
    const expiresAt = new Date(createdAt.getTime() + OAUTH_STATE_TTL_MS);
    await deps.oauthStates.save({
      stateHash: await stateHash(state),
      userId,
      platform,
      loginType,
      redirectUri,
      codeVerifier: verifier === null ? null : await deps.cipher.seal(verifier),
      createdAt,
      expiresAt,
    });
    return ok({ authorizationUrl: url.value, expiresAt });
  };
}
