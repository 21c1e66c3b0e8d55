// Meta signs what it sends with the app secret: webhooks in X-Hub-Signature-256, the deauthorize and
// data deletion callbacks in `signed_request`. Web Crypto only, so this runs on Node, Workers and Deno.

const encoder = new TextEncoder();

/** One HMAC-SHA256 key per app secret this service may be called for. */
export type AppSecretKeys = readonly CryptoKey[];

export function importAppSecrets(secrets: readonly string[]): Promise<AppSecretKeys> {
  return Promise.all(
    secrets.map((secret) =>
      crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]),
    ),
  );
}

/**
 * Whether `signature` is the HMAC-SHA256 of `data` under one of the app secrets (an X-Hub-Signature-256's
 * from {@link hubSignature}, or a signed_request's); crypto.subtle.verify compares in constant time.
 */
export async function signedByAny(
  keys: AppSecretKeys,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const checks = await Promise.all(
    keys.map((key) => crypto.subtle.verify('HMAC', key, signature as BufferSource, data as BufferSource)),
  );
  return checks.includes(true);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

/** The signature an `X-Hub-Signature-256` header carries (`sha256=<64 hex digits>`), or null when malformed. */
export function hubSignature(header: string | undefined): Uint8Array | null {
  const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '')?.[1];
  return hex === undefined ? null : hexBytes(hex);
}

function base64UrlBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  try {
    return Uint8Array.from(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')), (c) =>
      c.charCodeAt(0),
    );
  } catch {
    return null;
  }
}

/**
 * The payload of a `signed_request` (`base64url(signature).base64url(JSON payload)`, the signature an
 * HMAC-SHA256 of the encoded payload under the app secret, the payload's `algorithm` HMAC-SHA256), or
 * null when it is malformed or not signed so.
 */
export async function signedRequestPayload(
  keys: AppSecretKeys,
  signedRequest: string,
): Promise<Readonly<Record<string, unknown>> | null> {
  const [encodedSignature, encodedPayload, ...rest] = signedRequest.split('.');
  if (encodedSignature === undefined || encodedPayload === undefined || rest.length > 0) return null;
  const signature = base64UrlBytes(encodedSignature);
  const payloadBytes = base64UrlBytes(encodedPayload);
  if (signature === null || payloadBytes === null || signature.length !== 32) return null;
  if (!(await signedByAny(keys, signature, encoder.encode(encodedPayload)))) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return null;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const { algorithm } = payload as Record<string, unknown>;
  return typeof algorithm === 'string' && algorithm.toUpperCase() === 'HMAC-SHA256'
    ? (payload as Record<string, unknown>)
    : null;
}
