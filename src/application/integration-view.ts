import type { EncryptedSecret, Integration } from '../domain/integration.js';
import { effectiveStatus } from '../domain/integration.js';
import { maskPassword, maskToken, TOKEN_MASK } from '../domain/masking.js';
import { InvalidToken, type SecretCipher } from './ports/secret-cipher.js';

/** An integration as callers see it: statuses as of now, secrets masked. */
export interface IntegrationView
  extends Omit<
    Integration,
    'accessToken' | 'refreshToken' | 'smtpPassword' | 'imapPassword' | 'accessTokenMask' | 'refreshTokenMask'
  > {
  readonly accessToken: string | null;
  readonly refreshToken: string | null;
  readonly smtpPassword: string | null;
  readonly imapPassword: string | null;
}

export const UNREADABLE_CREDENTIALS =
  'The stored credentials cannot be read with the configured encryption key. Reconnect this account.';

/** The token's stored mask; rows stored before masks were kept are decrypted to make it. */
async function tokenMask(
  cipher: SecretCipher,
  sealed: EncryptedSecret | null,
  stored: string | null,
): Promise<string | null> {
  if (sealed === null) return null;
  return stored ?? maskToken(await cipher.open(sealed));
}

/**
 * Masks an integration's secrets from the masks stored with them, without decrypting. Only a row stored
 * before masks were kept is decrypted; one that cannot be is shown as an error, not thrown.
 */
export async function presentIntegration(
  integration: Integration,
  cipher: SecretCipher,
  now: Date,
): Promise<IntegrationView> {
  const { accessTokenMask, refreshTokenMask, ...shown } = integration;
  const base = {
    ...shown,
    connectionStatus: effectiveStatus(integration, now),
    smtpPassword: maskPassword(integration.smtpPassword),
    imapPassword: maskPassword(integration.imapPassword),
  };
  try {
    const [accessToken, refreshToken] = await Promise.all([
      tokenMask(cipher, integration.accessToken, accessTokenMask),
      tokenMask(cipher, integration.refreshToken, refreshTokenMask),
    ]);
    return { ...base, accessToken, refreshToken };
  } catch (error) {
    if (!(error instanceof InvalidToken)) throw error;
    return {
      ...base,
      connectionStatus: 'error',
      statusDetail: UNREADABLE_CREDENTIALS,
      accessToken: integration.accessToken === null ? null : TOKEN_MASK,
      refreshToken: integration.refreshToken === null ? null : TOKEN_MASK,
    };
  }
}
