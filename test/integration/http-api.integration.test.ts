import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { fail, ok } from '../../src/domain/result.js';
import { tokenBody } from '../support/api-routes.js';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { ScriptedGateway } from '../support/fakes.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';

const PASSWORD = 'CANARY_PW_7f3a9c-correct horse';
const ACCESS_TOKEN = 'CANARY_AT_EAAGm0PX4ZCpsBAKZCZBtokenWXYZ';

const emailBody = (overrides: Record<string, unknown> = {}) => ({
  platform: 'email',
  email_address: 'me@example.com',
  smtp_host: 'smtp.example.com',
  smtp_port: 587,
  smtp_username: 'me@example.com',
  smtp_password: PASSWORD,
  ...overrides,
});

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  harness.app.request(path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

async function rawRow(userId: string, platform: string) {
  const result = await database.handle.db.execute(
    sql`select * from social_integrations where user_id = ${userId} and platform = ${platform}`,
  );
  return (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
}

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database);
});
afterAll(() => database.dispose());

describe('POST /api/integrations (email)', () => {
  it('validates, encrypts the password at rest and answers 201 with it masked', async () => {
    const userId = uniqueUserId();
    const response = await call('POST', `/api/integrations?user_id=${userId}`, emailBody());
    const text = await response.text();

    expect(response.status).toBe(201);
    expect(JSON.parse(text)).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: userId,
      platform: 'email',
      login_type: null,
      connection_status: 'connected',
      status_detail: null,
      scopes_granted: [],
      account_id: null,
      page_id: null,
      business_id: null,
      access_token: null,
      refresh_token: null,
      token_expires_at: null,
      last_verified_at: expect.stringMatching(/Z$/),
      email_address: 'me@example.com',
      smtp_host: 'smtp.example.com',
      smtp_port: 587,
      smtp_username: 'me@example.com',
      smtp_password: '********',
      imap_host: null,
      imap_port: null,
      imap_username: null,
      imap_password: null,
      metadata: {},
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(harness.mailVerifier.logins.at(-1)).toMatchObject({
      host: 'smtp.example.com',
      password: PASSWORD,
    });

    const row = await rawRow(userId, 'email');
    expect(row?.smtp_password).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/);
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(await harness.cipher.open(row?.smtp_password as EncryptedSecret)).toBe(PASSWORD);
    expect(text).not.toContain(PASSWORD);
    expect(harness.logLines.join('\n')).not.toContain(PASSWORD);
  });

  it('answers 200 and keeps the id when it replaces the user’s integration', async () => {
    const userId = uniqueUserId();
    const first = await (await call('POST', `/api/integrations?user_id=${userId}`, emailBody())).json();
    const second = await call('POST', `/api/integrations/?user_id=${userId}`, emailBody({ smtp_port: 465 }));

    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ id: first.id, smtp_port: 465 });
  });

  it('answers 400 with the verifier’s sentence and leaves the existing integration untouched', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());
    const before = await rawRow(userId, 'email');
    harness.mailVerifier.next = fail(
      'smtp_auth_failed',
      'SMTP authentication failed - check username and password',
    );

    const response = await call(
      'POST',
      `/api/integrations?user_id=${userId}`,
      emailBody({ smtp_port: 2525 }),
    );
    harness.mailVerifier.next = { ok: true, value: undefined };

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'SMTP authentication failed - check username and password',
      code: 'smtp_auth_failed',
    });
    expect(await rawRow(userId, 'email')).toEqual(before);
  });
});

