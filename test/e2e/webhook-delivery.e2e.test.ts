import { fileURLToPath } from 'node:url';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/persistence/database.js';
import { outboxEvents, webhookDeliveries } from '../../src/adapters/persistence/schema.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { spawnCapturing, startServer } from '../support/server-process.js';
import {
  HOLD,
  startWebhookReceiver,
  type WebhookReceiver,
  webhookSecret,
} from '../support/webhook-receiver.js';

const PROCESS_TEST_MS = 90_000;
const jobsScript = fileURLToPath(new URL('../../src/runtime/cli/jobs.ts', import.meta.url));

async function until(what: string, holds: () => boolean, output: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const secret = webhookSecret();
const skip = (await postgresUnavailableReason()) !== null;

describe.skipIf(skip)('webhook delivery by a Node process (PostgreSQL)', () => {
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

  const serverEnv = (path = '/killed') => ({
    DATABASE_URL: database.url ?? '',
    NODE_ENV: 'test',
    WEBHOOK_URLS: receiver.url(path),
    WEBHOOK_SECRET: secret,
    WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
    // The attempt cut short by SIGKILL is leased for 2 × 100 ms + 5 s; then another process may take it.
    WEBHOOK_TIMEOUT_MS: '100',
  });

  it(
    'delivers an event committed before a SIGKILL once the server is back',
    async () => {
      // The first attempt reaches the receiver, which never answers: the server dies mid-delivery.
      receiver.script('/killed', [HOLD, 200]);
      const first = await startServer(serverEnv());
      let second: Awaited<ReturnType<typeof startServer>> | null = null;
      try {
        const [event] = await (database.handle.db as Database)
          .insert(outboxEvents)
          .values({
            userId: 'e2e-user',
            type: 'integration.deleted',
            data: { user_id: 'e2e-user', platform: 'email' },
          })
          .returning({ id: outboxEvents.id });
        // The commit's NOTIFY wakes the running server's delivery.
        await receiver.waitFor(1, '/killed');
        expect(await first.kill('SIGKILL')).toBeNull();

        second = await startServer(serverEnv());
        await receiver.waitFor(2, '/killed');
        const attempts = receiver.at('/killed');
        expect(attempts.map((webhook) => webhook.id)).toEqual([event?.id, event?.id]);
        expect(attempts.every((webhook) => webhook.verified !== null)).toBe(true);
        await expect
          .poll(
            async () => {
              const [row] = await database.handle.db
                .select({ status: webhookDeliveries.status })
                .from(webhookDeliveries)
                .where(eq(webhookDeliveries.eventId, event?.id ?? ''));
              return row?.status;
            },
            { timeout: 10_000 },
          )
          .toBe('delivered');
      } finally {
        await first.kill('SIGKILL');
        await second?.stop();
      }
    },
    PROCESS_TEST_MS,
  );

  it(
    'leaves delivery to npm run jobs with BACKGROUND_JOBS=false; the jobs process delivers, signed, and exits 0 on SIGTERM',
    async () => {
      const insertEvent = async (userId: string) => {
        const [event] = await (database.handle.db as Database)
          .insert(outboxEvents)
          .values({ userId, type: 'integration.deleted', data: { user_id: userId, platform: 'email' } })
          .returning({ id: outboxEvents.id });
        return event?.id ?? '';
      };
      const server = await startServer({ ...serverEnv('/split'), BACKGROUND_JOBS: 'false' });
      let jobs: ReturnType<typeof spawnCapturing> | null = null;
      try {
        expect(server.output()).toContain('"msg":"background jobs are off (BACKGROUND_JOBS=false)"');
        // A server that delivered would have been woken by the commit's NOTIFY at once.
        const before = await insertEvent('e2e-before');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(receiver.at('/split')).toEqual([]);

        const started = spawnCapturing(jobsScript, [], serverEnv('/split'));
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
