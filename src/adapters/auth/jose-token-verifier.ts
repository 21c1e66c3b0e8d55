import { createRemoteJWKSet, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { userIdProblem } from '../../domain/user-id.js';
import { rememberVerifiedTokens, type VerifiedToken } from './verified-token-cache.js';

/** How bearer tokens are checked. */
export interface JwtSettings {
  /** An HS256 shared secret, or the URL of the JWKS that publishes the signing keys. */
  readonly key: { readonly secret: string } | { readonly jwksUrl: string };
  readonly issuer: string | null;
  readonly audience: string | null;
  /** The longest lifetime (`exp` − `iat`, or `exp` − now without `iat`) a token may have. */
  readonly maxLifetimeSeconds: number;
}

/** Seconds of clock difference between the token's issuer and this service that `iat` and `exp` allow. */
export const CLOCK_TOLERANCE_SECONDS = 5;

// Keys from a JWKS are public keys; accepting HS256 there would let a public key serve as an HMAC secret.
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];

function payloadVerifier({ key }: JwtSettings, options: JWTVerifyOptions) {
  if ('secret' in key) {
    // Imported once: given the raw bytes, jose would import them into a CryptoKey on every verification.
    const secret = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(key.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    return async (token: string) =>
      (await jwtVerify(token, await secret, { ...options, algorithms: ['HS256'] })).payload;
  }
  const keys = createRemoteJWKSet(new URL(key.jwksUrl), { timeoutDuration: 5000 });
  return async (token: string) =>
    (await jwtVerify(token, keys, { ...options, algorithms: ASYMMETRIC_ALGORITHMS })).payload;
}

// The subject becomes a user id, so it meets a user_id's rules.
const usableSubject = ({ sub }: JWTPayload) =>
  typeof sub === 'string' && userIdProblem(sub) === null ? sub : null;

/**
 * The token's subject and expiry, or null for one that is unusable: no usable subject, issued in the future
 * (beyond the clock tolerance), or living longer than allowed, so that a leaked long-lived token or one
 * minted with a skewed clock is not accepted.
 */
function verifiedToken(payload: JWTPayload, maxLifetimeSeconds: number, nowMs: number): VerifiedToken | null {
  const subject = usableSubject(payload);
  // requiredClaims makes jose refuse a token without a numeric exp, so this is only for the type.
  if (subject === null || typeof payload.exp !== 'number') return null;
  const now = nowMs / 1000;
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : now;
  if (issuedAt > now + CLOCK_TOLERANCE_SECONDS) return null;
  if (payload.exp - Math.min(issuedAt, now) > maxLifetimeSeconds) return null;
  return { subject, expiresAtMs: payload.exp * 1000 };
}

/**
 * Verifies JWTs with `jose` (WebCrypto, so it runs on every runtime): HS256 with a shared secret, or the
 * keys published at a JWKS URL (fetched on first use, cached, refetched when a token names an unknown key).
 * `sub` and `exp` are required, `iat` may not lie in the future and the lifetime may not exceed
 * `maxLifetimeSeconds`; `iss` and `aud` are checked when configured. A token that verified is
 * trusted again without a check until its `exp`, for at most a minute (see rememberVerifiedTokens).
 */
export function joseTokenVerifier(settings: JwtSettings): (token: string) => Promise<string | null> {
  const verify = payloadVerifier(settings, {
    requiredClaims: ['sub', 'exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(settings.issuer === null ? {} : { issuer: settings.issuer }),
    ...(settings.audience === null ? {} : { audience: settings.audience }),
  });
  return rememberVerifiedTokens(async (token) => {
    try {
      return verifiedToken(await verify(token), settings.maxLifetimeSeconds, Date.now());
    } catch {
      return null;
    }
  }, Date.now);
}