describe('POST /api/integrations (token platforms)', () => {
  it('stores what the platform reports over what the caller claimed, with tokens encrypted and masked', async () => {
    const userId = uniqueUserId();
    const response = await call('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'instagram',
      access_token: ACCESS_TOKEN,
      refresh_token: null,
      token_expires_at: '2099-01-01T00:00:00Z',
      page_id: 'caller-page',
      account_id: 'caller-account',
      business_id: 'caller-business',
      metadata: { note: 'from caller' },
    });
    const body = await response.json();

    expect(response.status).toBe(201);
    expect(body).toMatchObject({
      platform: 'instagram',
      access_token: '****WXYZ',
      refresh_token: null,
      scopes_granted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
      token_expires_at: '2030-01-01T00:00:00.000Z',
      page_id: '100000000000001',
      account_id: '17841400000000001',
      business_id: 'caller-business',
      metadata: { note: 'from caller', username: 'acme.studio' },
    });
    expect(harness.gateway.validations.at(-1)).toEqual({ accessToken: ACCESS_TOKEN, pageId: 'caller-page' });
    const row = await rawRow(userId, 'instagram');
    expect(row?.access_token).toMatch(/^gAAAAA/);
    expect(JSON.stringify(row)).not.toContain(ACCESS_TOKEN);
  });

  it('keeps the stored refresh token when the same account reconnects without one', async () => {
    const userId = uniqueUserId();
    const first = {
      platform: 'tiktok',
      access_token: ACCESS_TOKEN,
      refresh_token: 'rft.CANARY_RT_first-refresh',
    };
    await call('POST', `/api/integrations?user_id=${userId}`, first);
    const stored = await rawRow(userId, 'tiktok');

    const again = await call('POST', `/api/integrations?user_id=${userId}`, {
      ...first,
      refresh_token: null,
    });

    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ refresh_token: '****resh' });
    expect((await rawRow(userId, 'tiktok'))?.refresh_token).toBe(stored?.refresh_token);
  });

  it('refuses a token the platform rejects with its sentence and saves nothing', async () => {
    const userId = uniqueUserId();
    harness.gateway.next = fail('token_revoked', 'Your TikTok access was revoked. Reconnect your account.');
    const response = await call('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'tiktok',
      access_token: ACCESS_TOKEN,
    });
    harness.gateway.next = new ScriptedGateway().next;

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'Your TikTok access was revoked. Reconnect your account.',
      code: 'token_revoked',
    });
    expect(await rawRow(userId, 'tiktok')).toBeUndefined();
  });
});

