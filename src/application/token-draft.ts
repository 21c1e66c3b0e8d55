import type { Integration, IntegrationDraft } from '../domain/integration.js';
import type { LoginType } from '../domain/login.js';
import type { TokenPlatform } from '../domain/platform.js';
import type { Clock } from './ports/clock.js';
import type { ValidatedToken } from './ports/platform-gateway.js';
import type { SecretCipher } from './ports/secret-cipher.js';
import { sealToken } from './sealed-token.js';

/** A token the platform accepted, plus what came with it (posted by the caller or issued by an exchange). */
export interface AcceptedToken {
  readonly userId: string;
  readonly platform: TokenPlatform;
  readonly loginType: LoginType | null;
  readonly validated: ValidatedToken;
  readonly refreshToken: string | null;
  readonly scopesGranted: readonly string[];
  /** Used only when the platform cannot say when the token expires. */
  readonly fallbackExpiresAt: Date | null;
  /** No platform call reports it, so the caller's value is kept. */
  readonly businessId: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

function expiry(validated: ValidatedToken, fallback: Date | null): Date | null {
  if (validated.expiresAt === 'never') return null;
  return validated.expiresAt === 'unknown' ? fallback : validated.expiresAt;
}

/**
 * The integration to store for an accepted token, secrets sealed. A token that comes without a refresh
 * token keeps the one already stored for the same platform account: an empty value never replaces it.
 */
export async function acceptedTokenDraft(
  token: AcceptedToken,
  existing: Integration | null,
  deps: { readonly cipher: SecretCipher; readonly clock: Clock },
): Promise<IntegrationDraft> {
  const { validated } = token;
  const now = deps.clock.now();
  const sameAccount =
    existing !== null && validated.accountId !== null && existing.accountId === validated.accountId;
  const kept = sameAccount ? { sealed: existing.refreshToken, mask: existing.refreshTokenMask } : null;
  const [access, refresh] = await Promise.all([
    sealToken(deps.cipher, validated.accessToken),
    token.refreshToken === null ? kept : sealToken(deps.cipher, token.refreshToken),
  ]);
  return {
    userId: token.userId,
    platform: token.platform,
    loginType: token.loginType,
    connectionStatus: 'connected',
    statusDetail: null,
    scopesGranted: token.scopesGranted,
    accountId: validated.accountId,
    pageId: validated.pageId,
    businessId: token.businessId,
    metaUserId: validated.metaUserId ?? null,
    accessToken: access.sealed,
    accessTokenMask: access.mask,
    refreshToken: refresh?.sealed ?? null,
    refreshTokenMask: refresh?.mask ?? null,
    tokenExpiresAt: expiry(validated, token.fallbackExpiresAt),
    tokenIssuedAt: now,
    lastVerifiedAt: now,
    smtp: null,
    smtpPassword: null,
    imap: null,
    imapPassword: null,
    metadata: { ...token.metadata, ...validated.metadata },
  };
}
