import type { EncryptedSecret } from '../../domain/integration.js';

/** Seals secrets for storage. `open` throws `InvalidToken` for anything it cannot authenticate. */
export interface SecretCipher {
  seal(plaintext: string): Promise<EncryptedSecret>;
  open(sealed: EncryptedSecret): Promise<string>;
  /** Whether the key `seal` uses (the newest) sealed it; false for an older key or anything unreadable. */
  isCurrent(sealed: EncryptedSecret): Promise<boolean>;
  /** The same secret sealed with the newest key, keeping its timestamp; throws `InvalidToken` when no key opens it. */
  reseal(sealed: EncryptedSecret): Promise<EncryptedSecret>;
}

/** The one error for every token that cannot be opened: it never says which check failed. */
export class InvalidToken extends Error {
  constructor() {
    super('Invalid token');
    this.name = 'InvalidToken';
  }
}
