import { randomBytes } from 'node:crypto';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';

/** Encrypt then decrypt a 200-byte token with the service's cipher, one after the other, for `seconds`. */
export async function fernetRoundTripsPerSecond(key: string, seconds: number): Promise<number> {
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const token = randomBytes(150).toString('base64url'); // 200 characters
  let sealed: EncryptedSecret = await cipher.seal(token);
  const started = performance.now();
  let rounds = 0;
  while (performance.now() - started < seconds * 1000) {
    sealed = await cipher.seal(token);
    if ((await cipher.open(sealed)) !== token) throw new Error('Fernet round trip changed the token');
    rounds += 1;
  }
  return rounds / ((performance.now() - started) / 1000);
}
