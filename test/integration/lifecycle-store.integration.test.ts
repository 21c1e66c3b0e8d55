import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationRepository } from '../../src/application/ports/integration-repository.js';
import type { ClaimedIntegration, LifecycleStore } from '../../src/application/ports/lifecycle-store.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { instagramDraft } from '../support/integration-builders.js';
import { type Stores, storeDrivers } from '../support/store-drivers.js';

const MINUTE = 60_000;
const LEASE_MS = 5 * MINUTE;
const unchanged = { changes: {}, nextCheckAt: null, attempts: 0 };

for (const driver of await storeDrivers()) {
  describe.skipIf(driver.skip)(`LifecycleStore on ${driver.name}`, () => {
    let stores: Stores;
    let store: LifecycleStore;
    let repository: IntegrationRepository;
    // Saving schedules a row at the database's now(); claims look a little later.
    let now: Date;
    const later = (ms: number) => new Date(now.getTime() + ms);

    beforeAll(async () => {
      stores = await driver.open();
      ({ lifecycle: store, repository } = stores);
    });
    afterAll(() => stores.dispose());
    beforeEach(async () => {
      await stores.clearIntegrations();
      now = new Date(Date.now() + 5_000);
    });

    const saved = async (nextCheckAt: Date | null) => {
      const { integration } = await repository.upsert(instagramDraft());
      await stores.scheduleAt(integration.id, nextCheckAt);
      return integration;
    };

    it('claims due rows only, most overdue first, up to the limit, and leases them', async () => {
      const oldest = await saved(later(-3 * MINUTE));
      const due = await saved(later(-1 * MINUTE));
      await saved(later(MINUTE));
      await saved(null);

      const [first, ...none] = await store.claimDue(now, 1, LEASE_MS);
      const rest = await store.claimDue(now, 10, LEASE_MS);

      expect(none).toEqual([]);
      expect(first?.integration).toEqual(oldest);
      expect(first?.attempts).toBe(0);
      expect(first?.lease.until).toEqual(later(LEASE_MS));
      expect(rest.map((claim) => claim.integration.id)).toEqual([due.id]);
      expect(rest[0]?.lease.token).not.toBe(first?.lease.token);
      expect(await stores.lifecycleRow(oldest.id)).toMatchObject({
        leaseUntil: later(LEASE_MS),
        leaseToken: first?.lease.token,
      });
      expect(await store.claimDue(now, 10, LEASE_MS)).toEqual([]);
    });

    it('lets another claimer take a row once its lease lapsed, and fences out the first holder', async () => {
      const integration = await saved(later(-1 * MINUTE));
      const [first] = await store.claimDue(now, 10, LEASE_MS);

      expect(await store.claimDue(later(LEASE_MS - 1), 10, LEASE_MS)).toEqual([]);
      const [second] = await store.claimDue(later(LEASE_MS), 10, LEASE_MS);

      expect(second?.integration.id).toBe(integration.id);
      expect(await store.settle(integration.id, (first as ClaimedIntegration).lease, unchanged)).toBe(false);
      expect(await store.settle(integration.id, (second as ClaimedIntegration).lease, unchanged)).toBe(true);
    });

    it('writes a settlement in one go, ends the lease, and accepts it only once', async () => {
      const integration = await saved(later(-1 * MINUTE));
      const [claim] = await store.claimDue(now, 10, LEASE_MS);
      const settlement = {
        changes: {
          accessToken: 'gAAAAA-test-renewed' as EncryptedSecret,
          tokenExpiresAt: later(60 * MINUTE),
          tokenIssuedAt: now,
          lastVerifiedAt: now,
          scopesGranted: ['instagram_basic'],
          metadata: { renewed: true },
        },
        nextCheckAt: later(45 * MINUTE),
        attempts: 0,
      };

      expect(await store.settle(integration.id, (claim as ClaimedIntegration).lease, settlement)).toBe(true);
      expect(await store.settle(integration.id, (claim as ClaimedIntegration).lease, settlement)).toBe(false);

      expect(await repository.find(integration.userId, 'instagram')).toMatchObject({
        ...settlement.changes,
        refreshToken: integration.refreshToken,
        connectionStatus: 'connected',
      });
      expect(await stores.lifecycleRow(integration.id)).toMatchObject({
        nextCheckAt: later(45 * MINUTE),
        leaseUntil: null,
        leaseToken: null,
        attempts: 0,
      });
    });

    it('keeps updated_at when only the schedule or the attempts change', async () => {
      const integration = await saved(later(-1 * MINUTE));
      const before = await stores.lifecycleRow(integration.id);
      const [claim] = await store.claimDue(now, 10, LEASE_MS);

      await store.settle(integration.id, (claim as ClaimedIntegration).lease, {
        changes: {},
        nextCheckAt: later(2 * MINUTE),
        attempts: 2,
      });

      expect(await stores.lifecycleRow(integration.id)).toMatchObject({
        updatedAt: before.updatedAt,
        nextCheckAt: later(2 * MINUTE),
        attempts: 2,
      });
    });

    it('ends any lease when the integration is saved again (a reconnect), and makes it due', async () => {
      const integration = await saved(later(-1 * MINUTE));
      const [claim] = await store.claimDue(now, 10, LEASE_MS);
      await store.settle(integration.id, (claim as ClaimedIntegration).lease, {
        changes: {},
        nextCheckAt: later(-1 * MINUTE),
        attempts: 3,
      });
      const [held] = await store.claimDue(now, 10, LEASE_MS);

      await repository.upsert(
        instagramDraft({ userId: integration.userId, metadata: { reconnected: true } }),
      );

      expect(
        await store.settle(integration.id, (held as ClaimedIntegration).lease, {
          changes: { statusDetail: 'stale writer' },
          nextCheckAt: null,
          attempts: 0,
        }),
      ).toBe(false);
      const row = await stores.lifecycleRow(integration.id);
      expect(row).toMatchObject({ leaseUntil: null, leaseToken: null, attempts: 0 });
      expect(row.nextCheckAt?.getTime()).toBeLessThanOrEqual(now.getTime());
      expect((await repository.find(integration.userId, 'instagram'))?.statusDetail).toBeNull();
    });

    it('writes nothing for a lease holder whose integration was deleted', async () => {
      const integration = await saved(later(-1 * MINUTE));
      const [claim] = await store.claimDue(now, 10, LEASE_MS);
      await repository.remove(integration.userId, 'instagram');

      expect(await store.settle(integration.id, (claim as ClaimedIntegration).lease, unchanged)).toBe(false);
    });

    it('never hands one row to two of many concurrent claimers', async () => {
      const ids = new Set<string>();
      for (let index = 0; index < 120; index++) ids.add((await saved(later(-1 * MINUTE))).id);

      const claimer = async () => {
        const mine: string[] = [];
        for (;;) {
          const claimed = await store.claimDue(now, 7, LEASE_MS);
          if (claimed.length === 0) return mine;
          mine.push(...claimed.map((claim) => claim.integration.id));
        }
      };
      const claimedBy = await Promise.all(Array.from({ length: 8 }, claimer));

      const all = claimedBy.flat();
      expect(all).toHaveLength(120);
      expect(new Set(all)).toEqual(ids);
    });
  });
}
