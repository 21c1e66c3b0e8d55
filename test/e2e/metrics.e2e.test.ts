import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { freePort, type ServerProcess, startServer } from '../support/server-process.js';

const postgresSkip = await postgresUnavailableReason();
const PROCESS_TEST_MS = 60_000;
const TOKEN = 'metrics-e2e-token-0123456789abcdef';
const REQUESTS = 'social_integrations_http_request_duration_seconds_count';
const CAPABILITIES = { route: '/api/integrations/capabilities', method: 'GET', status: '200' };

/** A GET on a connection of its own, so a cluster may hand each request to another worker. */
function getOnNewConnection(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}

async function requestCount(url: string, headers: Record<string, string> = {}): Promise<number> {
  const scraped = await getOnNewConnection(url, headers);
  expect(scraped.status).toBe(200);
  return sampleValue(parsePrometheusText(scraped.body), REQUESTS, CAPABILITIES);
}

let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'social-integrations-metrics-e2e-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('METRICS_PORT on one process', () => {
  it(
    'one process on PGlite: /metrics only on METRICS_PORT, which serves nothing else',
    async () => {
      const metricsPort = await freePort();
      server = await startServer({
        DATA_DIR: join(dataDir, 'single'),
        ENCRYPTION_KEY: generateFernetKey(),
        METRICS_PORT: String(metricsPort),
        REFRESH_ENABLED: 'false',
      });
      try {
        const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
        expect((await getOnNewConnection(`${server.baseUrl}/metrics`)).status).toBe(404);
        expect((await getOnNewConnection(`http://127.0.0.1:${metricsPort}/api/integrations`)).status).toBe(
          404,
        );
        const before = await requestCount(metricsUrl);
        for (let index = 0; index < 3; index += 1) {
          const answer = await getOnNewConnection(
            `${server.baseUrl}/api/integrations/capabilities?user_id=e2e`,
          );
          expect(answer.status).toBe(200);
        }
        expect(await requestCount(metricsUrl)).toBe(before + 3);
        // The outbox gauges are read from the server's own database; the delivery series are declared.
        const { body } = await getOnNewConnection(metricsUrl);
        for (const state of ['unqueued', 'pending', 'failed']) {
          expect(body).toMatch(
            new RegExp(`^social_integrations_outbox_depth\\{state="${state}"\\} \\d+$`, 'm'),
          );
        }
        expect(body).toMatch(/^social_integrations_outbox_oldest_waiting_seconds \d/m);
        expect(body).toContain('# TYPE social_integrations_webhook_attempts_total counter');
        expect(body).toContain('# TYPE social_integrations_webhook_delivery_lag_seconds histogram');
        expect(server.output()).toContain(
          `"msg":"metrics listening","url":"http://127.0.0.1:${metricsPort}/metrics"`,
        );
      } finally {
        await server.stop();
      }
    },
    PROCESS_TEST_MS,
  );
});

describe.skipIf(postgresSkip !== null)('metrics of WEB_CONCURRENCY=2 on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await postgresTestDatabase();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const cluster = (env: Record<string, string>) =>
    startServer({
      DATABASE_URL: database.url ?? '',
      DATA_DIR: join(dataDir, 'cluster'),
      ENCRYPTION_KEY: generateFernetKey(),
      WEB_CONCURRENCY: '2',
      REFRESH_ENABLED: 'false',
      ...env,
    });

  it(
    'every scrape, whichever worker answers it, shows the sum over both workers (METRICS_TOKEN)',
    async () => {
      server = await cluster({ METRICS_TOKEN: TOKEN });
      try {
        while (!/"worker":2/.test(server.output())) await new Promise((resolve) => setTimeout(resolve, 50));
        const metricsUrl = `${server.baseUrl}/metrics`;
        expect((await getOnNewConnection(metricsUrl)).status).toBe(401);
        const auth = { authorization: `Bearer ${TOKEN}` };
        const before = await requestCount(metricsUrl, auth);
        const requests = 8;
        for (let index = 0; index < requests; index += 1) {
          const answer = await getOnNewConnection(
            `${server.baseUrl}/api/integrations/capabilities?user_id=e2e`,
          );
          expect(answer.status).toBe(200);
        }
        // Each scrape is itself a request to one worker, counted once it has answered.
        const scrapes = [];
        for (let index = 0; index < 4; index += 1) scrapes.push(await requestCount(metricsUrl, auth));
        expect(scrapes).toEqual(scrapes.map(() => before + requests));
      } finally {
        await server.stop();
      }
    },
    PROCESS_TEST_MS,
  );

  it(
    'the primary serves the sum on METRICS_PORT, behind METRICS_TOKEN when both are set',
    async () => {
      const metricsPort = await freePort();
      server = await cluster({ METRICS_PORT: String(metricsPort), METRICS_TOKEN: TOKEN });
      try {
        while (!/"worker":2/.test(server.output())) await new Promise((resolve) => setTimeout(resolve, 50));
        const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
        expect((await getOnNewConnection(`${server.baseUrl}/metrics`)).status).toBe(404);
        expect((await getOnNewConnection(metricsUrl)).status).toBe(401);
        const auth = { authorization: `Bearer ${TOKEN}` };
        const before = await requestCount(metricsUrl, auth);
        for (let index = 0; index < 6; index += 1) {
          await getOnNewConnection(`${server.baseUrl}/api/integrations/capabilities?user_id=e2e`);
        }
        expect(await requestCount(metricsUrl, auth)).toBe(before + 6);
        const pool = parsePrometheusText((await getOnNewConnection(metricsUrl, auth)).body);
        // The integrations gauge is read once (aggregated as first), not once per worker.
        expect(sampleValue(pool, 'social_integrations_integrations')).toBe(0);
        expect(
          sampleValue(pool, 'social_integrations_database_pool_size', { driver: 'postgres' }),
        ).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
    },
    PROCESS_TEST_MS,
  );
});
