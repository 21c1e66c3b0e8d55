import { randomUUID } from 'node:crypto';
import type { SecretCipher } from '../../src/application/ports/secret-cipher.js';
import type { EncryptedSecret, Integration, IntegrationDraft } from '../../src/domain/integration.js';

export const uniqueUserId = () => `user-${randomUUID()}`;

const sealedForTest = (label: string) => `gAAAAA-test-${label}` as EncryptedSecret;

export function emailDraft(overrides: Partial<IntegrationDraft> = {}): IntegrationDraft {
  return {
    userId: uniqueUserId(),
    platform: 'email',
    loginType: null,
    connectionStatus: 'connected',
    statusDetail: null,
    scopesGranted: [],
    accountId: null,
    pageId: null,
    businessId: null,
    metaUserId: null,
    accessToken: null,
    refreshToken: null,
    // Like rows stored before masks were kept: listing decrypts the tokens to mask them.
    accessTokenMask: null,
    refreshTokenMask: null,
    tokenExpiresAt: null,
    tokenIssuedAt: null,
    lastVerifiedAt: new Date('2026-01-02T03:04:05.000Z'),
    smtp: { emailAddress: 'me@example.com', host: 'smtp.example.com', port: 587, username: 'me@example.com' },
    smtpPassword: sealedForTest('password'),
    imap: null,
    imapPassword: null,
    metadata: {},
    ...overrides,
  };
}

export function instagramDraft(overrides: Partial<IntegrationDraft> = {}): IntegrationDraft {
  return {
    ...emailDraft(),
    platform: 'instagram',
    loginType: 'facebook',
    scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
    accountId: '17841400000000001',
    pageId: '100000000000001',
    businessId: '200000000000001',
    accessToken: sealedForTest('access'),
    refreshToken: null,
    tokenExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
    smtp: null,
    smtpPassword: null,
    metadata: { username: 'acme.studio' },
    ...overrides,
  };
}

/** A stored integration, as a repository would return it. */
export function storedIntegration(draft: IntegrationDraft): Integration {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return { ...draft, id: randomUUID(), expiryWarnedFor: null, createdAt: at, updatedAt: at };
}

const MINUTE = 60_000;

/**
 * A TikTok integration due for renewal at `now`: its 2-hour access token has 20 minutes left. The
 * tokens (as a TikTok fake issued them) are sealed with `cipher`.
 */
export async function dueTikTokDraft(
  cipher: SecretCipher,
  tokens: { readonly openId: string; readonly accessToken: string; readonly refreshToken: string },
  now: Date,
  overrides: Partial<IntegrationDraft> = {},
): Promise<IntegrationDraft> {
  return instagramDraft({
    platform: 'tiktok',
    scopesGranted: ['user.info.basic'],
    accountId: tokens.openId,
    pageId: null,
    businessId: null,
    accessToken: await cipher.seal(tokens.accessToken),
    refreshToken: await cipher.seal(tokens.refreshToken),
    tokenIssuedAt: new Date(now.getTime() - 100 * MINUTE),
    tokenExpiresAt: new Date(now.getTime() + 20 * MINUTE),
    lastVerifiedAt: new Date(now.getTime() - 100 * MINUTE),
    metadata: {},
    ...overrides,
  });
}
