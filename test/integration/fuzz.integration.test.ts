import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute, emailBody, tokenBody } from '../support/api-routes.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { leaks, responseText } from '../support/leaks.js';
import { createTestApp } from '../support/test-app.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

// 9 routes x 1,200 + 1,000 free-form requests = 11,800 generated requests.
const RUNS_PER_ROUTE = 1200;
const FREE_FORM_RUNS = 1000;
const EXPECTED_STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429]);

const run = randomUUID();
const PASSWORD = `CANARY_PW_${run}`;
const ACCESS_TOKEN = `CANARY_AT_${run}`;

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;
const user = uniqueUserId();
const tokens: Record<'valid' | 'expired' | 'foreign', string> = { valid: '', expired: '', foreign: '' };
let secrets: string[];
let requests = 0;

const HOSTILE = [
  '__proto__',
  'constructor',
  'prototype',
  "1' OR '1'='1",
  "'; DROP TABLE social_integrations;--",
  '../email',
  '..%2femail',
  'INSTAGRAM',
  'email\u0000',
  '\u202eliame',
  '１２７.０.０.１',
  '$' + '{jndi:ldap://x}',
  '<script>alert(1)</script>',
  'x\r\nSet-Cookie: a=b',
  '\ud83d\udd10',
  'a'.repeat(300),
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 20_000 }) },
);

const anyValue = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant({ x: PASSWORD }),
);

// What metadata must refuse before any platform is called: controls in keys and values, lone surrogates,
// nesting past its depth, and sizes past its bound.
const hostileMetadata = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(hostileString, anyValue, { maxKeys: 4 }),
  fc.constantFrom<unknown>(
    { 'a\u0000b': 1 },
    { note: 'vic\ud800tim' },
    { note: 'a\u0000' },
    { '\udfff': 'x' },
    { big: 'x'.repeat(20_000) },
  ),
  fc.integer({ min: 1, max: 40 }).map((depth) => {
    let nested: unknown = 'deep';
    for (let level = 0; level < depth; level += 1) nested = { nested };
    return nested;
  }),
);

const platform = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('instagram', 'facebook', 'tiktok', 'email') },
  { weight: 2, arbitrary: hostileString },
);

/** A valid body for some platform, then perhaps broken: a field dropped, retyped or added, prototype keys. */
const body = fc.oneof(
  fc
    .tuple(
      fc.constantFrom<Record<string, unknown>>(
        emailBody(PASSWORD),
        tokenBody('instagram', ACCESS_TOKEN, ACCESS_TOKEN),
        tokenBody('tiktok', ACCESS_TOKEN),
      ),
      fc.constantFrom(
        'platform',
        'smtp_host',
        'smtp_port',
        'smtp_password',
        'access_token',
        'user_id',
        'status',
        'foo',
        'metadata',
      ),
      fc.oneof(fc.constant(undefined), anyValue),
      fc.boolean(),
      hostileMetadata,
    )
    .map(([valid, field, value, withPrototypeKeys, metadata]) => {
      const json = JSON.stringify({ ...valid, [field]: field === 'metadata' ? metadata : value });
      return withPrototypeKeys
        ? json.replace('{', '{"__proto__":{"admin":true},"constructor":{"x":1},')
        : json;
    }),
  anyValue.map((value) => JSON.stringify(value) ?? 'undefined'),
  fc.constantFrom(`{"smtp_password":"${PASSWORD}"`, 'not json', '', '[]', `"${PASSWORD}"`),
  fc.constant(JSON.stringify(emailBody(`${PASSWORD}${'x'.repeat(70 * 1024)}`))),
);

const request = (routes: fc.Arbitrary<ApiRoute>) =>
  fc.record({
    route: routes,
    platform,
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant<string | null>(null) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD') },
    ),
    userId: fc.oneof(fc.constant<string | null>(null), fc.constant(user), hostileString),
    extraQuery: fc.oneof(
      fc.constant(''),
      fc.record({ limit: hostileString, cursor: hostileString }).map((q) => `&${new URLSearchParams(q)}`),
      fc.constant(`&code=${PASSWORD}`),
    ),
    auth: fc.constantFrom<keyof typeof tokens | 'none' | 'garbage'>(
      'valid',
      'valid',
      'valid',
      'expired',
      'foreign',
      'none',
      'garbage',
    ),
    contentType: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      null,
    ),
    body: fc.option(body, { freq: 3 }),
  });

