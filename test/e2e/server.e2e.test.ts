import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { postgresServerUrl, postgresUnavailableReason, serverDatabases } from '../support/databases.js';
import { jsonPoster } from '../support/http-json.js';
import { failedStart, type ServerProcess, startServer } from '../support/server-process.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestSmtpServer,
} from '../support/smtp-test-server.js';
import { JWT_SECRET, signToken } from '../support/tokens.js';

const USER = 'outreach@example.com';
const PASSWORD = 'CANARY_PW_e2e-Zq8!correct';
const SERVER_REJECTION = 'CANARY_BANNER 535 go away';

let smtp: TestSmtpServer;
let workDir: string;
let caFile: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'social-integrations-e2e-'));
  const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
  caFile = join(workDir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  smtp = await startTestSmtpServer({
    certificate,
    user: USER,
    password: PASSWORD,
    rejection: SERVER_REJECTION,
  });
});
afterAll(async () => {
  await smtp.close();
  rmSync(workDir, { recursive: true, force: true });
});

const emailIntegration = (password = PASSWORD) => ({
  platform: 'email',
  email_address: USER,
  smtp_host: 'localhost',
  smtp_port: smtp.port,
  smtp_username: USER,
  smtp_password: password,
});

const postgresSkip = await postgresUnavailableReason();

for (const database of await serverDatabases()) {
  describe.skipIf(database.skip)(`the server process on ${database.name}`, () => {
    let server: ServerProcess;
    let dispose: () => Promise<void>;
    let base: string;

    beforeAll(async () => {
      const prepared = await database.open();
      dispose = prepared.dispose;
      server = await startServer({
        ...prepared.env,
        DATA_DIR: mkdtempSync(join(workDir, 'data-')),
        SMTP_ALLOW_PRIVATE_HOSTS: 'true',
        SMTP_ALLOWED_PORTS: String(smtp.port),
        NODE_EXTRA_CA_CERTS: caFile,
        OUTBOUND_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'debug',
      });
      base = `${server.baseUrl}/api/integrations`;
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await dispose?.();
    });

    const post = jsonPoster(() => base);

    it('runs the original design’s manual steps: create, capabilities, validate, then delete', async () => {
      const created = await post('/?user_id=alice', emailIntegration());
      const createdText = await created.text();
      expect(created.status).toBe(201);
      expect(JSON.parse(createdText)).toMatchObject({
        user_id: 'alice',
        platform: 'email',
        connection_status: 'connected',
        smtp_host: 'localhost',
        smtp_password: '********',
      });
      expect(smtp.logins.at(-1)).toEqual({ username: USER, password: PASSWORD, method: 'PLAIN' });

      const capabilities = await (await fetch(`${base}/capabilities?user_id=alice`)).json();
      expect(
        capabilities.map((entry: { platform: string; can_send_dm: boolean }) => [
          entry.platform,
          entry.can_send_dm,
        ]),
      ).toEqual([
        ['instagram', false],
        ['facebook', false],
        ['tiktok', false],
        ['email', true],
      ]);

      const validated = await post('/email/validate?user_id=alice');
      expect(validated.status).toBe(200);
      expect(await validated.json()).toMatchObject({
        valid: true,
        detail: null,
        integration: { connection_status: 'connected' },
      });

      expect((await fetch(`${base}/email?user_id=alice`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${base}/?user_id=alice`)).json()).toEqual([]);
      expect(createdText).not.toContain(PASSWORD);
    });

    it('refuses a wrong SMTP password with the clear sentence and saves nothing', async () => {
      const response = await post('/?user_id=bob', emailIntegration('wrong password'));
      const text = await response.text();

      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toEqual({
        detail: 'SMTP authentication failed - check username and password',
        code: 'smtp_auth_failed',
      });
      expect(text).not.toContain('CANARY_BANNER');
      expect(await (await fetch(`${base}?user_id=bob`)).json()).toEqual([]);
    });

    it('never shows one user’s integration to another', async () => {
      await post('/?user_id=carol', emailIntegration());

      expect(await (await fetch(`${base}?user_id=mallory`)).json()).toEqual([]);
      const capability = await (await fetch(`${base}/email/capabilities?user_id=mallory`)).json();
      expect(capability).toMatchObject({ is_connected: false, can_send_dm: false });
      expect((await post('/email/validate?user_id=mallory')).status).toBe(404);
      expect((await fetch(`${base}/email?user_id=mallory`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${base}?user_id=carol`)).json()).toHaveLength(1);
    });

    it('answers bad requests with the contract’s error shape', async () => {
      const unknown = await fetch(`${base}/myspace/capabilities?user_id=alice`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 'unknown_platform' });

      const missingUser = await fetch(`${base}/capabilities`);
      expect(missingUser.status).toBe(400);
      expect(await missingUser.json()).toMatchObject({
        code: 'invalid_request',
        errors: [{ path: 'user_id' }],
      });

      const malformed = await fetch(`${base}/?user_id=alice`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"platform":',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({
        detail: 'The request body is not valid JSON.',
        code: 'invalid_request',
      });

      const badPort = await post('/?user_id=alice', { ...emailIntegration(), smtp_port: 0 });
      expect(badPort.status).toBe(400);
      expect(await badPort.json()).toMatchObject({ errors: [{ path: 'smtp_port' }] });
    });

    it('is healthy and ready, and logs one JSON line per request without secrets', async () => {
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);

      const lines = server.output().trim().split('\n');
      const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');
      expect(requests.length).toBeGreaterThan(10);
      expect(requests.at(-1)).toMatchObject({ method: 'GET', path: '/readyz', status: 200 });
      expect(server.output()).not.toContain(PASSWORD);
      expect(server.output()).not.toContain('user_id=');
    });

    it('exits cleanly on SIGTERM', async () => {
      expect(await server.stop()).toBe(0);
    });
  });
}

