import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { Bytes, FernetKeyMaker } from './fernet.js';

// A copy into its own ArrayBuffer: small Buffers are views of a shared pool.
const asBytes = (buffer: Buffer): Bytes => new Uint8Array(buffer);

/**
 * Fernet's primitives on node:crypto: the same HMAC-SHA256 and AES-128-CBC (OpenSSL checks every PKCS7
 * pad byte, as Web Crypto does), computed at once instead of as Web Crypto jobs queued to the thread pool.
 */
export const nodeFernetKey: FernetKeyMaker = async (signing, encryption) => {
  const signingKey = createSecretKey(signing);
  const encryptionKey = createSecretKey(encryption);
  const hmac = (data: Bytes) => createHmac('sha256', signingKey).update(data).digest();
  return {
    sign: async (data) => asBytes(hmac(data)),
    verify: async (mac, data) => {
      const expected = hmac(data);
      return mac.byteLength === expected.byteLength && timingSafeEqual(mac, expected);
    },
    encrypt: async (iv, plaintext) => {
      const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
      return asBytes(Buffer.concat([cipher.update(plaintext), cipher.final()]));
    },
    decrypt: async (iv, ciphertext) => {
      try {
        const decipher = createDecipheriv('aes-128-cbc', encryptionKey, iv);
        return asBytes(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
      } catch {
        return undefined;
      }
    },
  };
};
