import { describe, expect, it } from 'vitest';
import {
  decrypt,
  encrypt,
  encryptAt,
  type FernetKeyMaker,
  generateFernetKey,
  parseFernetKey,
  rotate,
  webCryptoFernetKey,
} from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { nodeFernetKey } from '../../src/adapters/crypto/node-fernet-key.js';
import { InvalidToken } from '../../src/application/ports/secret-cipher.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { readFernetFixture } from '../support/fernet-fixtures.js';

interface SpecCase {
  readonly desc?: string;
  readonly token: string;
  readonly now: string;
  readonly secret: string;
  readonly src?: string;
  readonly iv?: number[];
  readonly ttl_sec?: number;
}

interface Interop {
  readonly keys: { name: string; key: string; signing_key_hex: string; encryption_key_hex: string }[];
  readonly cases: {
    id: string;
    key: string;
    plaintext_b64: string;
    token: string;
    timestamp: number;
    iv_hex: string;
  }[];
  readonly multifernet: {
    keys: { A_old: string; B_new: string; C_unrelated: string };
    multifernet_keys: string[];
    plaintext: string;
    token_by_A: string;
    rotated_token: string;
    rotated_checks: { fails_decrypt_at_time: { ttl_sec: number; now: number } };
    token_by_multifernet_encrypt: string;
    token_by_C: string;
  };
  readonly must_fail: { desc: string; keys: string[]; token: string; ttl_sec?: number; now?: number }[];
  readonly ttl_ok: {
    desc: string;
    key: string;
    token: string;
    ttl_sec: number | null;
    now: number | null;
    plaintext_b64: string;
  }[];
  readonly python_quirks: {
    desc: string;
    key: string;
    token?: string;
    python_accepts?: boolean;
    python_accepts_key?: boolean;
  }[];
}

const [generateCase] = readFernetFixture<SpecCase[]>('spec/generate.json');
const [verifyCase] = readFernetFixture<SpecCase[]>('spec/verify.json');
const invalidCases = readFernetFixture<SpecCase[]>('spec/invalid.json');
const interop = readFernetFixture<Interop>('python-interop.json');
const mf = interop.multifernet;

const utf8 = (text: string) => new TextEncoder().encode(text);
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const unixSeconds = (rfc3339: string) => Math.floor(Date.parse(rfc3339) / 1000);

/** Timestamp and IV read straight out of a token, so re-encryption can be compared byte for byte. */
function tokenFields(token: string): { timestamp: number; iv: Uint8Array } {
  const raw = Buffer.from(token, 'base64url');
  return { timestamp: Number(raw.readBigUInt64BE(1)), iv: new Uint8Array(raw.subarray(9, 25)) };
}