type Generated = typeof request extends (routes: never) => fc.Arbitrary<infer T> ? T : never;

const integrationsChecksum = async () =>
  (
    await selectRows<{ sum: string }>(
      database,
      sql`select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) as sum from social_integrations t`,
    )
  )[0]?.sum;

async function check(generated: Generated) {
  const { route } = generated;
  let path: string;
  try {
    path = route.path(encodeURIComponent(generated.platform));
  } catch {
    path = route.path('email');
  }
  const userQuery = generated.userId === null ? '' : `user_id=${encodeURIComponent(generated.userId)}`;
  const query = `${path.includes('?') ? '&' : '?'}${userQuery}${generated.extraQuery}`;
  const headers: Record<string, string> = {};
  if (generated.auth === 'garbage') headers.authorization = `Bearer ${PASSWORD}`;
  else if (generated.auth !== 'none') headers.authorization = `Bearer ${tokens[generated.auth]}`;
  if (generated.contentType !== null) headers['content-type'] = generated.contentType;
  const method = generated.method ?? route.method;
  const sendsBody = generated.body !== null && method !== 'GET' && method !== 'HEAD';

  // Read per request, not carried over from the previous one: fast-check re-runs shrunk cases after a
  // failure, and a state left by the failing run would be blamed on every case it tries.
  const before = await integrationsChecksum();
  const logsBefore = harness.logLines.length;
  const response = await harness.app.request(`${path}${query}`, {
    method,
    headers,
    ...(sendsBody ? { body: generated.body } : {}),
  });
  requests += 1;
  const text = await responseText(response);

  expect(EXPECTED_STATUSES.has(response.status) || (method === 'HEAD' && response.status < 500)).toBe(true);
  expect(leaks(secrets, { response: text, logs: harness.logLines.slice(logsBefore).join('\n') })).toEqual([]);
  if (response.status >= 400) expect(await integrationsChecksum()).toBe(before);
}

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET },
  });
  tokens.valid = await signToken(user);
  tokens.expired = await signToken(user, { expiresIn: -60 });
  tokens.foreign = await signToken(user, { secret: 'another-issuer-secret-0123456789abcdef' });
  secrets = [PASSWORD, ACCESS_TOKEN, harness.key, JWT_SECRET, tokens.valid];
  for (const seed of [emailBody(PASSWORD), tokenBody('instagram', ACCESS_TOKEN, ACCESS_TOKEN)]) {
    const response = await harness.app.request('/api/integrations', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.valid}`, 'content-type': 'application/json' },
      body: JSON.stringify(seed),
    });
    expect(response.status).toBe(201);
  }
});
afterAll(() => database.dispose());

describe('property-based fuzzing: malformed and hostile requests', () => {
  for (const route of API_ROUTES) {
    it(`${route.method} ${route.name}: no 5xx, no leak, and a rejected request changes nothing`, async () => {
      await fc.assert(fc.asyncProperty(request(fc.constant(route)), check), { numRuns: RUNS_PER_ROUTE });
    }, 300_000);
  }

  it('token subjects: any text as `sub` reads only that user’s own integrations, or is refused', async () => {
    const subject = fc.oneof(
      hostileString,
      fc.constantFrom(user, `${user}\ud800`, `\u202e${user}`, `${user}\u2028`, ' ', '', 'vic\ud800tim'),
    );
    await fc.assert(
      fc.asyncProperty(subject, async (sub) => {
        const response = await harness.app.request('/api/integrations', {
          headers: { authorization: `Bearer ${await signToken(sub)}` },
        });
        requests += 1;
        expect([200, 401, 429]).toContain(response.status);
        const text = await responseText(response);
        if (response.status === 200 && sub !== user) expect(text).not.toContain('"email"');
        if (sub !== user) expect(leaks(secrets, { response: text })).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 300_000);

  it('free-form: any route, any method', async () => {
    await fc.assert(fc.asyncProperty(request(fc.constantFrom(...API_ROUTES)), check), {
      numRuns: FREE_FORM_RUNS,
    });
    expect(requests).toBeGreaterThanOrEqual(API_ROUTES.length * RUNS_PER_ROUTE + FREE_FORM_RUNS);
  }, 300_000);
});
