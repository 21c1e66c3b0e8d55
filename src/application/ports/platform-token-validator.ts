import type { TokenPlatform } from '../../domain/platform.js';
import type { Result } from '../../domain/result.js';

export interface TokenCredentials {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly pageId: string | null;
}

/** What the platform itself says about a token; it overrides whatever the caller claimed. */
export interface ValidatedToken {
  readonly scopesGranted: readonly string[];
  readonly tokenExpiresAt: Date | null;
  readonly accountId: string | null;
  readonly pageId: string | null;
  readonly businessId: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Checks a token with its platform. A token the platform refuses is a `credentials_rejected` failure;
 * the platform being down or rate-limiting is `platform_unavailable`.
 */
export interface PlatformTokenValidator {
  validate(platform: TokenPlatform, credentials: TokenCredentials): Promise<Result<ValidatedToken>>;
}
