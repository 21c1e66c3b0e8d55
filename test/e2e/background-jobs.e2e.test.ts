import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/persistence/database.js';
import { outboxEvents, webhookDeliveries } from '../../src/adapters/persistence/schema.js';
import { pgliteRunsNoJobsProcess } from '../../src/runtime/collisions.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { runCommand, spawnCapturing, startServer } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver, webhookSecret } from '../support/webhook-receiver.js';

// The web/worker split: a server with BACKGROUND_JOBS=false serves HTTP only, `npm run jobs` delivers.

const PROCESS_TEST_MS = 90_000;
const jobsScript = fileURLToPath(new URL('../../src/runtime/cli/jobs.ts', import.meta.url));
const secret = webhookSecret();
const skip = (await postgresUnavailableReason()) !== null;

async function until(what: string, holds: () => boolean, output: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip)('npm run jobs beside a server with BACKGROUND_JOBS=false (PostgreSQL)', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await postgresTestDatabase();
    receiver = await startWebhookReceiver(secret);
  });
  afterAll(async () => {
    await receiver.close();
    await database.dispose();
  });

  const env = () => ({
    DATABASE_URL: database.url ?? '',
    NODE_ENV: 'test',
    WEBHOOK_URLS: receiver.url('/split'),
    WEBHOOK_SECRET: secret,
    WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
  });

  it(
    'delivers what the server process leaves, signed, and exits 0 on SIGTERM once the database is closed',
    async () => {
      const insertEvent = async (userId: string) => {
        const [event] = await (database.handle.db as Database)
          .insert(outboxEvents)
          .values({ userId, type: 'integration.deleted', data: { user_id: userId, platform: 'email' } })
          .returning({ id: outboxEvents.id });
        return event?.id ?? '';
      };
      const server = await startServer({ ...env(), BACKGROUND_JOBS: 'false' });
      let jobs: ReturnType<typeof spawnCapturing> | null = null;
      try {
        expect(server.output()).toContain('"msg":"background jobs are off (BACKGROUND_JOBS=false)"');
        // A server that delivered would have been woken by the commit's NOTIFY at once.
        const before = await insertEvent('e2e-before');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(receiver.at('/split')).toEqual([]);

        const started = spawnCapturing(jobsScript, [], env());
        jobs = started;
        await until(
          'background jobs started',
          () => started.output().includes('"msg":"background jobs started"'),
          started.output,
        );
        expect(started.output()).toContain(
          '"jobs":"refresh, webhook delivery, event purge, imap poll, mask backfill"',
        );
        const after = await insertEvent('e2e-after');
        for (const [id, userId] of [
          [before, 'e2e-before'],
          [after, 'e2e-after'],
        ] as const) {
          const delivery = await receiver.deliveryOf(id);
          expect(delivery.path).toBe('/split');
          expect(delivery.verified).toMatchObject({
            type: 'integration.deleted',
            data: { user_id: userId, platform: 'email' },
          });
        }
        await expect
          .poll(
            async () =>
              (
                await database.handle.db
                  .select({ status: webhookDeliveries.status })
                  .from(webhookDeliveries)
                  .where(inArray(webhookDeliveries.eventId, [before, after]))
              ).map((row) => row.status),
            { timeout: 10_000 },
          )
          .toEqual(['delivered', 'delivered']);

        const exited = new Promise<number | null>((resolve) => started.child.once('close', resolve));
        started.child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(started.output()).toContain('"msg":"shutting down"');
        expect(receiver.at('/split').map((webhook) => webhook.id)).toEqual([before, after]);
      } finally {
        if (jobs !== null && jobs.child.exitCode === null) jobs.child.kill('SIGKILL');
        expect(await server.stop()).toBe(0);
      }
    },
    PROCESS_TEST_MS,
  );
});

describe('npm run jobs on PGlite', () => {
  it('refuses with one line naming the fix', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jobs-pglite-'));
    try {
      const { code, output } = await runCommand('jobs', [], { DATA_DIR: dataDir, NODE_ENV: 'test' });
      expect(code).toBe(1);
      expect(output.trim().split('\n')).toEqual([pgliteRunsNoJobsProcess()]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