describe('the server process with JWT authentication', () => {
  let server: ServerProcess;
  let base: string;

  beforeAll(async () => {
    server = await startServer({
      DATA_DIR: mkdtempSync(join(workDir, 'jwt-')),
      AUTH_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: 'debug',
    });
    base = `${server.baseUrl}/api/integrations`;
  }, 60_000);
  afterAll(() => server?.stop());

  it('identifies the caller by the token, refuses everyone else, and audits with the socket’s address', async () => {
    const token = await signToken('erin');
    const auth = { authorization: `Bearer ${token}` };

    const anonymous = await fetch(`${base}/`);
    const own = await fetch(`${base}/`, { headers: auth });
    const foreign = await fetch(`${base}/email?user_id=frank`, { method: 'DELETE', headers: auth });
    const deleted = await fetch(`${base}/email`, { method: 'DELETE', headers: auth });
    const audit = await (await fetch(`${base}/audit`, { headers: auth })).json();

    expect([anonymous.status, own.status, foreign.status, deleted.status]).toEqual([401, 200, 403, 204]);
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'integration.delete',
        outcome: 'success',
        client_address: '127.0.0.1',
      }),
      expect.objectContaining({ action: 'request.denied', code: 'forbidden', target_user_id: 'frank' }),
    ]);
    expect(server.output()).not.toContain(token);
    expect(server.output()).not.toContain(JWT_SECRET);
  });
});

describe('start-up refuses a bad configuration with one clear line', () => {
  it('names every bad variable at once', async () => {
    const { code, output } = await failedStart({ PORT: 'eighty', LOG_LEVEL: 'loud', NODE_ENV: 'production' });

    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(
      /^Invalid configuration: PORT must be a port number; LOG_LEVEL .*; ENCRYPTION_KEY is required when NODE_ENV=production/,
    );
  });

  it('refuses production without JWT settings, because user_id alone lets anyone be anyone', async () => {
    const { code, output } = await failedStart({
      NODE_ENV: 'production',
      ENCRYPTION_KEY: generateFernetKey(),
    });

    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL is required when NODE_ENV=production (ALLOW_INSECURE_USER_ID=true lets anyone act as any user_id)',
    );
  });

  it('rejects an invalid ENCRYPTION_KEY without printing it', async () => {
    const secretLookingKey = `${generateFernetKey()},not-a-fernet-key-CANARY`;
    const { code, output } = await failedStart({ ENCRYPTION_KEY: secretLookingKey, DATA_DIR: workDir });

    expect(code).toBe(1);
    expect(output.trim()).toBe(
      "Invalid configuration: ENCRYPTION_KEY: 2nd Fernet key is invalid: Fernet key is not valid base64 with '=' padding (expected 44 characters)",
    );
    expect(output).not.toContain('CANARY');
  });

  it.skipIf(postgresSkip !== null)(
    'asks for the migration when the PostgreSQL schema is missing',
    async () => {
      const admin = postgres(postgresServerUrl(), { max: 1, onnotice: () => {} });
      const name = `si_empty_${Date.now()}`;
      await admin.unsafe(`create database ${name}`);
      try {
        const url = new URL(postgresServerUrl());
        url.pathname = `/${name}`;
        const { code, output } = await failedStart({
          DATABASE_URL: url.toString(),
          ENCRYPTION_KEY: generateFernetKey(),
        });

        expect(code).toBe(1);
        expect(output.trim()).toMatch(
          /lacks migrations 0000_social_integrations, 0001_oauth_states, .*: run npm run db:migrate first\.$/,
        );
      } finally {
        await admin.unsafe(`drop database ${name} with (force)`);
        await admin.end();
      }
    },
  );
});
