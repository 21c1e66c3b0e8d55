import { and, asc, eq, gt, gte, inArray, lt, notExists } from 'drizzle-orm';
import type { NewEvent, StoredEvent } from '../../application/events.js';
import type { EventLog, EventPage } from '../../application/ports/event-outbox.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { webhookDeliveries as deliveries, type OutboxEventRow, outboxEvents as table } from './schema.js';

/** Inserts a change's events; `db` is the change's own transaction. */
export async function insertEvents(db: Database, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insert(table)
    .values(events.map(({ type, userId, data }) => ({ type, userId, data: { ...data } })));
}

const toStoredEvent = (row: OutboxEventRow): StoredEvent => ({
  id: row.id,
  position: row.position,
  type: row.type as StoredEvent['type'],
  userId: row.userId,
  occurredAt: row.occurredAt,
  data: row.data,
});

export class DrizzleEventLog implements EventLog {
  constructor(private readonly db: Database) {}

  async list(
    userId: string,
    page: { readonly after: number | null; readonly limit: number; readonly since: Date },
  ): Promise<EventPage> {
    const rows = await reachable(() =>
      this.db
        .select()
        .from(table)
        .where(
          and(
            eq(table.userId, userId),
            gte(table.occurredAt, page.since),
            page.after === null ? undefined : gt(table.position, page.after),
          ),
        )
        .orderBy(asc(table.position))
        .limit(page.limit),
    );
    return { events: rows.map(toStoredEvent), next: rows.at(-1)?.position ?? null };
  }

  async purge(before: Date, limit: number): Promise<number> {
    const pending = this.db
      .select({ eventId: deliveries.eventId })
      .from(deliveries)
      .where(and(eq(deliveries.eventId, table.id), eq(deliveries.status, 'pending')));
    // SKIP LOCKED: an event another purger (or the delivery job queueing it) holds is left to it.
    const doomed = this.db
      .select({ id: table.id })
      .from(table)
      .where(and(lt(table.occurredAt, before), notExists(pending)))
      .orderBy(asc(table.occurredAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    // The deliveries go with their events (ON DELETE CASCADE).
    const rows = await this.db.delete(table).where(inArray(table.id, doomed)).returning({ id: table.id });
    return rows.length;
  }
}
