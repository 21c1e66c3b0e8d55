import type { EncryptedSecret } from '../../domain/integration.js';

/** Seals secrets for storage. `open` throws `InvalidToken` for anything it cannot authenticate. */
export interface SecretCipher {
  seal(plaintext: string): Promise<EncryptedSecret>;
  open(sealed: EncryptedSecret): Promise<string>;
}

/** The one error for every token that cannot be opened: it never says which check failed. */
export class InvalidToken extends Error {
  constructor() {
    super('Invalid token');
    this.name = 'InvalidToken';
  }
}
