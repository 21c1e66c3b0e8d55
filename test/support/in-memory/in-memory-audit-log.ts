import type { AuditEvent, AuditLog, AuditRecord } from '../../../src/application/ports/audit-log.js';
import { type Clock, systemClock } from '../../../src/application/ports/clock.js';

/** DrizzleAuditLog's append-only entries, in memory, with ids counting up from 1. */
export class InMemoryAuditLog implements AuditLog {
  readonly entries: AuditRecord[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async append(event: AuditEvent): Promise<void> {
    this.entries.push({ ...event, id: this.entries.length + 1, occurredAt: this.clock.now() });
  }

  async listByActor(
    actor: string,
    page: { readonly limit: number; readonly before: number | null },
  ): Promise<AuditRecord[]> {
    return this.entries
      .filter((entry) => entry.actor === actor && (page.before === null || entry.id < page.before))
      .reverse()
      .slice(0, page.limit);
  }
}