describe('GET /api/integrations and capabilities', () => {
  it('lists only the caller’s integrations', async () => {
    const owner = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${owner}`, emailBody());

    const own = await (await call('GET', `/api/integrations?user_id=${owner}`)).json();
    const other = await (await call('GET', `/api/integrations/?user_id=${uniqueUserId()}`)).json();

    expect(own.map((row: { user_id: string }) => row.user_id)).toEqual([owner]);
    expect(other).toEqual([]);
  });

  it('answers all four platforms in order, connected or not', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());

    const response = await call('GET', `/api/integrations/capabilities?user_id=${userId}`);
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body.map((capability: { platform: string }) => capability.platform)).toEqual([
      'instagram',
      'facebook',
      'tiktok',
      'email',
    ]);
    expect(body[3]).toEqual({
      platform: 'email',
      is_connected: true,
      connection_status: 'connected',
      can_send_dm: true,
      can_discover: true,
      can_read_messages: false,
      reason: null,
      reason_code: null,
      missing_scopes: [],
      limitations: [
        'Replies are not read: connect the email integration again with imap_host (and imap_port, imap_username, imap_password) to read them over IMAP.',
      ],
    });
    expect(body[0]).toMatchObject({ is_connected: false, can_send_dm: false, reason_code: 'not_connected' });
  });

  it('answers one platform’s capability, and 404 for an unknown platform', async () => {
    const userId = uniqueUserId();
    const tiktok = await call('GET', `/api/integrations/tiktok/capabilities/?user_id=${userId}`);
    const unknown = await call('GET', `/api/integrations/myspace/capabilities?user_id=${userId}`);

    expect(await tiktok.json()).toMatchObject({
      platform: 'tiktok',
      can_send_dm: false,
      reason: 'TikTok does not provide an official Direct Message API.',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      detail: 'Unknown platform. Use one of: instagram, facebook, tiktok, email.',
      code: 'unknown_platform',
    });
  });

  it('masks tokens from the masks stored with them, without decrypting', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'facebook',
      access_token: ACCESS_TOKEN,
    });
    // A sealed token nothing could open: listing never tries.
    await database.handle.db.execute(
      sql`update social_integrations set access_token = 'gAAAAAtampered' where user_id = ${userId}`,
    );

    const response = await call('GET', `/api/integrations?user_id=${userId}`);

    expect(response.status).toBe(200);
    expect((await response.json())[0]).toMatchObject({
      connection_status: 'connected',
      access_token: `****${ACCESS_TOKEN.slice(-4)}`,
    });
  });

  it('reports a secret stored before masks were kept that it cannot decrypt as an error, not a failed list', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'facebook',
      access_token: ACCESS_TOKEN,
    });
    await database.handle.db.execute(
      sql`update social_integrations set access_token = 'gAAAAAtampered', access_token_mask = null
          where user_id = ${userId}`,
    );

    const response = await call('GET', `/api/integrations?user_id=${userId}`);

    expect(response.status).toBe(200);
    expect((await response.json())[0]).toMatchObject({
      connection_status: 'error',
      status_detail:
        'The stored credentials cannot be read with the configured encryption key. Reconnect this account.',
      access_token: '****',
    });
  });
});

describe('POST /api/integrations/{platform}/validate', () => {
  it('records a successful check', async () => {
    const userId = uniqueUserId();
    const created = await (await call('POST', `/api/integrations?user_id=${userId}`, emailBody())).json();

    const response = await call('POST', `/api/integrations/email/validate?user_id=${userId}`);
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      valid: true,
      detail: null,
      integration: { connection_status: 'connected' },
    });
    expect(Date.parse(body.integration.last_verified_at)).toBeGreaterThanOrEqual(
      Date.parse(created.last_verified_at),
    );
    expect(harness.mailVerifier.logins.at(-1)?.password).toBe(PASSWORD);
  });

  it('records a failed check as an error that capabilities explain', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());
    harness.mailVerifier.next = fail(
      'smtp_auth_failed',
      'SMTP authentication failed - check username and password',
    );
    const response = await call('POST', `/api/integrations/email/validate?user_id=${userId}`);
    harness.mailVerifier.next = { ok: true, value: undefined };

    expect(await response.json()).toMatchObject({
      valid: false,
      detail: 'SMTP authentication failed - check username and password',
      integration: { connection_status: 'error', smtp_password: '********' },
    });
    const capability = await (
      await call('GET', `/api/integrations/email/capabilities?user_id=${userId}`)
    ).json();
    expect(capability).toMatchObject({
      can_send_dm: false,
      reason_code: 'validation_failed',
      reason:
        'The last check of your Email connection failed: SMTP authentication failed - check username and password.',
    });
  });

  it('changes nothing when the check says nothing about the credentials (the mail server timed out)', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());
    harness.mailVerifier.next = fail('smtp_timeout', 'The SMTP server did not answer in time.');
    const response = await call('POST', `/api/integrations/email/validate?user_id=${userId}`);
    harness.mailVerifier.next = { ok: true, value: undefined };

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'The SMTP server did not answer in time.',
      code: 'smtp_timeout',
    });
    const [listed] = await (await call('GET', `/api/integrations?user_id=${userId}`)).json();
    expect(listed).toMatchObject({ connection_status: 'connected', status_detail: null });
  });

  it('records nothing against the account when the configured key cannot open its secret', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());
    const otherKey = await createTestApp(database);

    const response = await otherKey.app.request(`/api/integrations/email/validate?user_id=${userId}`, {
      method: 'POST',
    });

    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'credentials_unreadable' });
    expect(otherKey.mailVerifier.logins).toEqual([]);
    const stored = await harness.repository.find(userId, 'email');
    expect(stored).toMatchObject({ connectionStatus: 'connected', statusDetail: null });
  });

  it('fails the check when the platform says the stored token is another account’s (issue 14)', async () => {
    const victim = uniqueUserId();
    const attacker = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${victim}`, tokenBody('instagram', 'victim-token'));
    const usual = harness.gateway.next;
    const answerFor = (accountId: string) => {
      if (usual.ok) harness.gateway.next = ok({ ...usual.value, accountId });
    };
    answerFor('17841400000000999');
    await call('POST', `/api/integrations?user_id=${attacker}`, tokenBody('instagram', 'attacker-token'));
    // The attacker's row gets the victim's ciphertext; the platform then answers for the victim's account.
    await database.handle.db.execute(
      sql`update social_integrations set access_token = (select access_token from social_integrations
          where user_id = ${victim} and platform = 'instagram') where user_id = ${attacker} and platform = 'instagram'`,
    );
    answerFor('17841400000000001');

    const response = await call('POST', `/api/integrations/instagram/validate?user_id=${attacker}`);
    harness.gateway.next = usual;

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      valid: false,
      detail:
        'The stored token belongs to another Instagram account than the one connected. Connect the account again.',
      integration: { connection_status: 'error', account_id: '17841400000000999' },
    });
  });

  it('answers 404 when the user has no integration for the platform', async () => {
    const response = await call('POST', `/api/integrations/instagram/validate?user_id=${uniqueUserId()}`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      detail: 'No Instagram integration exists for this user.',
      code: 'integration_not_found',
    });
  });
});

describe('DELETE /api/integrations/{platform}', () => {
  it('deletes and answers 204 every time', async () => {
    const userId = uniqueUserId();
    await call('POST', `/api/integrations?user_id=${userId}`, emailBody());

    expect((await call('DELETE', `/api/integrations/email?user_id=${userId}`)).status).toBe(204);
    expect((await call('DELETE', `/api/integrations/email/?user_id=${userId}`)).status).toBe(204);
    expect(await rawRow(userId, 'email')).toBeUndefined();
  });

  it('answers 404 for an unknown platform', async () => {
    const response = await call('DELETE', `/api/integrations/__proto__?user_id=${uniqueUserId()}`);
    expect(response.status).toBe(404);
  });
});

