import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleDailySendCounter } from '../../src/adapters/persistence/drizzle-daily-send-counter.js';
import { DrizzleMessageLog } from '../../src/adapters/persistence/drizzle-message-log.js';
import { DrizzleMessagingWindowStore } from '../../src/adapters/persistence/drizzle-messaging-window-store.js';
import { DrizzleSuppressionList } from '../../src/adapters/persistence/drizzle-suppression-list.js';
import { emailDailySends, outboxEvents } from '../../src/adapters/persistence/schema.js';
import type { MessageClaim } from '../../src/application/ports/message-log.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';

/** Settles without events: these tests are about the log itself. */
const noEvents = () => [];

const drivers = await databaseDrivers();
const NOW = new Date('2026-03-01T10:00:00.000Z');
const LEASE = 300_000;

const claimFor = (userId: string, overrides: Partial<MessageClaim> = {}): MessageClaim => ({
  userId,
  platform: 'facebook',
  recipient: '24000000000000001',
  idempotencyKey: 'order-1',
  requestHash: 'a'.repeat(64),
  ...overrides,
});

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`outreach stores on ${driver.name}`, () => {
    let database: TestDatabase;
    let log: DrizzleMessageLog;

    beforeAll(async () => {
      database = await driver.open();
      log = new DrizzleMessageLog(database.handle.db);
    });
    afterAll(() => database.dispose());

    describe('MessageLog', () => {
      it('lets one of many concurrent claims with one key through', async () => {
        const user = uniqueUserId();
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () => log.claim(claimFor(user), NOW, LEASE)),
        );
        expect(outcomes.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.kind === 'in_use')).toHaveLength(19);
      });

      it('replays a sent key with the same request and refuses it with another', async () => {
        const user = uniqueUserId();
        const first = await log.claim(claimFor(user), NOW, LEASE);
        if (first.kind !== 'claimed') throw new Error('not claimed');
        const sent = await log.settle(
          first,
          { status: 'sent', platformMessageId: 'm_1', sentAt: NOW },
          noEvents,
        );

        expect(await log.claim(claimFor(user), NOW, LEASE)).toEqual({ kind: 'replay', message: sent });
        expect(await log.claim(claimFor(user, { requestHash: 'b'.repeat(64) }), NOW, LEASE)).toEqual({
          kind: 'reused',
        });
        // Keys belong to one user.
        expect((await log.claim(claimFor(uniqueUserId()), NOW, LEASE)).kind).toBe('claimed');
      });

      it('frees the key of a failed or released attempt', async () => {
        const user = uniqueUserId();
        const first = await log.claim(claimFor(user), NOW, LEASE);
        if (first.kind !== 'claimed') throw new Error('not claimed');
        await log.settle(first, { status: 'failed', errorCode: 'platform_unavailable' }, noEvents);
        const second = await log.claim(claimFor(user), NOW, LEASE);
        expect(second.kind).toBe('claimed');
        if (second.kind !== 'claimed') return;
        await log.release(second.id);
        expect((await log.claim(claimFor(user), NOW, LEASE)).kind).toBe('claimed');
      });

      it('lets a key be tried again once its attempt outlived the lease, recording that one abandoned', async () => {
        const user = uniqueUserId();
        const first = await log.claim(claimFor(user), NOW, LEASE);
        if (first.kind !== 'claimed') throw new Error('not claimed');
        // Its process died: it never settles.
        const justInLease = new Date(NOW.getTime() + LEASE - 1);
        expect(await log.claim(claimFor(user), justInLease, LEASE)).toEqual({ kind: 'in_use' });

        const afterLease = new Date(NOW.getTime() + LEASE);
        const retries = await Promise.all(
          Array.from({ length: 10 }, () => log.claim(claimFor(user), afterLease, LEASE)),
        );
        expect(retries.filter((outcome) => outcome.kind === 'claimed')).toHaveLength(1);
        expect(retries.filter((outcome) => outcome.kind === 'in_use')).toHaveLength(9);
        const retry = retries.find((outcome) => outcome.kind === 'claimed');
        if (retry?.kind !== 'claimed') throw new Error('not claimed');
        const sent = await log.settle(
          retry,
          { status: 'sent', platformMessageId: 'm_2', sentAt: afterLease },
          noEvents,
        );

        const listed = await log.list(user, { platform: null, limit: 10, before: null });
        expect(listed.messages).toEqual([
          sent,
          expect.objectContaining({
            id: first.id,
            status: 'failed',
            errorCode: 'attempt_abandoned',
            platformMessageId: null,
            sentAt: null,
          }),
        ]);
        expect(await log.claim(claimFor(user), afterLease, LEASE)).toEqual({ kind: 'replay', message: sent });
      });

      it('claims without a key every time', async () => {
        const user = uniqueUserId();
        const claims = await Promise.all(
          [1, 2, 3].map(() => log.claim(claimFor(user, { idempotencyKey: null }), NOW, LEASE)),
        );
        expect(claims.map((claim) => claim.kind)).toEqual(['claimed', 'claimed', 'claimed']);
      });

      it('settles attempts that arrive together each with its own outcome and its own events', async () => {
        const user = uniqueUserId();
        const claims = await Promise.all(
          Array.from({ length: 30 }, (_, index) =>
            log.claim(claimFor(user, { idempotencyKey: `k-${index}` }), NOW, LEASE),
          ),
        );
        const pending = claims.map((claim) => {
          if (claim.kind !== 'claimed') throw new Error('not claimed');
          return claim;
        });
        expect(new Set(pending.map((claim) => claim.id)).size).toBe(30);

        const settled = await Promise.all(
          pending.map((claim, index) =>
            log.settle(
              claim,
              index % 2 === 0
                ? { status: 'sent', platformMessageId: `m_${index}`, sentAt: NOW }
                : { status: 'failed', errorCode: 'platform_unavailable' },
              (message) => [{ type: `message.${message.status}`, userId: user, data: { id: message.id } }],
            ),
          ),
        );

        const listed = await log.list(user, { platform: null, limit: 50, before: null });
        expect(new Map(listed.messages.map((message) => [message.id, message]))).toEqual(
          new Map(settled.map((message) => [message.id, message])),
        );
        const events = await database.handle.db
          .select({ type: outboxEvents.type, data: outboxEvents.data })
          .from(outboxEvents)
          .where(eq(outboxEvents.userId, user));
        expect(events).toHaveLength(30);
        expect(new Set(events.map((event) => `${event.type} ${(event.data as { id: string }).id}`))).toEqual(
          new Set(settled.map((message) => `message.${message.status} ${message.id}`)),
        );
      });

      it('fails only the claim the database refuses when claims arrive together', async () => {
        const user = uniqueUserId();
        const outcomes = await Promise.allSettled(
          ['k-1', 'k-2', 'k-3', 'k-4'].map((key) =>
            log.claim(
              claimFor(user, { idempotencyKey: key, recipient: key === 'k-3' ? 'x'.repeat(321) : 'r' }),
              NOW,
              LEASE,
            ),
          ),
        );

        expect(outcomes.map((outcome) => outcome.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
        ]);
        expect((await log.claim(claimFor(user, { idempotencyKey: 'k-2' }), NOW, LEASE)).kind).toBe('in_use');
      });

      it('lists settled messages newest first, a page at a time, per platform', async () => {
        const user = uniqueUserId();
        const ids: string[] = [];
        for (const platform of ['facebook', 'email', 'facebook'] as const) {
          const claim = await log.claim(claimFor(user, { platform, idempotencyKey: null }), NOW, LEASE);
          if (claim.kind !== 'claimed') throw new Error('not claimed');
          await log.settle(
            claim,
            { status: 'sent', platformMessageId: `m_${ids.length}`, sentAt: NOW },
            noEvents,
          );
          ids.push(claim.id);
        }
        await log.claim(claimFor(user, { idempotencyKey: null }), NOW, LEASE); // in flight: not listed

        const first = await log.list(user, { platform: null, limit: 2, before: null });
        expect(first.messages.map((message) => message.id)).toEqual([ids[2], ids[1]]);
        const second = await log.list(user, { platform: null, limit: 2, before: first.next });
        expect(second.messages.map((message) => message.id)).toEqual([ids[0]]);
        expect(second.next).toBeNull();
        const facebook = await log.list(user, { platform: 'facebook', limit: 10, before: null });
        expect(facebook.messages.map((message) => message.id)).toEqual([ids[2], ids[0]]);
      });
    });

    describe('SuppressionList', () => {
      it('adds once, lists, and removes', async () => {
        const list = new DrizzleSuppressionList(database.handle.db);
        const user = uniqueUserId();
        expect(await list.add(user, 'a@example.com', 'bounced', NOW, [])).toBe(true);
        expect(await list.add(user, 'a@example.com', 'manual', NOW, [])).toBe(false);
        expect(await list.isSuppressed(user, 'a@example.com')).toBe(true);
        expect(await list.isSuppressed(uniqueUserId(), 'a@example.com')).toBe(false);
        expect(await list.list(user)).toEqual([
          { address: 'a@example.com', reason: 'bounced', createdAt: NOW },
        ]);
        expect(await list.remove(user, 'a@example.com')).toBe(true);
        expect(await list.remove(user, 'a@example.com')).toBe(false);
        expect(await list.list(user)).toEqual([]);
      });
    });

    describe('MessagingWindowStore', () => {
      it('keeps the newest inbound message and each kind of refusal', async () => {
        const windows = new DrizzleMessagingWindowStore(database.handle.db);
        const user = uniqueUserId();
        expect(await windows.find(user, 'instagram', '1')).toBeNull();
        const later = new Date(NOW.getTime() + 60_000);
        await windows.recordInbound(user, 'instagram', '1', later);
        await windows.recordInbound(user, 'instagram', '1', NOW);
        await windows.recordClosed(user, 'instagram', '1', null, NOW);
        expect(await windows.find(user, 'instagram', '1')).toEqual({
          lastInboundAt: later,
          closedAt: NOW,
          humanAgentClosedAt: null,
        });
        await windows.recordClosed(user, 'instagram', '1', 'HUMAN_AGENT', later);
        expect((await windows.find(user, 'instagram', '1'))?.humanAgentClosedAt).toEqual(later);
        expect(await windows.find(user, 'facebook', '1')).toBeNull();
      });
    });

    describe('DailySendCounter', () => {
      it('never lets concurrent reservations pass the limit, and gives back released ones', async () => {
        const counter = new DrizzleDailySendCounter(database.handle.db);
        const user = uniqueUserId();
        const reserved = await Promise.all(
          Array.from({ length: 12 }, () => counter.reserve(user, '2026-03-01', 5)),
        );
        expect(reserved.filter(Boolean)).toHaveLength(5);
        expect(await counter.count(user, '2026-03-01')).toBe(5);
        await counter.release(user, '2026-03-01');
        expect(await counter.reserve(user, '2026-03-01', 5)).toBe(true);
        expect(await counter.reserve(user, '2026-03-01', 5)).toBe(false);
        expect(await counter.reserve(user, '2026-03-01', null)).toBe(true);
        expect(await counter.count(user, '2026-03-01')).toBe(6);
        expect(await counter.count(user, '2026-03-02')).toBe(0);
      });

      it("forgets a user's earlier days at the first reservation of a new day, and no one else's", async () => {
        const counter = new DrizzleDailySendCounter(database.handle.db);
        const [user, other] = [uniqueUserId(), uniqueUserId()];
        await counter.reserve(user, '2026-02-27', null);
        await counter.reserve(user, '2026-02-28', null);
        await counter.reserve(user, '2026-02-28', null);
        await counter.reserve(other, '2026-02-27', null);
        const days = () =>
          database.handle.db
            .select({ day: emailDailySends.day, sent: emailDailySends.sent })
            .from(emailDailySends)
            .where(eq(emailDailySends.userId, user))
            .orderBy(emailDailySends.day);
        expect(await days()).toEqual([{ day: '2026-02-28', sent: 2 }]);

        expect(await counter.reserve(user, '2026-03-01', 1)).toBe(true);
        expect(await counter.reserve(user, '2026-03-01', 1)).toBe(false);
        expect(await days()).toEqual([{ day: '2026-03-01', sent: 1 }]);
        expect(await counter.count(other, '2026-02-27')).toBe(1);
      });
    });
  });
}
