import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ApiError, AppType, Capability, Integration } from '../../src/client.js';
import { fail } from '../../src/domain/result.js';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';

const emailBody = (smtp_password: string) => ({
  platform: 'email' as const,
  email_address: 'me@example.com',
  smtp_host: 'smtp.example.com',
  smtp_port: 587,
  smtp_username: 'me@example.com',
  smtp_password,
});

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;
let api: ReturnType<typeof hc<AppType>>;

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database);
  // The README's example, with the app answering in-process instead of over a socket.
  api = hc<AppType>('http://localhost:8000', {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => harness.app.request(input, init),
  });
});
afterAll(() => database.dispose());

describe("Hono's typed client over AppType", () => {
  it('reads capabilities with typed query and answer', async () => {
    const user_id = uniqueUserId();
    const response = await api.api.integrations.capabilities.$get({ query: { user_id } });
    expect(response.ok).toBe(true);
    // `ok` narrows the answer to the success type; error statuses carry the error shape.
    if (!response.ok) return;
    const capabilities = await response.json();
    expectTypeOf(capabilities).toEqualTypeOf<Capability[]>();
    expect(capabilities.map((capability) => [capability.platform, capability.can_send_dm])).toEqual([
      ['instagram', false],
      ['facebook', false],
      ['tiktok', false],
      ['email', false],
    ]);
  });

  it('saves, validates and deletes with typed bodies, path parameters and statuses', async () => {
    const user_id = uniqueUserId();
    const saved = await api.api.integrations.$post({
      query: { user_id },
      json: emailBody('CANARY_PW_typed-client'),
    });
    expect(saved.status).toBe(201);
    if (saved.status === 201) {
      const integration = await saved.json();
      expectTypeOf(integration.connection_status).toEqualTypeOf<Integration['connection_status']>();
      expectTypeOf(integration.smtp_port).toEqualTypeOf<number | null>();
      expect(integration).toMatchObject({ platform: 'email', smtp_password: '********' });
    }
    const validated = await api.api.integrations[':platform'].validate.$post({
      param: { platform: 'email' },
      query: { user_id },
    });
    expect(await validated.json()).toMatchObject({
      valid: true,
      integration: { connection_status: 'connected' },
    });
    const deleted = await api.api.integrations[':platform'].$delete({
      param: { platform: 'email' },
      query: { user_id },
    });
    expect(deleted.status).toBe(204);
  });

  it('types error answers with the error shape', async () => {
    harness.mailVerifier.next = fail(
      'smtp_auth_failed',
      'SMTP authentication failed - check username and password',
    );
    const response = await api.api.integrations.$post({
      query: { user_id: uniqueUserId() },
      json: emailBody('wrong'),
    });
    expect(response.status).toBe(400);
    if (response.status === 400) {
      const error = await response.json();
      expectTypeOf(error).toEqualTypeOf<ApiError>();
      expect(error).toEqual({
        code: 'smtp_auth_failed',
        detail: 'SMTP authentication failed - check username and password',
      });
    }
  });

  it('reaches the probes and the OAuth routes', async () => {
    expect(await (await api.healthz.$get()).json()).toEqual({ status: 'ok' });
    const started = await api.api.integrations.oauth[':platform'].authorize.$get({
      param: { platform: 'tiktok' },
      query: { user_id: uniqueUserId(), redirect_uri: 'http://localhost:5173/oauth/callback' },
    });
    expect(started.status).toBe(400);
    expect(await started.json()).toEqual({
      code: 'redirect_uri_not_allowed',
      detail: 'No OAuth redirect URIs are configured on this server: set OAUTH_REDIRECT_URIS.',
    });
  });
});
