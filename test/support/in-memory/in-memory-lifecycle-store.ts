import type { Announce } from '../../../src/application/ports/event-outbox.js';
import type {
  ClaimedIntegration,
  Lease,
  LifecycleStore,
} from '../../../src/application/ports/lifecycle-store.js';
import type { Settlement } from '../../../src/domain/settlement.js';
import { copyIntegration, type InMemoryIntegrationRows } from './integration-rows.js';

/** DrizzleLifecycleStore's leases and fenced settlements over rows in memory. */
export class InMemoryLifecycleStore implements LifecycleStore {
  constructor(private readonly rows: InMemoryIntegrationRows) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedIntegration[]> {
    const lease: Lease = { token: crypto.randomUUID(), until: new Date(now.getTime() + leaseMs) };
    const due = [...this.rows.byId.values()]
      .filter(
        (row) =>
          row.nextCheckAt !== null &&
          row.nextCheckAt.getTime() <= now.getTime() &&
          (row.leaseUntil === null || row.leaseUntil.getTime() <= now.getTime()),
      )
      .sort((a, b) => (a.nextCheckAt?.getTime() ?? 0) - (b.nextCheckAt?.getTime() ?? 0))
      .slice(0, limit);
    return due.map((row) => {
      row.leaseUntil = lease.until;
      row.leaseToken = lease.token;
      return { integration: copyIntegration(row.integration), lease, attempts: row.attempts };
    });
  }

  async settle(id: string, lease: Lease, settlement: Settlement, announce?: Announce): Promise<boolean> {
    const row = this.rows.byId.get(id);
    if (row === undefined || row.leaseToken !== lease.token) return false;
    const before = copyIntegration(row.integration);
    if (Object.keys(settlement.changes).length > 0) {
      row.integration = copyIntegration({
        ...row.integration,
        ...settlement.changes,
        updatedAt: this.rows.clock.now(),
      });
    }
    row.nextCheckAt = settlement.nextCheckAt;
    row.attempts = settlement.attempts;
    row.leaseUntil = null;
    row.leaseToken = null;
    await this.rows.announce(announce, { before, after: copyIntegration(row.integration) });
    return true;
  }
}
