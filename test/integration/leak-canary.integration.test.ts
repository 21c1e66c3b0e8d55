import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { DatabaseUnavailable } from '../../src/application/ports/database-unavailable.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { giveConsent } from '../fakes/consent.js';
import { API_ROUTES, emailBody, REDIRECT_URI, routeRequest, tokenBody } from '../support/api-routes.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { leaks, responseText } from '../support/leaks.js';
import { exchange } from '../support/platform-exchange.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

const run = randomUUID();
const PASSWORD = `CANARY_PW_${run}`;
const ACCESS_TOKEN = `CANARY_AT_${run}`;
const REFRESH_TOKEN = `CANARY_RT_${run}`;
const CODE = `CANARY_CODE_${run}`;

type Harness = Awaited<ReturnType<typeof createTestApp>>;

let database: TestDatabase;
let harness: Harness;
let limited: Harness;
let down: Harness;
let oauth: Harness;
let fakes: PlatformFakes;
/** Tokens the fake platforms issued through OAuth, read back from the database once stored. */
const issued: string[] = [];
let token: string;
const user = uniqueUserId();
const responses: string[] = [];

/** Sends a request as the user (unless `auth` says otherwise) and keeps the whole response for leakgrep. */
async function send(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string;
    contentType?: string;
    auth?: string | null;
    app?: Harness;
  } = {},
) {
  const headers: Record<string, string> = {};
  if (init.auth !== null) headers.authorization = init.auth ?? `Bearer ${token}`;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await (init.app ?? harness).app.request(path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  responses.push(await responseText(response));
  return response.status;
}

/** Authorize, consent at the fake platform, call back: the tokens the fake issues become canaries too. */
async function connectThroughOAuth(platform: 'tiktok' | 'facebook' | 'instagram', login = '') {
  const query = `redirect_uri=${encodeURIComponent(REDIRECT_URI)}${login}`;
  const started = await oauth.app.request(`/api/integrations/oauth/${platform}/authorize?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  responses.push(await responseText(started.clone()));
  const back = await giveConsent((await started.json()).authorization_url);
  const code = back.searchParams.get('code') ?? '';
  const body = { code, state: back.searchParams.get('state'), redirect_uri: REDIRECT_URI };
  const status = await send(`/api/integrations/oauth/${platform}/callback`, { body, app: oauth });
  const [row] = await selectRows<{ access_token: string | null; refresh_token: string | null }>(
    database,
    sql`select access_token, refresh_token from social_integrations where user_id = ${user} and platform = ${platform}`,
  );
  for (const sealed of [row?.access_token, row?.refresh_token]) {
    if (sealed) issued.push(await oauth.cipher.open(sealed as EncryptedSecret));
  }
  issued.push(code);
  return status;
}

/** Every way an integration with secrets comes into being, one line each. */
const CREATION_PATHS: [string, () => Promise<number>][] = [
  ['email, directly', () => send('/api/integrations', { body: emailBody(PASSWORD) })],
  [
    'instagram, directly',
    () => send('/api/integrations', { body: tokenBody('instagram', ACCESS_TOKEN, REFRESH_TOKEN) }),
  ],
  [
    'tiktok, directly',
    () => send('/api/integrations', { body: tokenBody('tiktok', ACCESS_TOKEN, REFRESH_TOKEN) }),
  ],
  ['facebook, through OAuth with the fake Meta', () => connectThroughOAuth('facebook')],
  [
    'instagram, through Instagram Login with its fake',
    () => connectThroughOAuth('instagram', '&login=instagram'),
  ],
];

/** Error paths, each one line: what is sent and the status it must get. */
const ERROR_PATHS: [string, () => Promise<number>, number][] = [
  [
    'a password of the wrong type',
    () => send('/api/integrations', { body: emailBody({ x: PASSWORD } as never) }),
    400,
  ],
  [
    'a canary under an unknown key',
    () => send('/api/integrations', { body: { ...emailBody(PASSWORD), foo: PASSWORD } }),
    400,
  ],
  [
    'the canary twice, in the query and the body',
    () =>
      send(`/api/integrations?code=${PASSWORD}&state=${PASSWORD}`, {
        body: emailBody(PASSWORD),
      }),
    200,
  ],
  [
    'malformed JSON around a canary',
    () => send('/api/integrations', { raw: `{"smtp_password":"${PASSWORD}"` }),
    400,
  ],
  [
    'a canary sent as text/plain',
    () => send('/api/integrations', { raw: PASSWORD, contentType: 'text/plain' }),
    415,
  ],
  [
    'a canary in a body over the limit',
    () => send('/api/integrations', { body: emailBody(`${PASSWORD}${'x'.repeat(70_000)}`) }),
    413,
  ],
  ['a canary as the bearer token', () => send('/api/integrations', { auth: `Bearer ${CODE}` }), 401],
  [
    'a canary as another scheme’s credentials',
    () => send('/api/integrations', { auth: `Basic ${btoa(`u:${PASSWORD}`)}` }),
    401,
  ],
  [
    'another user’s id',
    () => send('/api/integrations/email/validate?user_id=someone-else', { method: 'POST' }),
    403,
  ],
  ['an unknown platform', () => send('/api/integrations/myspace/validate', { method: 'POST' }), 404],
  [
    'credentials the SMTP server refuses',
    () => harness.mailVerifier.refusingLogins(() => send('/api/integrations', { body: emailBody(PASSWORD) })),
    400,
  ],
  [
    'an unexpected exception that quotes the password',
    async () => {
      const verify = harness.mailVerifier.verify;
      harness.mailVerifier.verify = async (login) => {
        throw new Error(`connection to ${login.host} failed with ${login.password}`);
      };
      try {
        return await send('/api/integrations/email/validate', { method: 'POST' });
      } finally {
        harness.mailVerifier.verify = verify;
      }
    },
    500,
  ],
  [
    'a stored secret that no longer decrypts',
    async () => {
      await database.handle.db.execute(
        sql`update social_integrations set access_token = 'gAAAAAtampered' where user_id = ${user} and platform = 'tiktok'`,
      );
      await send('/api/integrations');
      // 409 credentials_unreadable, and nothing recorded against the account: the key may be at fault.
      return send('/api/integrations/tiktok/validate', { method: 'POST' });
    },
    409,
  ],
  ['the database down', () => send('/api/integrations', { body: emailBody(PASSWORD), app: down }), 503],
  [
    'the rate limit',
    async () => {
      await send('/api/integrations', { body: emailBody(PASSWORD), app: limited });
      return send('/api/integrations', { body: emailBody(PASSWORD), app: limited });
    },
    429,
  ],
];

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, { env: { AUTH_JWT_SECRET: JWT_SECRET } });
  limited = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET, RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_OUTBOUND_PER_MINUTE: '1' },
  });
  const unavailable = async () => {
    throw new DatabaseUnavailable();
  };
  down = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET },
    repository: {
      listByUser: unavailable,
      listCapabilityFacts: unavailable,
      find: unavailable,
      listByMetaUser: unavailable,
      upsert: unavailable,
      changeStatus: unavailable,
      remove: unavailable,
    },
  });
  fakes = await startPlatformFakes([REDIRECT_URI]);
  fakes.meta.pages = [
    { id: '100000000000009', name: 'Canary Page', instagramAccountId: '17841400000000009' },
  ];
  oauth = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET, OAUTH_REDIRECT_URIS: REDIRECT_URI },
    gateways: createPlatformGateways(fakes.settings, { exchange, clock: systemClock, timeoutMs: 2000 }),
    fixedSecrets: [fakes.meta.appSecret, fakes.tiktok.clientSecret, fakes.instagram.appSecret],
  });
  token = await signToken(user);
});
afterAll(async () => {
  await fakes.close();
  await database.dispose();
});

describe('no secret leaks through any response, header, log line or audit entry', () => {
  it.each(CREATION_PATHS)('creates with canary secrets: %s', async (_, create) => {
    // Instagram Login replaces the Instagram integration created directly before it: 200.
    expect([200, 201]).toContain(await create());
  });

  it('exercises every route on every platform', async () => {
    for (const route of API_ROUTES) {
      for (const platform of ['email', 'instagram', 'tiktok']) {
        const [path, init] = routeRequest(route, platform, { query: `?user_id=${user}`, token });
        const response = await harness.app.request(path, init);
        responses.push(await responseText(response));
        expect(response.status).toBeLessThan(500);
      }
    }
    for (const [, create] of CREATION_PATHS) expect(await create()).toBeLessThan(300);
    for (const route of API_ROUTES) {
      const [path, init] = routeRequest(route, 'facebook', { token });
      const response = await oauth.app.request(path, init);
      responses.push(await responseText(response));
      expect(response.status).toBeLessThan(500);
    }
  });

  it.each(ERROR_PATHS)('exercises an error path: %s', async (_, attempt, status) => {
    expect(await attempt()).toBe(status);
  });

  it('finds none of the canaries, the keys or the bearer token in any form', async () => {
    const rows = await selectRows(database, sql`select * from audit_log`);
    const stored = await selectRows(database, sql`select * from social_integrations`);
    const events = await selectRows(database, sql`select * from outbox_events`);
    const secrets = [
      ...[PASSWORD, ACCESS_TOKEN, REFRESH_TOKEN, CODE, JWT_SECRET, token],
      ...[harness.key, limited.key, down.key, oauth.key, fakes.meta.appSecret, fakes.tiktok.clientSecret],
      fakes.instagram.appSecret,
      ...issued,
    ];

    const found = leaks(secrets, {
      responses: responses.join('\n'),
      logs: [harness, limited, down, oauth].flatMap((h) => h.logLines).join('\n'),
      audit_log: JSON.stringify(rows),
      social_integrations: JSON.stringify(stored),
      outbox_events: JSON.stringify(events),
    });

    expect(found).toEqual([]);
    // Saves, checks and deletes on every platform were announced, so the scan had events to read.
    expect(events.length).toBeGreaterThan(10);
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(responses.length).toBeGreaterThan(40);
    expect(
      harness.logLines.some((line) => line.includes('"level":"debug"') || line.includes('"level":"info"')),
    ).toBe(true);
    expect(harness.logLines.some((line) => line.includes('"msg":"unhandled error"'))).toBe(true);
  });
});
