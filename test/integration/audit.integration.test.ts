import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../support/api-routes.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { leaks } from '../support/leaks.js';
import { createTestApp } from '../support/test-app.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

const PASSWORD = `CANARY_PW_${randomUUID()}`;
const CLIENT = '2001:db8:1:2::7';

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;
const alice = uniqueUserId();
let token: string;

interface Step {
  /** Sent as X-Request-Id; null for a request that must leave no entry. */
  readonly id: string | null;
  readonly request: (id: string) => Response | Promise<Response>;
  readonly status: number;
  readonly entry: Record<string, unknown>;
}

/** The ids the service gave the requests sent with each X-Request-Id, in order. */
const served = new Map<string, string[]>();
const servedIds = (clientId: string) => served.get(clientId) ?? [];

/** Sends one request with its own X-Request-Id, noting the id the service answered (its entry carries that). */
async function call(
  requestId: string,
  method: string,
  path: string,
  init: { token?: string | null; body?: string } = {},
) {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await harness.app.request(path, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  served.set(requestId, [...servedIds(requestId), response.headers.get('x-request-id') ?? '']);
  return response;
}

const auditRows = () =>
  selectRows<Record<string, unknown>>(database, sql`select * from audit_log order by id`);

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, {
    env: { AUTH_JWT_SECRET: JWT_SECRET },
    socketAddress: () => CLIENT,
  });
  token = await signToken(alice);
});
afterAll(() => database.dispose());

