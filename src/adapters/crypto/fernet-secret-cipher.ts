import { InvalidToken, type SecretCipher } from '../../application/ports/secret-cipher.js';
import type { EncryptedSecret } from '../../domain/integration.js';
import {
  decrypt,
  encrypt,
  type FernetKey,
  type FernetKeyMaker,
  parseFernetKey,
  rotate,
  webCryptoFernetKey,
} from './fernet.js';

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF, as Python's bytes.decode() does; fatal rejects invalid UTF-8.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Seals secrets as Fernet tokens readable by Python's `cryptography` (`MultiFernet` with the same keys). */
export class FernetSecretCipher implements SecretCipher {
  private constructor(
    private readonly primary: FernetKey,
    private readonly keys: readonly FernetKey[],
  ) {}

  /**
   * Builds the cipher from a comma-separated keyring, newest first: the first key seals, every key
   * opens (so old keys stay readable during rotation). Throws an `Error` naming the position of a bad
   * key, never its text. The keys work on Web Crypto unless `makeKey` says otherwise.
   */
  static async fromKeyList(
    commaSeparated: string,
    makeKey: FernetKeyMaker = webCryptoFernetKey,
  ): Promise<FernetSecretCipher> {
    if (commaSeparated.trim() === '') throw new Error('Fernet key list is empty');
    const keys: FernetKey[] = [];
    for (const [index, entry] of commaSeparated.split(',').entries()) {
      const which = `${ordinal(index + 1)} Fernet key`;
      if (entry.trim() === '') {
        throw new Error(`${which} is empty: expected a comma-separated list of Fernet keys, newest first`);
      }
      try {
        keys.push(await parseFernetKey(entry, makeKey));
      } catch (error) {
        throw new Error(`${which} is invalid: ${(error as Error).message}`, { cause: error });
      }
    }
    const [primary] = keys;
    if (primary === undefined) throw new Error('Fernet key list is empty');
    return new FernetSecretCipher(primary, keys);
  }

  async seal(plaintext: string): Promise<EncryptedSecret> {
    return (await encrypt(this.primary, utf8Encoder.encode(plaintext))) as EncryptedSecret;
  }

  async isCurrent(sealed: EncryptedSecret): Promise<boolean> {
    try {
      await decrypt([this.primary], sealed);
      return true;
    } catch (error) {
      if (error instanceof InvalidToken) return false;
      throw error;
    }
  }

  /** MultiFernet.rotate: any key of the keyring may have sealed it. */
  async reseal(sealed: EncryptedSecret): Promise<EncryptedSecret> {
    return (await rotate(this.keys, sealed)) as EncryptedSecret;
  }

  /** Opens with any key of the keyring; stored secrets have no ttl. Throws `InvalidToken` for anything else. */
  async open(sealed: EncryptedSecret): Promise<string> {
    const bytes = await decrypt(this.keys, sealed);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw new InvalidToken();
    }
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
