import type { EncryptedSecret, Integration } from '../domain/integration.js';
import { effectiveStatus } from '../domain/integration.js';
import { maskPassword, maskToken, TOKEN_MASK } from '../domain/masking.js';
import { InvalidToken, type SecretCipher } from './ports/secret-cipher.js';

/** An integration as callers see it: statuses as of now, secrets masked. */
export interface IntegrationView extends Omit<Integration, 'accessToken' | 'refreshToken' | 'smtpPassword'> {
  readonly accessToken: string | null;
  readonly refreshToken: string | null;
  readonly smtpPassword: string | null;
}

export const UNREADABLE_CREDENTIALS =
  'The stored credentials cannot be read with the configured encryption key. Reconnect this account.';

async function openOrNull(cipher: SecretCipher, sealed: EncryptedSecret | null): Promise<string | null> {
  return sealed === null ? null : cipher.open(sealed);
}

/** Masks an integration's secrets; one that cannot be decrypted is shown as an error, not thrown. */
export async function presentIntegration(
  integration: Integration,
  cipher: SecretCipher,
  now: Date,
): Promise<IntegrationView> {
  const base = {
    ...integration,
    connectionStatus: effectiveStatus(integration, now),
    smtpPassword: maskPassword(integration.smtpPassword),
  };
  try {
    const [accessToken, refreshToken] = await Promise.all([
      openOrNull(cipher, integration.accessToken),
      openOrNull(cipher, integration.refreshToken),
    ]);
    return { ...base, accessToken: maskToken(accessToken), refreshToken: maskToken(refreshToken) };
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
