import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleDailySendCounter } from '../../src/adapters/persistence/drizzle-daily-send-counter.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleMessagingWindowStore } from '../../src/adapters/persistence/drizzle-messaging-window-store.js';
import { DrizzleRecipientFacts } from '../../src/adapters/persistence/drizzle-recipient-facts.js';
import { DrizzleSuppressionList } from '../../src/adapters/persistence/drizzle-suppression-list.js';
import type { CapabilityFacts } from '../../src/domain/capability-policy.js';
import type { Integration } from '../../src/domain/integration.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../support/integration-builders.js';

const drivers = await databaseDrivers();
const PSID = '24000000000000001';
const AT = new Date('2026-03-01T10:00:00.000Z');
const NONE = { lastInboundAt: null, closedAt: null, humanAgentClosedAt: null };

/** The capability columns of a stored integration, as the one-statement read returns them. */
function factsOf(integration: Integration | null): CapabilityFacts | null {
  if (integration === null) return null;
  const { platform, loginType, connectionStatus, statusDetail, scopesGranted, accountId, pageId } =
    integration;
  const { tokenExpiresAt, imap } = integration;
  return {
    platform,
    loginType,
    connectionStatus,
    statusDetail,
    scopesGranted,
    accountId,
    pageId,
    tokenExpiresAt,
    imap,
  };
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`recipient facts on ${driver.name}`, () => {
    let database: TestDatabase;
    let facts: DrizzleRecipientFacts;
    let repository: DrizzleIntegrationRepository;
    let windows: DrizzleMessagingWindowStore;
    let suppressions: DrizzleSuppressionList;
    let dailySends: DrizzleDailySendCounter;

    beforeAll(async () => {
      database = await driver.open();
      const { db } = database.handle;
      facts = new DrizzleRecipientFacts(db);
      repository = new DrizzleIntegrationRepository(db);
      windows = new DrizzleMessagingWindowStore(db);
      suppressions = new DrizzleSuppressionList(db);
      dailySends = new DrizzleDailySendCounter(db);
    });
    afterAll(() => database.dispose());

    it('reads nothing for a user with nothing stored, and no window for a person never heard from', async () => {
      const user = uniqueUserId();
      expect(await facts.forMeta(user, 'instagram', PSID)).toEqual({ integration: null, window: NONE });
      expect(await facts.forEmail(user, 'lead@example.org', '2026-03-01')).toEqual({
        integration: null,
        suppressed: false,
        sentToday: 0,
      });
    });

    it("gives the integration's capability facts and the person's window, as the stores do one by one", async () => {
      const user = uniqueUserId();
      const { integration } = await repository.upsert(
        instagramDraft({ userId: user, scopesGranted: ['instagram_basic', 'instagram_manage_messages'] }),
      );
      expect(await facts.forMeta(user, 'instagram', PSID)).toEqual({
        integration: factsOf(integration),
        window: NONE,
      });

      await windows.recordInbound(user, 'instagram', PSID, AT);
      await windows.recordClosed(user, 'instagram', PSID, 'HUMAN_AGENT', new Date(AT.getTime() + 1000));
      const read = await facts.forMeta(user, 'instagram', PSID);
      expect(read.window).toEqual(await windows.find(user, 'instagram', PSID));
      expect(read.window).toEqual({
        lastInboundAt: AT,
        closedAt: null,
        humanAgentClosedAt: new Date(AT.getTime() + 1000),
      });
      expect(read.integration).toEqual(factsOf(await repository.find(user, 'instagram')));

      // Another platform, another person, another user: none of theirs.
      expect(await facts.forMeta(user, 'facebook', PSID)).toEqual({ integration: null, window: NONE });
      expect((await facts.forMeta(user, 'instagram', '24000000000000002')).window).toEqual(NONE);
      expect(await facts.forMeta(uniqueUserId(), 'instagram', PSID)).toEqual({
        integration: null,
        window: NONE,
      });
    });

    it("gives a Meta send the whole integration, sealed token too, and the window, as the stores' find do", async () => {
      const user = uniqueUserId();
      expect(await facts.forMetaSend(user, 'instagram', PSID)).toEqual({ integration: null, window: NONE });
      await repository.upsert(
        instagramDraft({ userId: user, scopesGranted: ['instagram_basic', 'instagram_manage_messages'] }),
      );
      await windows.recordInbound(user, 'instagram', PSID, AT);
      const read = await facts.forMetaSend(user, 'instagram', PSID);
      const stored = await repository.find(user, 'instagram');
      expect(stored?.accessToken).not.toBeNull();
      expect(read.integration).toEqual(stored);
      expect(read.window).toEqual(await windows.find(user, 'instagram', PSID));
      expect(read.window).toEqual({ lastInboundAt: AT, closedAt: null, humanAgentClosedAt: null });
      expect(await facts.forMetaSend(user, 'facebook', PSID)).toEqual({ integration: null, window: NONE });
      expect((await facts.forMetaSend(user, 'instagram', '24000000000000002')).window).toEqual(NONE);
    });

    it('a window is read even when the integration is gone, as the window store reads it', async () => {
      const user = uniqueUserId();
      await windows.recordInbound(user, 'facebook', PSID, AT);
      expect(await facts.forMeta(user, 'facebook', PSID)).toEqual({
        integration: null,
        window: { lastInboundAt: AT, closedAt: null, humanAgentClosedAt: null },
      });
    });

    it("gives the mailbox's facts, the address's suppression and the day's count, as the stores do", async () => {
      const user = uniqueUserId();
      const { integration } = await repository.upsert(emailDraft({ userId: user }));
      await dailySends.reserve(user, '2026-03-01', null);
      await dailySends.reserve(user, '2026-03-01', null);
      await suppressions.add(user, 'gone@example.org', 'unsubscribed', AT, []);

      expect(await facts.forEmail(user, 'gone@example.org', '2026-03-01')).toEqual({
        integration: factsOf(integration),
        suppressed: true,
        sentToday: 2,
      });
      expect(await facts.forEmail(user, 'lead@example.org', '2026-03-01')).toEqual({
        integration: factsOf(integration),
        suppressed: await suppressions.isSuppressed(user, 'lead@example.org'),
        sentToday: await dailySends.count(user, '2026-03-01'),
      });
      // Another day's count is not today's; another user's suppression is not this one's.
      expect((await facts.forEmail(user, 'lead@example.org', '2026-03-02')).sentToday).toBe(0);
      expect(await facts.forEmail(uniqueUserId(), 'gone@example.org', '2026-03-01')).toEqual({
        integration: null,
        suppressed: false,
        sentToday: 0,
      });
    });
  });
}
