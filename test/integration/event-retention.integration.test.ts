import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/persistence/database.js';
import { DrizzleEventLog } from '../../src/adapters/persistence/drizzle-event-log.js';
import { DrizzleInboundMessageStore } from '../../src/adapters/persistence/drizzle-inbound-message-store.js';
import {
  metaReceivedMessages,
  outboxEvents,
  webhookDeliveries,
} from '../../src/adapters/persistence/schema.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';

const DAY = 86_400_000;

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`purging events after EVENT_RETENTION_DAYS on ${driver.name}`, () => {
    let database: TestDatabase;
    let db: Database;

    beforeAll(async () => {
      database = await driver.open();
      db = database.handle.db;
    });
    afterAll(() => database.dispose());

    /** Events of one user written `ageDays` ago, as a change's transaction would write them. */
    async function eventsAged(userId: string, ageDays: number, count: number): Promise<string[]> {
      const occurredAt = new Date(Date.now() - ageDays * DAY);
      const rows = await db
        .insert(outboxEvents)
        .values(
          Array.from({ length: count }, () => ({
            userId,
            type: 'integration.deleted',
            occurredAt,
            queued: true,
            data: { user_id: userId, platform: 'email' },
          })),
        )
        .returning({ id: outboxEvents.id });
      return rows.map((row) => row.id);
    }

    const remaining = async (ids: string[]) =>
      (await db.select({ id: outboxEvents.id }).from(outboxEvents).where(inArray(outboxEvents.id, ids))).map(
        (row) => row.id,
      );

    it('deletes expired events with their finished deliveries, keeping recent ones and pending deliveries', async () => {
      const userId = uniqueUserId();
      const [delivered, failed, pending, unqueued] = await eventsAged(userId, 31, 4);
      const recent = await eventsAged(userId, 29, 1);
      if (!delivered || !failed || !pending || !unqueued) throw new Error('events not written');
      await db.update(outboxEvents).set({ queued: false }).where(eq(outboxEvents.id, unqueued));
      await db.insert(webhookDeliveries).values([
        { eventId: delivered, endpoint: 'https://a.example/', status: 'delivered' },
        { eventId: delivered, endpoint: 'https://b.example/', status: 'gone' },
        { eventId: failed, endpoint: 'https://a.example/', status: 'failed' },
        { eventId: pending, endpoint: 'https://a.example/', status: 'delivered' },
        { eventId: pending, endpoint: 'https://b.example/', status: 'pending' },
      ]);
      const harness = await createTestApp(database, { env: { EVENT_RETENTION_DAYS: '30' } });

      expect(await harness.jobs.purgeEvents()).toEqual({ events: 3, metaMids: 0 });

      expect((await remaining([delivered, failed, pending, unqueued, ...recent])).sort()).toEqual(
        [pending, ...recent].sort(),
      );
      const deliveries = await db
        .select({ eventId: webhookDeliveries.eventId, status: webhookDeliveries.status })
        .from(webhookDeliveries)
        .where(inArray(webhookDeliveries.eventId, [delivered, failed, pending]));
      expect(deliveries.map((row) => row.status).sort()).toEqual(['delivered', 'pending']);
      // Once its last delivery finished, the next pass takes it too.
      await db
        .update(webhookDeliveries)
        .set({ status: 'delivered' })
        .where(eq(webhookDeliveries.eventId, pending));
      expect(await harness.jobs.purgeEvents()).toEqual({ events: 1, metaMids: 0 });
      expect(await remaining([pending])).toEqual([]);
    });

    /** Six purgers taking batches of at most 100 at once; answers how many rows they deleted together. */
    async function concurrentBatches(purge: (limit: number) => Promise<number>): Promise<number> {
      const batches = await Promise.all(Array.from({ length: 6 }, () => purge(100)));
      expect(batches.every((deleted) => deleted <= 100)).toBe(true);
      return batches.reduce((sum, deleted) => sum + deleted, 0);
    }

    it('works in bounded batches that concurrent purgers share without deleting anything twice', async () => {
      const ids = await eventsAged(uniqueUserId(), 40, 1_250);
      const log = new DrizzleEventLog(db);
      const before = new Date(Date.now() - 30 * DAY);
      const concurrent = await concurrentBatches((limit) => log.purge(before, limit));

      const harness = await createTestApp(database);
      const { events: rest } = await harness.jobs.purgeEvents();
      const [{ count } = { count: -1 }] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(outboxEvents)
        .where(inArray(outboxEvents.id, ids));
      expect(count).toBe(0);
      // The earlier test left no expired event behind: each of these was deleted exactly once.
      expect(concurrent + rest).toBe(ids.length);
    });

    /** `count` Meta message ids recorded for one user `ageHours` ago. */
    async function midsAged(userId: string, ageHours: number, count: number): Promise<string[]> {
      const receivedAt = new Date(Date.now() - ageHours * 3_600_000);
      const mids = Array.from({ length: count }, (_, index) => `m_${userId}_${ageHours}_${index}`);
      await db
        .insert(metaReceivedMessages)
        .values(mids.map((mid) => ({ userId, platform: 'facebook', mid, receivedAt })));
      return mids;
    }
    const midsLeft = async (userId: string) =>
      (
        await db
          .select({ mid: metaReceivedMessages.mid })
          .from(metaReceivedMessages)
          .where(eq(metaReceivedMessages.userId, userId))
      )
        .map((row) => row.mid)
        .sort();

    it('forgets Meta message ids after 7 days, whatever EVENT_RETENTION_DAYS says, keeping younger ones', async () => {
      const userId = uniqueUserId();
      const old = await midsAged(userId, 7 * 24 + 1, 3);
      // Meta's last retries come about 36 hours after the message: those ids are still known.
      const recent = [...(await midsAged(userId, 36, 2)), ...(await midsAged(userId, 7 * 24 - 1, 1))];
      const harness = await createTestApp(database, { env: { EVENT_RETENTION_DAYS: '1' } });

      expect(await harness.jobs.purgeEvents()).toMatchObject({ metaMids: old.length });
      expect(await midsLeft(userId)).toEqual(recent.sort());
      expect(await harness.jobs.purgeEvents()).toMatchObject({ metaMids: 0 });
    });

    it('forgets Meta message ids in bounded batches that concurrent purgers share', async () => {
      const userId = uniqueUserId();
      const mids = await midsAged(userId, 10 * 24, 1_250);
      const inbox = new DrizzleInboundMessageStore(db);
      const before = new Date(Date.now() - 7 * DAY);
      const concurrent = await concurrentBatches((limit) => inbox.purge(before, limit));

      const harness = await createTestApp(database);
      const { metaMids: rest } = await harness.jobs.purgeEvents();
      expect(await midsLeft(userId)).toEqual([]);
      // The earlier test left no expired id behind: each of these was deleted exactly once.
      expect(concurrent + rest).toBe(mids.length);
    });
  });
}
