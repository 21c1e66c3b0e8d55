import { InvalidToken } from '../../application/ports/secret-cipher.js';

// Fernet (https://github.com/fernet/spec), byte-compatible with Python's `cryptography.fernet`, on Web
// Crypto by default so it runs on Node, Cloudflare Workers and Deno alike; Node plugs in node:crypto
// (node-fernet-key.ts), whose synchronous calls cost a fraction of Web Crypto's queued jobs.
//
// Token: 0x80 ‖ timestamp u64 BE ‖ IV(16) ‖ AES-128-CBC(PKCS7(plaintext)) ‖ HMAC-SHA256(all preceding)

export type Bytes = Uint8Array<ArrayBuffer>;

/**
 * A parsed Fernet key on some implementation of its two primitives: bytes 0–15 sign (HMAC-SHA256), bytes
 * 16–31 encrypt (AES-128-CBC with PKCS7 padding).
 */
export interface FernetKey {
  sign(data: Bytes): Promise<Bytes>;
  /** Whether `mac` is the HMAC of `data`, compared in constant time. */
  verify(mac: Bytes, data: Bytes): Promise<boolean>;
  encrypt(iv: Bytes, plaintext: Bytes): Promise<Bytes>;
  /** Undefined when the padding is wrong (every pad byte is checked). */
  decrypt(iv: Bytes, ciphertext: Bytes): Promise<Bytes | undefined>;
}

/** Makes a {@link FernetKey} from a key's two halves, which it must not keep (they are zeroed after). */
export type FernetKeyMaker = (signing: Bytes, encryption: Bytes) => Promise<FernetKey>;

/** Fernet's primitives on Web Crypto, which every runtime has. */
export const webCryptoFernetKey: FernetKeyMaker = async (signing, encryption) => {
  const subtle = globalThis.crypto.subtle;
  const [signingKey, encryptionKey] = await Promise.all([
    subtle.importKey('raw', signing, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    subtle.importKey('raw', encryption, { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']),
  ]);
  return {
    sign: async (data) => new Uint8Array(await subtle.sign('HMAC', signingKey, data)),
    verify: (mac, data) => subtle.verify('HMAC', signingKey, mac, data),
    encrypt: async (iv, plaintext) =>
      new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, encryptionKey, plaintext)),
    decrypt: async (iv, ciphertext) => {
      try {
        // Web Crypto requires AES-CBC decrypt to reject bad PKCS7 padding.
        return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, encryptionKey, ciphertext));
      } catch {
        return undefined;
      }
    },
  };
};

export interface FernetDecryptOptions {
  /** Maximum token age in seconds; when absent neither age nor clock skew is checked (as in Python). */
  readonly ttlSeconds?: number;
  /** The clock, in Unix seconds; defaults to now. Only used with `ttlSeconds`. */
  readonly nowSeconds?: number;
}

const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16;
const HMAC_LENGTH = 32;
const BLOCK = 16;
const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Parses a Fernet key as made by Python's `Fernet.generate_key()`: 32 bytes as base64 (URL-safe or
 * standard alphabet) with `=` padding, on Web Crypto unless `makeKey` says otherwise. Surrounding
 * whitespace is ignored. Throws a plain `Error` (a configuration error) whose message never contains the
 * key text.
 */
export async function parseFernetKey(
  text: string,
  makeKey: FernetKeyMaker = webCryptoFernetKey,
): Promise<FernetKey> {
  const bytes = decodeBase64Url(text.trim().replaceAll('+', '-').replaceAll('/', '_'));
  if (bytes === undefined) {
    throw new Error("Fernet key is not valid base64 with '=' padding (expected 44 characters)");
  }
  if (bytes.length !== 32) {
    throw new Error(`Fernet key decodes to ${bytes.length} bytes; expected 32`);
  }
  try {
    return await makeKey(bytes.slice(0, 16), bytes.slice(16));
  } finally {
    bytes.fill(0);
  }
}

/** Makes a new random key in the format of Python's `Fernet.generate_key()` (44 characters). */
export function generateFernetKey(): string {
  return encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** Encrypts with a fresh random IV, stamped with `nowSeconds` (default: the current time, floored). */
export async function encrypt(
  key: FernetKey,
  plaintext: Uint8Array,
  nowSeconds = currentSeconds(),
): Promise<string> {
  return encryptAt(key, plaintext, nowSeconds, globalThis.crypto.getRandomValues(new Uint8Array(BLOCK)));
}

/**
 * Encrypts with a given timestamp and IV, like Python's `_encrypt_from_parts`. Deterministic, so
 * it is meant for test vectors; use `encrypt` otherwise, since an IV must never be reused.
 */
export async function encryptAt(
  key: FernetKey,
  plaintext: Uint8Array,
  timestampSeconds: number,
  iv: Uint8Array,
): Promise<string> {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('Fernet timestamp must be a non-negative integer number of seconds');
  }
  if (iv.length !== BLOCK) throw new RangeError('Fernet IV must be 16 bytes');
  const timestamp = new Uint8Array(8);
  new DataView(timestamp.buffer).setBigUint64(0, BigInt(timestampSeconds));
  return seal(key, plaintext, timestamp, iv);
}

