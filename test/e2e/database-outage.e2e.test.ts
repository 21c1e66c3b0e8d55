import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { emailBody } from '../support/api-routes.js';
import {
  postgresTestDatabase,
  postgresUnavailableReason,
  selectRows,
  type TestDatabase,
} from '../support/databases.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestSmtpServer,
} from '../support/smtp-test-server.js';
import { type Outage, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const USER = 'outage@example.com';
const PASSWORD = 'CANARY_PW_outage-4f2a';
const REDIRECT_URI = 'https://app.example.com/settings/callback';
const OUTAGE_BODY = {
  detail: 'The database is not answering. Try again shortly.',
  code: 'service_unavailable',
};

const postgresSkip = await postgresUnavailableReason();

describe.skipIf(postgresSkip !== null)(
  'the database goes away and comes back (TCP proxy cut and restored)',
  () => {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let smtp: TestSmtpServer;
    let server: ServerProcess;
    let workDir: string;
    let api: string;

    const save = (userId: string) =>
      fetch(`${api}?user_id=${userId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...emailBody(PASSWORD),
          smtp_host: 'localhost',
          smtp_port: smtp.port,
          smtp_username: USER,
        }),
      });

    /** Every database-bound route, as one request each. */
    const DATABASE_ROUTES: [string, () => Promise<Response>][] = [
      ['list', () => fetch(`${api}?user_id=alice`)],
      ['all capabilities', () => fetch(`${api}/capabilities?user_id=alice`)],
      ['one capability', () => fetch(`${api}/email/capabilities?user_id=alice`)],
      ['save', () => save('during-outage')],
      ['validate', () => fetch(`${api}/email/validate?user_id=alice`, { method: 'POST' })],
      ['delete', () => fetch(`${api}/email?user_id=alice`, { method: 'DELETE' })],
      ['audit', () => fetch(`${api}/audit?user_id=alice`)],
      [
        'OAuth authorize',
        () =>
          fetch(
            `${api}/oauth/tiktok/authorize?user_id=alice&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
          ),
      ],
      [
        'OAuth callback',
        () =>
          fetch(`${api}/oauth/tiktok/callback?user_id=alice`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              code: 'code-during-outage',
              state: 'x'.repeat(43),
              redirect_uri: REDIRECT_URI,
            }),
          }),
      ],
    ];

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'social-integrations-outage-'));
      const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
      const caFile = join(workDir, 'ca.pem');
      writeFileSync(caFile, certificate.cert);
      smtp = await startTestSmtpServer({ certificate, user: USER, password: PASSWORD });
      database = await postgresTestDatabase();
      const url = new URL(database.url ?? '');
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${proxy.port}`;
      server = await startServer({
        DATABASE_URL: url.toString(),
        ENCRYPTION_KEY: generateFernetKey(),
        SMTP_ALLOW_PRIVATE_HOSTS: 'true',
        SMTP_ALLOWED_PORTS: String(smtp.port),
        NODE_EXTRA_CA_CERTS: caFile,
        OUTBOUND_TIMEOUT_MS: '3000',
        TIKTOK_CLIENT_KEY: 'outage-client-key',
        TIKTOK_CLIENT_SECRET: 'outage-client-secret',
        OAUTH_REDIRECT_URIS: REDIRECT_URI,
      });
      api = `${server.baseUrl}/api/integrations`;
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await proxy?.close();
      await database?.dispose();
      await smtp?.close();
      rmSync(workDir, { recursive: true, force: true });
    });

    async function waitForRecovery(): Promise<number> {
      const started = performance.now();
      while (performance.now() - started < 15_000) {
        if ((await fetch(`${server.baseUrl}/readyz`)).status === 200) return performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the service did not recover within 15 s');
    }

    it('works before the outage', async () => {
      expect((await save('alice')).status).toBe(201);
    });

    for (const outage of ['refuse', 'blackhole'] as const satisfies readonly Outage[]) {
      describe(`while connections are ${outage === 'refuse' ? 'refused' : 'black-holed'}`, () => {
        beforeAll(() => proxy.cut(outage));

        it.each(DATABASE_ROUTES)('%s answers 503 with Retry-After within 2 s', async (_, send) => {
          const started = performance.now();
          const response = await send();
          const elapsed = performance.now() - started;

          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('5');
          expect(await response.json()).toEqual(OUTAGE_BODY);
          expect(elapsed).toBeLessThan(2000);
        });

        it('answers 30 concurrent requests with 503 within 2 s each', async () => {
          const timed = await Promise.all(
            Array.from({ length: 30 }, async (_, index) => {
              const started = performance.now();
              const response = await fetch(`${api}?user_id=concurrent-${index}`);
              await response.body?.cancel();
              return { status: response.status, slow: performance.now() - started >= 2000 };
            }),
          );
          expect(timed.filter((answer) => answer.status !== 503 || answer.slow)).toEqual([]);
        });

        it('stays live but not ready', async () => {
          const started = performance.now();
          const live = await fetch(`${server.baseUrl}/healthz`);
          const liveMs = performance.now() - started;
          const ready = await fetch(`${server.baseUrl}/readyz`);
          const readyMs = performance.now() - started - liveMs;

          expect(live.status).toBe(200);
          expect(ready.status).toBe(503);
          expect(await ready.json()).toEqual(OUTAGE_BODY);
          expect(Math.max(liveMs, readyMs)).toBeLessThan(2000);
        });

        it('recovers by itself once the database is back, in the same process, with nothing half-written', async () => {
          proxy.restore();
          const recoveryMs = await waitForRecovery();

          const list = await fetch(`${api}?user_id=alice`);
          expect(list.status).toBe(200);
          expect((await list.json()).map((row: { platform: string }) => row.platform)).toEqual(['email']);
          const leftovers = await selectRows(
            database,
            sql`select user_id from social_integrations where user_id = 'during-outage'`,
          );
          expect(leftovers).toEqual([]);
          expect(recoveryMs).toBeLessThan(10_000);
          expect(server.output()).not.toContain('"msg":"unhandled error"');
          expect(server.output()).not.toContain(PASSWORD);
        });
      });
    }

    it('saves again after the outages', async () => {
      expect((await save('bob')).status).toBe(201);
    });
  },
);