describe('the audit log', () => {
  const steps: [string, Step][] = [];
  const step = (name: string, value: Step) => steps.push([name, value]);
  const email = JSON.stringify(emailBody(PASSWORD));

  step('create', {
    id: 'create',
    request: (id) => call(id, 'POST', '/api/integrations', { body: email }),
    status: 201,
    entry: { action: 'integration.create', outcome: 'success', platform: 'email', code: null, actor: alice },
  });
  step('update', {
    id: 'update',
    request: (id) => call(id, 'POST', '/api/integrations', { body: email }),
    status: 200,
    entry: { action: 'integration.update', outcome: 'success', platform: 'email', code: null },
  });
  step('save refused by the SMTP server', {
    id: 'save-refused',
    request: (id) =>
      harness.mailVerifier.refusingLogins(() => call(id, 'POST', '/api/integrations', { body: email })),
    status: 400,
    entry: { action: 'integration.save', outcome: 'failure', platform: 'email', code: 'smtp_auth_failed' },
  });
  step('validation that finds the credentials failing', {
    id: 'validate-failing',
    request: (id) =>
      harness.mailVerifier.refusingLogins(() => call(id, 'POST', '/api/integrations/email/validate')),
    status: 200,
    entry: {
      action: 'integration.validate',
      outcome: 'failure',
      platform: 'email',
      code: 'smtp_auth_failed',
    },
  });
  step('validation of nothing', {
    id: 'validate-absent',
    request: (id) => call(id, 'POST', '/api/integrations/tiktok/validate'),
    status: 404,
    entry: {
      action: 'integration.validate',
      outcome: 'failure',
      platform: 'tiktok',
      code: 'integration_not_found',
    },
  });
  step('a body that fails the schema', {
    id: 'save-invalid',
    request: (id) => call(id, 'POST', '/api/integrations', { body: '{"platform":"email"}' }),
    status: 400,
    entry: { action: 'integration.save', outcome: 'failure', platform: null, code: 'invalid_request' },
  });
  step('a body over the limit', {
    id: 'save-too-large',
    request: (id) =>
      call(id, 'POST', '/api/integrations', {
        body: JSON.stringify(emailBody(`${PASSWORD}${'x'.repeat(70_000)}`)),
      }),
    status: 413,
    entry: { action: 'integration.save', outcome: 'failure', platform: null, code: 'payload_too_large' },
  });
  step('another user’s data', {
    id: 'bola',
    request: (id) => call(id, 'DELETE', '/api/integrations/email?user_id=bob'),
    status: 403,
    entry: {
      action: 'request.denied',
      outcome: 'denied',
      code: 'forbidden',
      actor: alice,
      target_user_id: 'bob',
    },
  });
  step('another user’s data, named with a NUL byte (issue 14)', {
    id: 'bola-nul',
    request: (id) => call(id, 'GET', '/api/integrations?user_id=bob%00'),
    status: 403,
    entry: {
      action: 'request.denied',
      outcome: 'denied',
      code: 'forbidden',
      actor: alice,
      target_user_id: 'bob\\u0000',
    },
  });
  step('no token', {
    id: 'anonymous',
    request: (id) => call(id, 'POST', '/api/integrations', { token: null, body: email }),
    status: 401,
    entry: { action: 'request.denied', outcome: 'denied', code: 'unauthenticated', actor: null },
  });
  step('a forged line in the path', {
    id: 'forged',
    request: (id) => call(id, 'DELETE', `/api/integrations/${encodeURIComponent('x\n{"action":"forged"}')}`),
    status: 404,
    entry: { action: 'integration.delete', outcome: 'failure', platform: null, code: 'unknown_platform' },
  });
  step('delete', {
    id: 'delete',
    request: (id) => call(id, 'DELETE', '/api/integrations/email'),
    status: 204,
    entry: {
      action: 'integration.delete',
      outcome: 'success',
      platform: 'email',
      code: null,
      revocation: 'not_offered',
    },
  });
  step('delete again', {
    id: 'delete-again',
    request: (id) => call(id, 'DELETE', '/api/integrations/email'),
    status: 204,
    entry: { action: 'integration.delete', outcome: 'success', platform: 'email', code: null },
  });
  step('a read', {
    id: null,
    request: (id) => call(id, 'GET', '/api/integrations'),
    status: 200,
    entry: {},
  });

  it('writes exactly one entry per mutating or denied request, with its outcome and nothing secret', async () => {
    for (const [name, { id, request, status }] of steps) {
      expect({ name, status: (await request(id ?? 'read')).status }).toEqual({ name, status });
    }

    const rows = await auditRows();
    for (const [name, { id, entry }] of steps) {
      const found = rows.filter((row) => servedIds(id ?? 'read').includes(String(row.request_id)));
      expect({ name, entries: found.length }).toEqual({ name, entries: id === null ? 0 : 1 });
      if (id === null) continue;
      expect(found[0]).toMatchObject({ ...entry, client_address: CLIENT });
      expect(String(found[0]?.occurred_at)).not.toBe('Invalid Date');
    }
    expect(rows).toHaveLength(steps.filter(([, { id }]) => id !== null).length);
    expect(leaks([PASSWORD, token], { audit_log: JSON.stringify(rows) })).toEqual([]);
  });

  it('pages through the caller’s own entries, newest first', async () => {
    const pages: { entries: { id: string; request_id: string }[]; next_cursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const response = await call(
        randomUUID(),
        'GET',
        `/api/integrations/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as (typeof pages)[number];
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor !== null);

    const entries = pages.flatMap((page) => page.entries);
    const clientIds = new Map([...served].flatMap(([clientId, ids]) => ids.map((id) => [id, clientId])));
    expect(entries.map((entry) => clientIds.get(entry.request_id))).toEqual([
      'delete-again',
      'delete',
      'forged',
      'bola-nul',
      'bola',
      'save-too-large',
      'save-invalid',
      'validate-absent',
      'validate-failing',
      'save-refused',
      'update',
      'create',
    ]);
    expect(pages.map((page) => page.entries.length)).toEqual([4, 4, 4]);
    const ids = entries.map((entry) => Number(entry.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(pages[0]?.entries[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      occurred_at: expect.stringMatching(/Z$/),
      action: 'integration.delete',
      outcome: 'success',
      platform: 'email',
      code: null,
      revocation: null,
      target_user_id: null,
      request_id: servedIds('delete-again')[0],
      client_address: CLIENT,
    });
  });

  it('cannot be changed or erased, not even by the service’s own database role', async () => {
    const before = await auditRows();

    for (const statement of [
      sql`update audit_log set outcome = 'success'`,
      sql`delete from audit_log`,
      sql`truncate audit_log`,
    ]) {
      await expect(database.handle.db.execute(statement)).rejects.toThrow();
    }
    expect(await auditRows()).toEqual(before);
  });

  it('writes one entry for all the anonymous denials of one client in a minute (issue 14)', async () => {
    const anonymous = await createTestApp(database, {
      clock: { now: () => new Date('2026-03-01T12:00:30.000Z') },
      env: { AUTH_JWT_SECRET: JWT_SECRET },
      socketAddress: (c) => c.req.header('x-test-peer'),
    });
    const floodIds: string[] = [];
    const deny = async (peer: string) => {
      const response = await anonymous.app.request('/api/integrations', { headers: { 'x-test-peer': peer } });
      floodIds.push(response.headers.get('x-request-id') ?? '');
      return response;
    };

    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await deny('192.0.2.1')).status);
    statuses.push((await deny('192.0.2.2')).status);

    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const entries = (await auditRows()).filter((row) => floodIds.includes(String(row.request_id)));
    expect(entries.map((row) => [row.client_address, row.code])).toEqual([
      ['192.0.2.1', 'unauthenticated'],
      ['192.0.2.2', 'unauthenticated'],
    ]);
  });

  it('stamps entries with the service’s own request id, keeping a client’s X-Request-Id beside it in the log only (issue 14)', async () => {
    const chosen = 'delete-again';
    const response = await call(chosen, 'DELETE', '/api/integrations/email');
    const own = response.headers.get('x-request-id');

    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await auditRows();
    expect(rows.filter((row) => row.request_id === own)).toHaveLength(1);
    expect(rows.filter((row) => row.request_id === chosen)).toEqual([]);
    const line = harness.logLines.map((text) => JSON.parse(text)).find((entry) => entry.request_id === own);
    expect(line).toMatchObject({ msg: 'request', client_request_id: chosen, status: 204 });
  });

  it('refuses a bad page request', async () => {
    const response = await call(randomUUID(), 'GET', '/api/integrations/audit?limit=1000&cursor=abc');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      errors: [
        { path: 'limit', message: 'limit must be a whole number from 1 to 100' },
        { path: 'cursor', message: 'cursor must be the next_cursor of a previous page' },
      ],
    });
  });
});