/**
 * Decrypts a token with the first of `keys` that authenticates it (MultiFernet semantics). Throws
 * `InvalidToken` for every kind of bad token, expired and far-future ones included when a ttl is given.
 */
export async function decrypt(
  keys: readonly FernetKey[],
  token: string,
  options: FernetDecryptOptions = {},
): Promise<Uint8Array> {
  const parts = parse(token);
  if (options.ttlSeconds !== undefined) {
    checkAge(parts.timestamp, options.ttlSeconds, options.nowSeconds ?? currentSeconds());
  }
  for (const key of keys) {
    const plaintext = await open(key, parts);
    if (plaintext !== undefined) return plaintext;
  }
  throw new InvalidToken();
}

/**
 * Re-encrypts a token with `keys[0]` and a fresh IV, keeping its original timestamp, like Python's
 * `MultiFernet.rotate`: any key may have made it, and no ttl applies.
 */
export async function rotate(keys: readonly FernetKey[], token: string): Promise<string> {
  const [primary] = keys;
  if (primary === undefined) throw new Error('Fernet rotate needs at least one key');
  const parts = parse(token);
  for (const key of keys) {
    const plaintext = await open(key, parts);
    if (plaintext !== undefined) {
      const timestamp = parts.data.slice(1, 9);
      return seal(primary, plaintext, timestamp, globalThis.crypto.getRandomValues(new Uint8Array(BLOCK)));
    }
  }
  throw new InvalidToken();
}

interface TokenParts {
  /** Everything the HMAC covers: version, timestamp, IV and ciphertext. */
  readonly data: Bytes;
  readonly mac: Bytes;
  readonly timestamp: bigint;
}

/** The key-independent checks: encoding, version, and a length that holds a non-empty whole-block ciphertext. */
function parse(token: string): TokenParts {
  const raw = decodeBase64Url(token);
  if (raw === undefined || raw[0] !== VERSION) throw new InvalidToken();
  const ciphertextLength = raw.length - HEADER_LENGTH - HMAC_LENGTH;
  if (ciphertextLength < BLOCK || ciphertextLength % BLOCK !== 0) throw new InvalidToken();
  return {
    data: raw.subarray(0, raw.length - HMAC_LENGTH),
    mac: raw.subarray(raw.length - HMAC_LENGTH),
    timestamp: new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(1),
  };
}

function checkAge(timestamp: bigint, ttlSeconds: number, nowSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0 || !Number.isSafeInteger(nowSeconds)) {
    throw new RangeError('Fernet ttl and now must be integers of seconds, ttl non-negative');
  }
  const now = BigInt(nowSeconds);
  // Strict: a token exactly ttl seconds old is still valid.
  if (timestamp + BigInt(ttlSeconds) < now) throw new InvalidToken();
  if (timestamp > now + BigInt(MAX_CLOCK_SKEW_SECONDS)) throw new InvalidToken();
}

/** Authenticates, then decrypts; undefined when this key cannot open the token. */
async function open(key: FernetKey, { data, mac }: TokenParts): Promise<Bytes | undefined> {
  if (!(await key.verify(mac, data))) return undefined;
  return key.decrypt(data.subarray(9, HEADER_LENGTH), data.subarray(HEADER_LENGTH));
}

async function seal(
  key: FernetKey,
  plaintext: Uint8Array,
  timestamp: Bytes,
  iv: Uint8Array,
): Promise<string> {
  const ivCopy = Uint8Array.from(iv);
  const ciphertext = await key.encrypt(ivCopy, Uint8Array.from(plaintext));
  const token = new Uint8Array(HEADER_LENGTH + ciphertext.length + HMAC_LENGTH);
  token[0] = VERSION;
  token.set(timestamp, 1);
  token.set(ivCopy, 9);
  token.set(ciphertext, HEADER_LENGTH);
  const data = token.subarray(0, HEADER_LENGTH + ciphertext.length);
  token.set(await key.sign(data), data.length);
  return encodeBase64Url(token);
}

function currentSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += ALPHABET[b0 >> 2];
    out += ALPHABET[((b0 & 0x03) << 4) | (b1 >> 4)];
    out += i + 1 < bytes.length ? ALPHABET[((b1 & 0x0f) << 2) | (b2 >> 6)] : '=';
    out += i + 2 < bytes.length ? ALPHABET[b2 & 0x3f] : '=';
  }
  return out;
}

/**
 * Strict padded base64url: exactly what Python's `urlsafe_b64encode` emits. Rejects missing or extra
 * padding, other characters (whitespace included) and non-zero unused bits; undefined on failure.
 */
function decodeBase64Url(text: string): Bytes | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.length - padding;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < body; i++) {
    const value = DECODE[text.charCodeAt(i)] ?? -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = buffer >> bits;
    }
  }
  return (buffer & ((1 << bits) - 1)) === 0 ? out : undefined;
}
