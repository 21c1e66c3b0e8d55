import { SignJWT } from 'jose';

export const JWT_SECRET = 'test-only-hs256-secret-CANARY_JWT_0123456789abcdef';

/** An HS256 token for `sub`, valid for an hour unless `claims` say otherwise. */
export function signToken(
  sub: string,
  {
    secret = JWT_SECRET,
    expiresIn = '1h',
    claims = {},
  }: { secret?: string; expiresIn?: string | number; claims?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
