import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { joseTokenVerifier } from '../../src/adapters/auth/jose-token-verifier.js';
import { rememberVerifiedTokens, type VerifiedToken } from '../../src/adapters/auth/verified-token-cache.js';

const LIMITS = { maxAgeMs: 60_000, maxEntries: 3 };

/** A stand-in signature check that counts its calls and accepts tokens starting with "good". */
function countingVerifier(expiresAtMs: number) {
  const calls: string[] = [];
  const verify = async (token: string): Promise<VerifiedToken | null> => {
    calls.push(token);
    return token.startsWith('good') ? { subject: `user-of-${token}`, expiresAtMs } : null;
  };
  return { calls, verify };
}

describe('rememberVerifiedTokens', () => {
  it('checks a token once, then trusts it for at most maxAgeMs', async () => {
    let now = 1_000_000;
    const { calls, verify } = countingVerifier(now + 3_600_000);
    const check = rememberVerifiedTokens(
      verify,
      () => now,
      LIMITS,
      () => 0,
    );

    expect(await check('good-1')).toBe('user-of-good-1');
    now += 59_999;
    expect(await check('good-1')).toBe('user-of-good-1');
    expect(calls).toEqual(['good-1']);
    now += 1;
    expect(await check('good-1')).toBe('user-of-good-1');
    expect(calls).toEqual(['good-1', 'good-1']);
  });

  it('trusts each token for a random time between half of maxAgeMs and all of it', async () => {
    let now = 1_000_000;
    const { calls, verify } = countingVerifier(now + 3_600_000);
    const shares = [0.5, 0.999];
    const check = rememberVerifiedTokens(
      verify,
      () => now,
      LIMITS,
      () => shares.shift() ?? 0,
    );

    await check('good-1');
    await check('good-2');
    now += 30_029;
    await check('good-1');
    await check('good-2');
    expect(calls).toEqual(['good-1', 'good-2']);
    // good-2 drew nearly all of the spread: trusted for 30.03 s.
    now += 1;
    await check('good-2');
    expect(calls).toEqual(['good-1', 'good-2', 'good-2']);
    // good-1 drew half of it: trusted for 45 s.
    now = 1_000_000 + 44_999;
    await check('good-1');
    expect(calls).toHaveLength(3);
    now += 1;
    await check('good-1');
    expect(calls).toEqual(['good-1', 'good-2', 'good-2', 'good-1']);
  });

  it('never trusts a token past its expiry, however recently it was checked', async () => {
    let now = 1_000_000;
    const expiresAtMs = now + 10_000;
    const { calls, verify } = countingVerifier(expiresAtMs);
    const check = rememberVerifiedTokens(verify, () => now, LIMITS);

    await check('good-1');
    now = expiresAtMs;
    await check('good-1');
    expect(calls).toHaveLength(2);
  });

  it('remembers no refusal, and tells tokens apart by every character', async () => {
    const { calls, verify } = countingVerifier(Number.MAX_SAFE_INTEGER);
    const check = rememberVerifiedTokens(verify, () => 0, LIMITS);

    expect(await check('bad')).toBeNull();
    expect(await check('bad')).toBeNull();
    expect(await check('good-1')).toBe('user-of-good-1');
    expect(await check('good-1x')).toBe('user-of-good-1x');
    expect(calls).toEqual(['bad', 'bad', 'good-1', 'good-1x']);
  });

  it('holds at most maxEntries tokens, letting the oldest go first', async () => {
    const { calls, verify } = countingVerifier(Number.MAX_SAFE_INTEGER);
    const check = rememberVerifiedTokens(verify, () => 0, LIMITS);

    for (const token of ['good-1', 'good-2', 'good-3', 'good-4']) await check(token);
    await check('good-2');
    await check('good-4');
    expect(calls).toEqual(['good-1', 'good-2', 'good-3', 'good-4']);
    await check('good-1');
    expect(calls).toHaveLength(5);
  });
});

describe('joseTokenVerifier with remembered tokens', () => {
  const SECRET = 'a-test-secret-that-is-at-least-32-characters';
  const settings = { key: { secret: SECRET }, issuer: null, audience: null, maxLifetimeSeconds: 86_400 };
  const sign = (subject: string, expiresAtSeconds: number, secret = SECRET) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setExpirationTime(expiresAtSeconds)
      .sign(new TextEncoder().encode(secret));

  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses a token it accepted once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T00:00:00Z'));
    const verify = joseTokenVerifier(settings);
    const token = await sign('alice', Date.parse('2026-11-24T00:00:30Z') / 1000);

    expect(await verify(token)).toBe('alice');
    vi.setSystemTime(new Date('2026-11-24T00:00:29Z'));
    expect(await verify(token)).toBe('alice');
    // Past exp and jose's five seconds of clock tolerance.
    vi.setSystemTime(new Date('2026-11-24T00:00:36Z'));
    expect(await verify(token)).toBeNull();
  });

  it('refuses a remembered token with its signature changed, and one signed with another secret', async () => {
    const verify = joseTokenVerifier(settings);
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    const token = await sign('alice', expiresAt);
    expect(await verify(token)).toBe('alice');

    // Not the last character: its low bits are padding, so changing it can leave the signature intact.
    const at = token.length - 10;
    const changed = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    expect(await verify(changed)).toBeNull();
    expect(await verify(await sign('alice', expiresAt, `${SECRET}-other`))).toBeNull();
    expect(await verify(token)).toBe('alice');
  });
});
