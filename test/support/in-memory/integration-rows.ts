import type { NewEvent } from '../../../src/application/events.js';
import { type Clock, systemClock } from '../../../src/application/ports/clock.js';
import type { Announce, IntegrationChange } from '../../../src/application/ports/event-outbox.js';
import type { Integration } from '../../../src/domain/integration.js';
import type { Platform } from '../../../src/domain/platform.js';

/** The refresh job's bookkeeping beside an integration, as the database keeps it in the same row. */
export interface LifecycleBookkeeping {
  nextCheckAt: Date | null;
  leaseUntil: Date | null;
  leaseToken: string | null;
  attempts: number;
}

export interface IntegrationRow extends LifecycleBookkeeping {
  integration: Integration;
}

/**
 * The `social_integrations` table in memory, shared by the in-memory repository, lifecycle store and
 * sealed-secret store the way the Drizzle ones share the table. Rows are copied in and out, so a
 * caller holding an integration cannot change what is stored.
 */
export class InMemoryIntegrationRows {
  readonly byId = new Map<string, IntegrationRow>();
  /** What announcements returned, in order: the outbox table's rows. */
  readonly events: NewEvent[] = [];

  /** Stands in for the database's now(). */
  constructor(readonly clock: Clock = systemClock) {}

  find(userId: string, platform: Platform): IntegrationRow | undefined {
    for (const row of this.byId.values())
      if (row.integration.userId === userId && row.integration.platform === platform) return row;
    return undefined;
  }

  /** The refresh bookkeeping of one row, as a test looks at it. */
  bookkeeping(id: string): LifecycleBookkeeping & { updatedAt: Date } {
    const row = this.byId.get(id);
    if (row === undefined) throw new Error(`no row ${id}`);
    const { integration, ...bookkeeping } = row;
    return { ...bookkeeping, updatedAt: integration.updatedAt };
  }

  /** Like the Drizzle stores: an announcement sees the row before and after, and its events are kept. */
  async announce(announce: Announce | undefined, change: IntegrationChange): Promise<void> {
    if (announce !== undefined) this.events.push(...(await announce(change)));
  }
}

/** A copy that shares nothing mutable with the stored integration. */
export function copyIntegration(integration: Integration): Integration {
  return structuredClone(integration);
}
