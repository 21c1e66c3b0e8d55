import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { joseTokenVerifier } from '../../src/adapters/auth/jose-token-verifier.js';
import { parseConfig } from '../../src/config.js';
import { startupWarnings } from '../../src/runtime/service-start.js';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** A token for alice with exactly these time claims (iat left out when null). */
function sign({ iat, exp }: { iat: number | null; exp: number }) {
  const token = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setExpirationTime(exp);
  if (iat !== null) token.setIssuedAt(iat);
  return token.sign(new TextEncoder().encode(SECRET));
}

const verifier = (maxLifetimeSeconds = 24 * HOUR) =>
  joseTokenVerifier({ key: { secret: SECRET }, issuer: null, audience: null, maxLifetimeSeconds });

describe('bearer token lifetimes (issue 14)', () => {
  it('accepts a token issued now or within the 5 s clock tolerance ahead', async () => {
    const verify = verifier();
    expect(await verify(await sign({ iat: now(), exp: now() + HOUR }))).toBe('alice');
    expect(await verify(await sign({ iat: now() + 3, exp: now() + HOUR }))).toBe('alice');
  });

  it('refuses a token issued in the future beyond the clock tolerance', async () => {
    expect(await verifier()(await sign({ iat: now() + 60, exp: now() + HOUR }))).toBeNull();
  });

  it('refuses a token that lives longer than AUTH_JWT_MAX_LIFETIME_SECONDS, with or without iat', async () => {
    const verify = verifier(HOUR);
    expect(await verify(await sign({ iat: now(), exp: now() + HOUR }))).toBe('alice');
    expect(await verify(await sign({ iat: now() - 60, exp: now() + HOUR }))).toBeNull();
    expect(await verify(await sign({ iat: null, exp: now() + 2 * HOUR }))).toBeNull();
    // A year-long token, the kind that leaks and keeps working, under the default of a day.
    expect(await verifier()(await sign({ iat: now(), exp: now() + 365 * 24 * HOUR }))).toBeNull();
  });
});

describe('AUTH_JWT_MAX_LIFETIME_SECONDS and AUTH_JWT_AUDIENCE', () => {
  const config = (env: Record<string, string>) => {
    const parsed = parseConfig({ AUTH_JWT_SECRET: SECRET, ...env });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return parsed.config;
  };

  it('defaults the longest lifetime to a day and names a bad value', () => {
    expect(config({}).jwt?.maxLifetimeSeconds).toBe(86_400);
    expect(config({ AUTH_JWT_MAX_LIFETIME_SECONDS: '900' }).jwt?.maxLifetimeSeconds).toBe(900);
    expect(parseConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_MAX_LIFETIME_SECONDS: 'soon' })).toMatchObject({
      ok: false,
      problems: ['AUTH_JWT_MAX_LIFETIME_SECONDS must be a whole number'],
    });
  });

  it('warns at start-up in production when token audiences are not checked, and only then', () => {
    const production = {
      NODE_ENV: 'production',
      ENCRYPTION_KEY: 'k',
      PUBLIC_BASE_URL: 'https://o.example.com',
    };
    const messages = (env: Record<string, string>) =>
      startupWarnings(config(env)).map(({ message }) => message);
    expect(messages(production)).toEqual([
      'no AUTH_JWT_AUDIENCE: bearer tokens are not checked for this service as their audience',
    ]);
    expect(messages({ ...production, AUTH_JWT_AUDIENCE: 'social-integrations' })).toEqual([]);
    expect(messages({ PUBLIC_BASE_URL: 'https://o.example.com' })).toEqual([]);
  });
});
