import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joseTokenVerifier } from '../../src/adapters/auth/jose-token-verifier.js';
import { API_ROUTES, routeRequest } from '../support/api-routes.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

const UNAUTHENTICATED = {
  detail: 'Send a valid bearer token: Authorization: Bearer <token>.',
  code: 'unauthenticated',
};
const FORBIDDEN = {
  detail: 'user_id must be left out or name the user the bearer token belongs to.',
  code: 'forbidden',
};

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;

async function integrationCount(): Promise<number> {
  const [row] = await selectRows<{ n: number }>(
    database,
    sql`select count(*)::int as n from social_integrations`,
  );
  return row?.n ?? -1;
}

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET },
  });
});
afterAll(() => database.dispose());

describe('every /api route requires a valid bearer token', () => {
  const badCredentials: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', async () => ({})],
    ['a malformed bearer token', async () => ({ authorization: 'Bearer x' })],
    ['another scheme', async () => ({ authorization: `Basic ${btoa('alice:secret')}` })],
    [
      'an expired token',
      async () => ({ authorization: `Bearer ${await signToken('alice', { expiresIn: -60 })}` }),
    ],
    [
      'a token signed with another secret',
      async () => ({ authorization: `Bearer ${await signToken('alice', { secret: 'x'.repeat(40) })}` }),
    ],
    [
      'an unsigned token (alg none)',
      async () => ({
        authorization: `Bearer ${new UnsecuredJWT({}).setSubject('alice').setExpirationTime('1h').encode()}`,
      }),
    ],
    [
      'a token without exp',
      async () => ({
        authorization: `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .sign(new TextEncoder().encode(JWT_SECRET))}`,
      }),
    ],
    [
      'a token without sub',
      async () => ({
        authorization: `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(JWT_SECRET))}`,
      }),
    ],
  ];

  for (const route of API_ROUTES) {
    it.each(badCredentials)(
      `${route.method} ${route.name}: 401 for %s, nothing called or changed`,
      async (_, headers) => {
        const before = await integrationCount();
        const logins = harness.mailVerifier.logins.length;
        const [path, init] = routeRequest(route, 'email', { query: '?user_id=alice' });

        const response = await harness.app.request(path, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...(await headers()) },
        });

        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect(await response.json()).toEqual(UNAUTHENTICATED);
        expect(await integrationCount()).toBe(before);
        expect(harness.mailVerifier.logins.length).toBe(logins);
      },
    );
  }

  it('answers 401 on unknown /api paths too, so routes cannot be probed without a token', async () => {
    const response = await harness.app.request('/api/nothing-here');
    expect(response.status).toBe(401);
  });
});

describe('the token’s subject is the user', () => {
  it('needs no user_id, accepts the subject’s own, and refuses anyone else’s with 403', async () => {
    const alice = uniqueUserId();
    const token = await signToken(alice);
    const auth = { authorization: `Bearer ${token}` };

    const withoutUserId = await harness.app.request('/api/integrations', { headers: auth });
    const ownUserId = await harness.app.request(`/api/integrations?user_id=${alice}`, { headers: auth });
    const otherUserId = await harness.app.request('/api/integrations?user_id=bob', { headers: auth });
    const smuggled = await harness.app.request(`/api/integrations?user_id=${alice}&user_id=bob`, {
      headers: auth,
    });

    expect([withoutUserId.status, ownUserId.status]).toEqual([200, 200]);
    expect(otherUserId.status).toBe(403);
    expect(await otherUserId.json()).toEqual(FORBIDDEN);
    expect(smuggled.status).toBe(403);
  });

  it('saves under the subject, never under a user_id', async () => {
    const alice = uniqueUserId();
    const response = await harness.app.request('/api/integrations', {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(alice)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'tiktok', access_token: 'CANARY_AT_subject-0001' }),
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ user_id: alice, platform: 'tiktok' });
  });

  it('refuses a token whose subject could not be a user id', async () => {
    const response = await harness.app.request('/api/integrations', {
      headers: { authorization: `Bearer ${await signToken('x'.repeat(256))}` },
    });
    expect(response.status).toBe(401);
  });
});

/** An HS256 token whose payload is exactly `payloadJson`, so it can carry escapes jose would re-encode. */
async function signRawPayload(payloadJson: string): Promise<string> {
  const encode = (text: string) => Buffer.from(text).toString('base64url');
  const input = `${encode('{"alg":"HS256"}')}.${encode(payloadJson)}`;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(JWT_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

describe('user ids that could be mistaken for another (issue 14)', () => {
  const exp = () => Math.floor(Date.now() / 1000) + 3600;

  it.each([
    ['a lone surrogate', '"vic\\ud800tim"'],
    ['a right-to-left override', '"vic\\u202etim"'],
    ['a line separator', '"vic\\u2028tim"'],
    ['a zero-width space', '"vic\\u200btim"'],
    ['only spaces', '"   "'],
  ])('refuses a token whose subject has %s with 401', async (_, subjectJson) => {
    const token = await signRawPayload(`{"sub":${subjectJson},"exp":${exp()}}`);

    const response = await harness.app.request('/api/integrations', {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(UNAUTHENTICATED);
  });

  it('does not read the integrations of the user a lone surrogate would be stored as', async () => {
    const replaced = 'vic\uFFFDtim';
    await harness.app.request('/api/integrations', {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(replaced)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'tiktok', access_token: 'CANARY_AT_replacement-0001' }),
    });
    const token = await signRawPayload(`{"sub":"vic\\ud800tim","exp":${exp()}}`);

    const response = await harness.app.request('/api/integrations', {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.status).toBe(401);
  });

  it.each([
    [
      'a right-to-left override',
      'vic%E2%80%AEtim',
      'user_id must not contain format or separator characters',
    ],
    ['a paragraph separator', 'vic%E2%80%A9tim', 'user_id must not contain format or separator characters'],
    ['only spaces', '%20%20', 'user_id must not be blank'],
  ])('refuses a development user_id with %s with 400 naming it', async (_, userId, message) => {
    const development = await createTestApp(database);

    const response = await development.app.request(`/api/integrations?user_id=${userId}`);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'user_id', message }],
    });
  });
});

describe('keys from a JWKS URL', () => {
  let jwks: Server;
  let jwksUrl: string;
  let signingKey: CryptoKey;
  let publicJwk: Awaited<ReturnType<typeof exportJWK>>;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => jwks.close(resolve)));

  const signEs256 = (claims: { iss?: string; aud?: string }, key: CryptoKey = signingKey) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('jwks-user')
      .setExpirationTime('1h')
      .sign(key);

  it('accepts a token signed by a published key with the configured issuer and audience, and nothing else', async () => {
    const verify = joseTokenVerifier({
      key: { jwksUrl },
      issuer: 'https://auth.example.com/',
      audience: 'social-integrations',
      maxLifetimeSeconds: 86_400,
    });
    const good = { iss: 'https://auth.example.com/', aud: 'social-integrations' };
    const stranger = (await generateKeyPair('ES256')).privateKey;
    // The public key used as an HMAC secret: the algorithm-confusion attack.
    const confused = await new SignJWT({ ...good })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('jwks-user')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));

    expect(await verify(await signEs256(good))).toBe('jwks-user');
    expect(await verify(await signEs256({ ...good, iss: 'https://evil.example/' }))).toBeNull();
    expect(await verify(await signEs256({ ...good, aud: 'another-service' }))).toBeNull();
    expect(await verify(await signEs256(good, stranger))).toBeNull();
    expect(await verify(confused)).toBeNull();
  });
});
