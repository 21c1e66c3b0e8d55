import type { EncryptedSecret } from '../domain/integration.js';
import { maskToken } from '../domain/masking.js';
import type { SecretCipher } from './ports/secret-cipher.js';

/** A token sealed for storage, with what it shows as, taken while the plaintext is at hand. */
export interface SealedToken {
  readonly sealed: EncryptedSecret;
  readonly mask: string;
}

export async function sealToken(cipher: SecretCipher, token: string): Promise<SealedToken> {
  return { sealed: await cipher.seal(token), mask: maskToken(token) };
}
