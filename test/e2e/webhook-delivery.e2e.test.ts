import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/persistence/database.js';
import { outboxEvents, webhookDeliveries } from '../../src/adapters/persistence/schema.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { startServer } from '../support/server-process.js';
import {
  HOLD,
  startWebhookReceiver,
  type WebhookReceiver,
  webhookSecret,
} from '../support/webhook-receiver.js';

const PROCESS_TEST_MS = 90_000;
const secret = webhookSecret();
const skip = (await postgresUnavailableReason()) !== null;

describe.skipIf(skip)('webhook delivery by the server process (PostgreSQL)', () => {
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

  const serverEnv = () => ({
    DATABASE_URL: database.url ?? '',
    NODE_ENV: 'test',
    WEBHOOK_URLS: receiver.url('/killed'),
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
});
