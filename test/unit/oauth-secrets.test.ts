import { describe, expect, it } from 'vitest';
import { randomSecret, s256Challenge, stateHash } from '../../src/application/oauth-secrets.js';

describe('OAuth secrets', () => {
  it('computes the PKCE S256 challenge of RFC 7636 appendix B', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes 1,000 distinct 256-bit states of 43 base64url characters', () => {
    const states = Array.from({ length: 1000 }, randomSecret);

    expect(new Set(states).size).toBe(1000);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores a state as its hex SHA-256', async () => {
    expect(await stateHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