// Every case holds for both implementations of Fernet's primitives: Web Crypto (every runtime) and
// node:crypto (Node).
describe.each<[string, FernetKeyMaker]>([
  ['Web Crypto', webCryptoFernetKey],
  ['node:crypto', nodeFernetKey],
])('Fernet on %s', (_name, makeKey) => {
  const keysOf = (texts: readonly string[]) =>
    Promise.all(texts.map((text) => parseFernetKey(text, makeKey)));

  describe('Fernet spec vectors', () => {
    it('generate.json: encrypts byte-exact', async () => {
      if (!generateCase?.src || !generateCase.iv) throw new Error('generate.json has no case');
      const key = await parseFernetKey(generateCase.secret, makeKey);
      const token = await encryptAt(
        key,
        utf8(generateCase.src),
        unixSeconds(generateCase.now),
        new Uint8Array(generateCase.iv),
      );
      expect(unixSeconds(generateCase.now)).toBe(499162800);
      expect(token).toBe(generateCase.token);
    });

    it('verify.json: decrypts within the ttl', async () => {
      if (!verifyCase?.src) throw new Error('verify.json has no case');
      const plaintext = await decrypt([await parseFernetKey(verifyCase.secret, makeKey)], verifyCase.token, {
        ttlSeconds: verifyCase.ttl_sec ?? 0,
        nowSeconds: unixSeconds(verifyCase.now),
      });
      expect(new TextDecoder().decode(plaintext)).toBe(verifyCase.src);
    });

    it.each(invalidCases.map((c) => [c.desc, c] as const))('invalid.json: %s', async (_desc, c) => {
      const keys = [await parseFernetKey(c.secret, makeKey)];
      const options = { ttlSeconds: c.ttl_sec ?? 0, nowSeconds: unixSeconds(c.now) };
      await expect(decrypt(keys, c.token, options)).rejects.toBeInstanceOf(InvalidToken);
    });

    it.each(['expired TTL', 'far-future TS (unacceptable clock skew)'])(
      'invalid.json: "%s" decrypts (to empty bytes, as in Python) when no ttl is given',
      async (desc) => {
        const c = invalidCases.find((entry) => entry.desc === desc);
        if (!c) throw new Error(`no invalid.json case "${desc}"`);
        await expect(decrypt([await parseFernetKey(c.secret, makeKey)], c.token)).resolves.toEqual(
          new Uint8Array(),
        );
      },
    );
  });

  describe('Python cryptography interop data', () => {
    it.each(interop.cases.map((c) => [c.id, c] as const))(
      '%s: decrypts to the exact bytes',
      async (_id, c) => {
        const plaintext = await decrypt([await parseFernetKey(c.key, makeKey)], c.token);
        expect(plaintext).toEqual(fromBase64(c.plaintext_b64));
      },
    );

    it.each(interop.cases.map((c) => [c.id, c] as const))('%s: re-encrypts byte-exact', async (_id, c) => {
      const { timestamp, iv } = tokenFields(c.token);
      expect(timestamp).toBe(c.timestamp);
      expect(iv).toEqual(fromHex(c.iv_hex));
      const token = await encryptAt(
        await parseFernetKey(c.key, makeKey),
        fromBase64(c.plaintext_b64),
        timestamp,
        iv,
      );
      expect(token).toBe(c.token);
    });

    it.each(interop.must_fail.map((c) => [c.desc, c] as const))('must fail: %s', async (_desc, c) => {
      const [key] = c.keys;
      if (key === undefined) throw new Error('must_fail case without a key');
      const options = {
        ...(c.ttl_sec === undefined ? {} : { ttlSeconds: c.ttl_sec }),
        ...(c.now === undefined ? {} : { nowSeconds: c.now }),
      };
      await expect(decrypt([await parseFernetKey(key, makeKey)], c.token, options)).rejects.toBeInstanceOf(
        InvalidToken,
      );
    });

    it.each(interop.ttl_ok.map((c) => [c.desc, c] as const))('ttl ok: %s', async (_desc, c) => {
      const options =
        c.ttl_sec === null ? {} : { ttlSeconds: c.ttl_sec, ...(c.now === null ? {} : { nowSeconds: c.now }) };
      const plaintext = await decrypt([await parseFernetKey(c.key, makeKey)], c.token, options);
      expect(plaintext).toEqual(fromBase64(c.plaintext_b64));
    });

    it.each(
      interop.python_quirks.flatMap((q) =>
        q.token === undefined ? [] : [[q.desc, q.key, q.token] as const],
      ),
    )('rejects the lenient token form Python may accept: %s', async (_desc, key, token) => {
      await expect(decrypt([await parseFernetKey(key, makeKey)], token)).rejects.toBeInstanceOf(InvalidToken);
    });

    it.each(
      interop.python_quirks.flatMap((q) =>
        q.python_accepts_key === undefined ? [] : [[q.desc, q.key, q.python_accepts_key] as const],
      ),
    )('key quirk "%s" is accepted exactly when Python accepts it', async (_desc, key, accepted) => {
      const parsed = parseFernetKey(key, makeKey);
      await (accepted ? expect(parsed).resolves.toBeDefined() : expect(parsed).rejects.toThrow(Error));
    });

    it.each(interop.keys.map((k) => [k.name, k] as const))(
      'key %s: bytes 0-15 sign and bytes 16-31 encrypt',
      async (_name, k) => {
        const token = await encryptAt(
          await parseFernetKey(k.key, makeKey),
          utf8('split check'),
          1700000000,
          new Uint8Array(16),
        );
        const raw = new Uint8Array(Buffer.from(token, 'base64url'));
        const data = raw.subarray(0, raw.length - 32);
        const subtle = globalThis.crypto.subtle;
        const hmacKey = await subtle.importKey(
          'raw',
          fromHex(k.signing_key_hex),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['verify'],
        );
        expect(await subtle.verify('HMAC', hmacKey, raw.subarray(raw.length - 32), data)).toBe(true);
        const aesKey = await subtle.importKey('raw', fromHex(k.encryption_key_hex), 'AES-CBC', false, [
          'decrypt',
        ]);
        const plaintext = await subtle.decrypt(
          { name: 'AES-CBC', iv: data.subarray(9, 25) },
          aesKey,
          data.subarray(25),
        );
        expect(new TextDecoder().decode(plaintext)).toBe('split check');
      },
    );
  });

  describe('MultiFernet semantics', () => {
    it('decrypts token_by_A with [B, A]', async () => {
      const plaintext = await decrypt(await keysOf(mf.multifernet_keys), mf.token_by_A);
      expect(new TextDecoder().decode(plaintext)).toBe(mf.plaintext);
    });

    it("Python's rotated token keeps its age: B alone opens it, A alone and a 1 h ttl do not", async () => {
      const [a, b] = await keysOf([mf.keys.A_old, mf.keys.B_new]);
      if (!a || !b) throw new Error('missing keys');
      expect(tokenFields(mf.rotated_token).timestamp).toBe(tokenFields(mf.token_by_A).timestamp);
      expect(new TextDecoder().decode(await decrypt([b], mf.rotated_token))).toBe(mf.plaintext);
      await expect(decrypt([a], mf.rotated_token)).rejects.toBeInstanceOf(InvalidToken);
      const { ttl_sec, now } = mf.rotated_checks.fails_decrypt_at_time;
      await expect(
        decrypt([b, a], mf.rotated_token, { ttlSeconds: ttl_sec, nowSeconds: now }),
      ).rejects.toBeInstanceOf(InvalidToken);
    });

    it('token_by_multifernet_encrypt was made by the first key (B)', async () => {
      const [a, b] = await keysOf([mf.keys.A_old, mf.keys.B_new]);
      if (!a || !b) throw new Error('missing keys');
      expect(new TextDecoder().decode(await decrypt([b], mf.token_by_multifernet_encrypt))).toBe(
        mf.plaintext,
      );
      await expect(decrypt([a], mf.token_by_multifernet_encrypt)).rejects.toBeInstanceOf(InvalidToken);
    });

    it('rejects token_by_C with [B, A]', async () => {
      await expect(decrypt(await keysOf(mf.multifernet_keys), mf.token_by_C)).rejects.toBeInstanceOf(
        InvalidToken,
      );
    });

    it('rotate() re-encrypts with the first key, keeping the timestamp and ignoring age', async () => {
      const [a, b] = await keysOf([mf.keys.A_old, mf.keys.B_new]);
      if (!a || !b) throw new Error('missing keys');
      const rotated = await rotate([b, a], mf.token_by_A);
      expect(tokenFields(rotated).timestamp).toBe(tokenFields(mf.token_by_A).timestamp);
      expect(tokenFields(rotated).iv).not.toEqual(tokenFields(mf.token_by_A).iv);
      expect(new TextDecoder().decode(await decrypt([b], rotated))).toBe(mf.plaintext);
      await expect(decrypt([a], rotated)).rejects.toBeInstanceOf(InvalidToken);
    });

    it('rotate() rejects a token no key can open', async () => {
      await expect(rotate(await keysOf(mf.multifernet_keys), mf.token_by_C)).rejects.toBeInstanceOf(
        InvalidToken,
      );
    });

    it('decrypt() with no keys rejects every token', async () => {
      await expect(decrypt([], mf.token_by_A)).rejects.toBeInstanceOf(InvalidToken);
    });
  });

  describe('keys and encrypt', () => {
    it('generateFernetKey() makes distinct 44-character padded base64url keys that parse', async () => {
      const [first, second] = [generateFernetKey(), generateFernetKey()];
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      expect(first).not.toBe(second);
      await expect(parseFernetKey(first, makeKey)).resolves.toBeDefined();
    });

    it.each([
      ['31 bytes', Buffer.alloc(31, 1).toString('base64url')],
      ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
      ['not base64', 'this is not a key at all, not even close!!!='],
      ['empty', ''],
    ])('parseFernetKey rejects %s with a configuration error', async (_desc, text) => {
      const error = await parseFernetKey(text, makeKey).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(InvalidToken);
    });

    it('rejects tokens and keys whose unused trailing base64 bits are not zero', async () => {
      const key = interop.multifernet.keys.A_old;
      const token = await encryptAt(
        await parseFernetKey(key, makeKey),
        utf8('x'),
        1700000000,
        new Uint8Array(16),
      );
      // 73 bytes end in "x==": the char before "==" carries 4 unused bits, so bumping it keeps the bytes.
      const bump = (text: string, at: number) =>
        `${text.slice(0, at)}${String.fromCharCode(text.charCodeAt(at) + 1)}${text.slice(at + 1)}`;
      expect(token).toMatch(/[AQgw]==$/);
      expect(Buffer.from(bump(token, token.length - 3), 'base64url')).toEqual(
        Buffer.from(token, 'base64url'),
      );
      await expect(
        decrypt([await parseFernetKey(key, makeKey)], bump(token, token.length - 3)),
      ).rejects.toBeInstanceOf(InvalidToken);
      await expect(parseFernetKey(bump(key, key.length - 2), makeKey)).rejects.toThrow(Error);
    });

    it('encrypt() uses the current time and a fresh IV for every token', async () => {
      const key = await parseFernetKey(generateFernetKey(), makeKey);
      const before = Math.floor(Date.now() / 1000);
      const [first, second] = await Promise.all([encrypt(key, utf8('same')), encrypt(key, utf8('same'))]);
      expect(first).not.toBe(second);
      expect(tokenFields(first).timestamp).toBeGreaterThanOrEqual(before);
      expect(tokenFields(first).timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      await expect(decrypt([key], first, { ttlSeconds: 60 })).resolves.toEqual(utf8('same'));
    });

    it.each([-1, 1.5, Number.NaN, 2 ** 53])(
      'encryptAt() rejects timestamp %s with a RangeError',
      async (timestamp) => {
        const key = await parseFernetKey(generateFernetKey(), makeKey);
        await expect(encryptAt(key, utf8('x'), timestamp, new Uint8Array(16))).rejects.toThrow(RangeError);
      },
    );

    it('encryptAt() rejects an IV that is not 16 bytes', async () => {
      const key = await parseFernetKey(generateFernetKey(), makeKey);
      await expect(encryptAt(key, utf8('x'), 0, new Uint8Array(15))).rejects.toThrow(RangeError);
    });

    it.each([
      ['a negative ttl', { ttlSeconds: -1 }],
      ['a NaN ttl', { ttlSeconds: Number.NaN }],
      ['a fractional now', { ttlSeconds: 60, nowSeconds: 1.5 }],
    ])('decrypt() rejects %s with a RangeError, not InvalidToken', async (_desc, options) => {
      const key = await parseFernetKey(mf.keys.A_old, makeKey);
      await expect(decrypt([key], mf.token_by_A, options)).rejects.toThrow(RangeError);
    });
  });

  describe('FernetSecretCipher', () => {
    const keyA = interop.multifernet.keys.A_old;
    const keyB = interop.multifernet.keys.B_new;

    it.each(['hunter2', '', '\uFEFFleading BOM', 'pässwörd ✓ 密码 🔐👨‍👩‍👧'])(
      'round-trips %j',
      async (secret) => {
        const cipher = await FernetSecretCipher.fromKeyList(generateFernetKey(), makeKey);
        expect(await cipher.open(await cipher.seal(secret))).toBe(secret);
      },
    );

    it('seals the same plaintext differently every time', async () => {
      const cipher = await FernetSecretCipher.fromKeyList(keyA, makeKey);
      expect(await cipher.seal('same')).not.toBe(await cipher.seal('same'));
    });

    it('a "new,old" keyring opens what "old" sealed and seals with "new"', async () => {
      const old = await FernetSecretCipher.fromKeyList(keyA, makeKey);
      const rotated = await FernetSecretCipher.fromKeyList(` ${keyB} , ${keyA} `, makeKey);
      expect(await rotated.open(await old.seal('s3cret'))).toBe('s3cret');
      const sealed = await rotated.seal('fresh');
      expect(new TextDecoder().decode(await decrypt([await parseFernetKey(keyB, makeKey)], sealed))).toBe(
        'fresh',
      );
      await expect(old.open(sealed)).rejects.toBeInstanceOf(InvalidToken);
    });

    it('opens a token sealed by Python', async () => {
      const cipher = await FernetSecretCipher.fromKeyList(mf.multifernet_keys.join(','), makeKey);
      expect(await cipher.open(mf.token_by_A as EncryptedSecret)).toBe(mf.plaintext);
    });

    it('rejects invalid UTF-8 with InvalidToken', async () => {
      const c = interop.cases.find((entry) => entry.id === 'binary_invalid_utf8');
      if (!c) throw new Error('no binary_invalid_utf8 case');
      const cipher = await FernetSecretCipher.fromKeyList(c.key, makeKey);
      await expect(cipher.open(c.token as EncryptedSecret)).rejects.toBeInstanceOf(InvalidToken);
    });

    it('rejects garbage with InvalidToken', async () => {
      const cipher = await FernetSecretCipher.fromKeyList(keyA, makeKey);
      await expect(cipher.open('not a token' as EncryptedSecret)).rejects.toBeInstanceOf(InvalidToken);
    });

    const shortKey = Buffer.alloc(31, 7).toString('base64url');
    it.each([
      ['an empty list', '', /empty/, undefined],
      ['a non-key', 'abc', /1st Fernet key is invalid/, 'abc'],
      ['a 31-byte key', `${keyA},${shortKey}`, /2nd Fernet key is invalid/, shortKey],
      ['an empty entry', `${keyA},,${keyA}`, /2nd Fernet key is empty/, keyA],
    ])('fromKeyList rejects %s without echoing the key', async (_desc, list, message, secret) => {
      const error = await FernetSecretCipher.fromKeyList(list, makeKey).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      if (secret !== undefined) expect((error as Error).message).not.toContain(secret);
    });
  });
});