describe('bad requests', () => {
  it('names the missing user_id', async () => {
    const response = await call('GET', '/api/integrations/capabilities');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'Invalid request: user_id: Invalid input: expected string, received undefined.',
      code: 'invalid_request',
      errors: [{ path: 'user_id', message: 'Invalid input: expected string, received undefined' }],
    });
  });

  it.each([
    [
      'a port out of range',
      emailBody({ smtp_port: 70000 }),
      'smtp_port',
      'smtp_port must be between 1 and 65535',
    ],
    [
      'a port given as text',
      emailBody({ smtp_port: '587' }),
      'smtp_port',
      'smtp_port must be a whole number',
    ],
    ['a missing password', emailBody({ smtp_password: undefined }), 'smtp_password', expect.any(String)],
    [
      'an unknown field',
      emailBody({ connection_status: 'connected' }),
      '(body)',
      expect.stringContaining('connection_status'),
    ],
    [
      'an unknown platform',
      { platform: 'myspace' },
      'platform',
      'platform must be one of instagram, facebook, tiktok, email',
    ],
    [
      'a CRLF in the username',
      emailBody({ smtp_username: 'a\r\nMAIL FROM:<x>' }),
      'smtp_username',
      'smtp_username must not contain control characters',
    ],
    [
      'a host that is not a host name',
      emailBody({ smtp_host: 'smtp.example.com/evil' }),
      'smtp_host',
      'smtp_host must be a host name or IP address',
    ],
  ])(
    'rejects %s with 400 naming the field, without echoing the password',
    async (_name, body, path, message) => {
      const response = await call('POST', `/api/integrations?user_id=${uniqueUserId()}`, body);
      const text = await response.text();

      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ code: 'invalid_request', errors: [{ path, message }] });
      expect(text).not.toContain(PASSWORD);
    },
  );

  const deeplyNested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  it.each([
    ['a NUL in a value', '{"note":"a\\u0000b"}', 'metadata must not contain control characters'],
    ['a NUL in a key', '{"a\\u0000b":1}', 'metadata must not contain control characters'],
    ['a lone surrogate', '{"note":"vic\\ud800tim"}', 'metadata must be well-formed Unicode'],
    ['4,100 levels of nesting', deeplyNested(4100), 'metadata must be nested at most 8 levels deep'],
    ['9 levels of nesting', deeplyNested(9), 'metadata must be nested at most 8 levels deep'],
  ])(
    'rejects metadata with %s with 400, before calling the platform (issue 14)',
    async (_name, metadata, message) => {
      const validationsBefore = harness.gateway.validations.length;
      const body = `{"platform":"instagram","access_token":"${ACCESS_TOKEN}","metadata":${metadata}}`;

      const response = await call('POST', `/api/integrations?user_id=${uniqueUserId()}`, body);

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'invalid_request',
        errors: [{ path: 'metadata', message }],
      });
      expect(harness.gateway.validations.length).toBe(validationsBefore);
    },
  );

  it('accepts metadata of ordinary text, numbers and lists, 8 levels deep', async () => {
    const metadata = `{"label":"Ünïcode 🎉","n":[1,2,{"deep":${'{"a":'.repeat(5)}true${'}'.repeat(5)}}]}`;
    const body = `{"platform":"instagram","access_token":"${ACCESS_TOKEN}","metadata":${metadata}}`;

    const response = await call('POST', `/api/integrations?user_id=${uniqueUserId()}`, body);

    expect(response.status).toBe(201);
    expect((await response.json()).metadata).toMatchObject({ label: 'Ünïcode 🎉' });
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await call(
      'POST',
      `/api/integrations?user_id=${uniqueUserId()}`,
      '{"platform": "email",',
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: 'The request body is not valid JSON.',
      code: 'invalid_request',
    });
  });

  it('rejects a body that is not JSON with 415', async () => {
    const response = await call('POST', `/api/integrations?user_id=${uniqueUserId()}`, undefined, {
      'content-type': 'text/plain',
      'content-length': '2',
    });
    expect(response.status).toBe(415);
  });

  it('rejects a body over 64 KiB with 413', async () => {
    const response = await call(
      'POST',
      `/api/integrations?user_id=${uniqueUserId()}`,
      emailBody({ smtp_password: 'x'.repeat(70 * 1024) }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      detail: 'The request body is larger than 64 KiB.',
      code: 'payload_too_large',
    });
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect(await (await call('GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });
});
