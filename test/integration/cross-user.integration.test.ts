import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, emailBody, routeRequest, tokenBody } from '../support/api-routes.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

const B_PASSWORD = 'CANARY_PW_bob-only-7c1d';

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;
const alice = uniqueUserId();
const bob = uniqueUserId();
const nobody = uniqueUserId();
let aliceToken: string;
let bobToken: string;

const send = (path: string, token: string, init: RequestInit = {}) =>
  harness.app.request(path, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });

const save = (token: string, body: unknown) =>
  send('/api/integrations', token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const rowsOf = (userId: string) =>
  selectRows(database, sql`select * from social_integrations where user_id = ${userId} order by platform`);

async function answer(response: Response) {
  return { status: response.status, body: await response.text() };
}

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET },
  });
  aliceToken = await signToken(alice);
  bobToken = await signToken(bob);
  for (const [token, password] of [
    [aliceToken, 'CANARY_PW_alice-3b9e'],
    [bobToken, B_PASSWORD],
  ] as const) {
    expect((await save(token, emailBody(password))).status).toBe(201);
    expect((await save(token, tokenBody('instagram', `CANARY_AT_${password}-instagram`))).status).toBe(201);
  }
  expect((await save(bobToken, tokenBody('tiktok', 'CANARY_AT_bob-tiktok-0001'))).status).toBe(201);
});
afterAll(() => database.dispose());

describe('two users × every route × {own, other’s, absent}', () => {
  for (const route of API_ROUTES) {
    it(`${route.method} ${route.name}: the owner is served; another user’s id and an unknown id get the same 403`, async () => {
      const bobBefore = await rowsOf(bob);
      const bobLogins = () =>
        harness.mailVerifier.logins.filter((login) => login.password === B_PASSWORD).length;
      const loginsBefore = bobLogins();
      const as = async (target: string) =>
        answer(
          await harness.app.request(
            ...routeRequest(route, 'email', { query: `?user_id=${target}`, token: aliceToken }),
          ),
        );

      const own = await as(alice);
      const others = await as(bob);
      const absent = await as(nobody);

      expect(own.status).toBe(route.ownStatus);
      expect(others).toEqual({
        status: 403,
        body: JSON.stringify({
          detail: 'user_id must be left out or name the user the bearer token belongs to.',
          code: 'forbidden',
        }),
      });
      expect(absent).toEqual(others);
      expect(others.body).not.toContain(bob);
      expect(await rowsOf(bob)).toEqual(bobBefore);
      expect(bobLogins()).toBe(loginsBefore);
      if (route.name === 'delete')
        expect((await save(aliceToken, emailBody('CANARY_PW_alice-3b9e'))).status).toBe(201);
    });
  }

  it('shows a platform only another user has exactly as one nobody has, on every route that names a platform', async () => {
    const byPath = API_ROUTES.filter(
      // OAuth routes start something new rather than read what is stored.
      (route) =>
        route.body === undefined &&
        route.path('tiktok').includes('tiktok') &&
        !route.name.startsWith('oauth'),
    );
    const aliceSees = async () =>
      Promise.all(
        byPath.map(async (route) =>
          answer(await harness.app.request(...routeRequest(route, 'tiktok', { token: aliceToken }))),
        ),
      );

    const whileBobHasIt = await aliceSees();
    expect((await rowsOf(bob)).map((row) => row.platform)).toContain('tiktok');
    expect((await send('/api/integrations/tiktok', bobToken, { method: 'DELETE' })).status).toBe(204);
    const onceNobodyHasIt = await aliceSees();

    expect(byPath.map((route) => route.name)).toEqual([
      'one capability',
      'validate',
      'delete',
      'recipient check',
    ]);
    expect(whileBobHasIt).toEqual(onceNobodyHasIt);
    expect(whileBobHasIt[1]).toEqual({
      status: 404,
      body: JSON.stringify({
        detail: 'No TikTok integration exists for this user.',
        code: 'integration_not_found',
      }),
    });
  });

  it('lists and audits only the caller’s own data', async () => {
    const list = (await (await send('/api/integrations', aliceToken)).json()) as { user_id: string }[];
    const audit = (await (await send('/api/integrations/audit', aliceToken)).json()) as {
      entries: { request_id: string }[];
    };
    const bobAudit = (await (await send('/api/integrations/audit', bobToken)).json()) as {
      entries: { request_id: string }[];
    };

    expect(new Set(list.map((row) => row.user_id))).toEqual(new Set([alice]));
    const aliceRequests = new Set(audit.entries.map((entry) => entry.request_id));
    expect(bobAudit.entries.some((entry) => aliceRequests.has(entry.request_id))).toBe(false);
  });

  it('refuses a user_id in the body as an unknown field and leaves the other user’s row alone', async () => {
    const before = await rowsOf(bob);

    const response = await save(aliceToken, { ...emailBody('CANARY_PW_alice-3b9e'), user_id: bob });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request', errors: [{ path: '(body)' }] });
    expect(await rowsOf(bob)).toEqual(before);
  });
});
