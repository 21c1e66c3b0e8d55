import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { pgliteServesOneWorker } from '../../src/runtime/collisions.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { descendants, isAlive, runNpm } from '../support/npm-process.js';

const postgresSkip = await postgresUnavailableReason();
const PROCESS_TEST_MS = 120_000;
const RATE_LIMIT = 5;

/** A GET on a connection of its own, so the cluster may hand each request to another worker. */
function statusOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).once('error', reject);
  });
}

describe.skipIf(postgresSkip !== null)('WEB_CONCURRENCY: worker processes on one port', () => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' });
    database = await postgresTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'social-integrations-workers-e2e-'));
  }, 180_000);
  afterAll(async () => {
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'two workers share the port and one rate limit, and SIGTERM to npm stops them all within 10 s',
    async () => {
      const npm = runNpm('start', {
        DATABASE_URL: database.url ?? '',
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: generateFernetKey(),
        HOST: '127.0.0.1',
        PORT: '0',
        WEB_CONCURRENCY: '2',
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        REFRESH_ENABLED: 'false',
      });
      try {
        await npm.waitFor('"worker":2,"workers":2');
        const urls = [...npm.output().matchAll(/"msg":"listening","url":"([^"]+)","worker":(\d)/g)];
        expect(urls.map(([, , worker]) => worker).sort()).toEqual(['1', '2']);
        expect(new Set(urls.map(([, url]) => url)).size).toBe(1);
        const workers = descendants(npm.pid).filter((pid) => descendants(pid).length === 0);
        expect(workers.length).toBeGreaterThanOrEqual(2);

        const capabilities = `${urls[0]?.[1]}/api/integrations/capabilities?user_id=workers-e2e`;
        const statuses: number[] = [];
        for (let index = 0; index <= RATE_LIMIT; index += 1) {
          statuses.push(await statusOnNewConnection(capabilities));
        }
        // Counted per worker, 6 requests over two workers would all pass.
        expect(statuses).toEqual([...Array(RATE_LIMIT).fill(200), 429]);

        const started = descendants(npm.pid);
        const signalledAt = Date.now();
        process.kill(npm.pid, 'SIGTERM');
        expect(await npm.exited).toBe(0);
        while (started.some(isAlive) && Date.now() - signalledAt < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(started.filter(isAlive)).toEqual([]);
        expect(Date.now() - signalledAt).toBeLessThan(10_000);
        expect(npm.output().match(/"msg":"shutting down"/g)?.length).toBe(3);
      } finally {
        npm.child.kill('SIGKILL');
      }
    },
    PROCESS_TEST_MS,
  );

  it('refuses more than one worker on the embedded PGlite database with one line', async () => {
    const npm = runNpm('start', { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', WEB_CONCURRENCY: '2' });

    expect(await npm.exited).toBe(1);
    expect(npm.output().split('\n')).toContain(pgliteServesOneWorker(2));
  });
});
