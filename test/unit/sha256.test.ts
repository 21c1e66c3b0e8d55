import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeSha256Hex } from '../../src/adapters/crypto/node-sha256.js';
import { webSha256Hex } from '../../src/application/ports/sha256.js';

describe.each([
  ['Web Crypto', webSha256Hex],
  ['node:crypto', nodeSha256Hex],
])('SHA-256 hex on %s', (_name, sha256Hex) => {
  it('gives the FIPS 180-2 digest of "abc"', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each(['', 'Hello there', 'Grüße, 你好 👋', JSON.stringify(['u1', null, { text: '\ud800' }])])(
    'hashes the UTF-8 bytes of %j',
    async (text) => {
      expect(await sha256Hex(text)).toBe(
        createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
      );
    },
  );
});
