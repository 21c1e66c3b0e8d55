import { and, asc, eq, gte, inArray, isNull, lte, not, or, sql } from 'drizzle-orm';
import type { Lease } from '../../application/ports/lifecycle-store.js';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  WebhookOutbox,
} from '../../application/ports/webhook-outbox.js';
import type { Database } from './database.js';
import { webhookDeliveries as deliveries, outboxEvents as events } from './schema.js';

/**
 * The webhook queue beside the outbox. Queueing marks events in the same transaction as it inserts
 * their deliveries, and claims take rows with `FOR UPDATE SKIP LOCKED` under a fresh lease token that
 * fences the write back, as the refresh queue does (drizzle-lifecycle-store.ts).
 */
export class DrizzleWebhookOutbox implements WebhookOutbox {
  constructor(private readonly db: Database) {}

  async enqueue(endpoints: readonly string[], limit: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const fresh = tx
        .$with('fresh')
        .as(
          tx
            .select({ id: events.id })
            .from(events)
            .where(not(events.queued))
            .orderBy(asc(events.position))
            .limit(limit)
            .for('update', { skipLocked: true }),
        );
      const queued = await tx
        .with(fresh)
        .update(events)
        .set({ queued: true })
        .from(fresh)
        .where(eq(events.id, fresh.id))
        .returning({ id: events.id });
      if (queued.length > 0) {
        await tx
          .insert(deliveries)
          .values(queued.flatMap(({ id }) => endpoints.map((endpoint) => ({ eventId: id, endpoint }))))
          .onConflictDoNothing();
      }
      return queued.length;
    });
  }

  async claimDue(
    endpoints: readonly string[],
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]> {
    const lease: Lease = { token: crypto.randomUUID(), until: new Date(now.getTime() + leaseMs) };
    const due = this.db.$with('due').as(
      this.db
        .select({ eventId: deliveries.eventId, endpoint: deliveries.endpoint })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, 'pending'),
            lte(deliveries.nextAttemptAt, now),
            or(isNull(deliveries.leaseUntil), lte(deliveries.leaseUntil, now)),
            inArray(deliveries.endpoint, [...endpoints]),
          ),
        )
        .orderBy(asc(deliveries.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true }),
    );
    const claimed = await this.db
      .with(due)
      .update(deliveries)
      .set({ leaseUntil: lease.until, leaseToken: lease.token })
      .from(due)
      .where(and(eq(deliveries.eventId, due.eventId), eq(deliveries.endpoint, due.endpoint)))
      .returning({
        eventId: deliveries.eventId,
        endpoint: deliveries.endpoint,
        attempts: deliveries.attempts,
      });
    if (claimed.length === 0) return [];
    const rows = await this.db
      .select({ id: events.id, type: events.type, occurredAt: events.occurredAt, data: events.data })
      .from(events)
      .where(inArray(events.id, [...new Set(claimed.map((row) => row.eventId))]));
    const bodies = new Map(
      rows.map((row) => [
        row.id,
        {
          occurredAt: row.occurredAt,
          body: JSON.stringify({ type: row.type, timestamp: row.occurredAt.toISOString(), data: row.data }),
        },
      ]),
    );
    return claimed.flatMap((row) => {
      const event = bodies.get(row.eventId);
      return event === undefined ? [] : [{ ...row, ...event, lease }];
    });
  }

  async settle(outcomes: readonly DeliveryOutcome[]): Promise<DeliveryOutcome[]> {
    const [first] = outcomes;
    if (first === undefined) return [];
    const rows = sql.join(
      outcomes.map(
        ({ delivery, decision, lastError }) =>
          sql`(${delivery.eventId}::uuid, ${delivery.endpoint}, ${decision.status}, ${decision.nextAttemptAt?.toISOString() ?? null}::timestamptz, ${lastError})`,
      ),
      sql`, `,
    );
    const outcome = sql`(values ${rows}) as outcome(event_id, endpoint, status, next_attempt_at, last_error)`;
    // One claim's deliveries share its lease token, which fences the whole write.
    const written = await this.db
      .update(deliveries)
      .set({
        status: sql`outcome.status`,
        attempts: sql`${deliveries.attempts} + 1`,
        nextAttemptAt: sql`coalesce(outcome.next_attempt_at, ${deliveries.nextAttemptAt})`,
        leaseUntil: null,
        leaseToken: null,
        lastError: sql`outcome.last_error`,
        updatedAt: sql`now()`,
      })
      .from(outcome)
      .where(
        and(
          sql`${deliveries.eventId} = outcome.event_id`,
          sql`${deliveries.endpoint} = outcome.endpoint`,
          eq(deliveries.leaseToken, first.delivery.lease.token),
        ),
      )
      .returning({ eventId: deliveries.eventId, endpoint: deliveries.endpoint });
    const kept = new Set(written.map((row) => `${row.eventId} ${row.endpoint}`));
    return outcomes.filter(({ delivery }) => kept.has(`${delivery.eventId} ${delivery.endpoint}`));
  }

  async requeueFailed(since: Date, now: Date): Promise<number> {
    const rows = await this.db
      .update(deliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, updatedAt: sql`now()` })
      .where(
        and(
          eq(deliveries.status, 'failed'),
          inArray(
            deliveries.eventId,
            this.db.select({ id: events.id }).from(events).where(gte(events.occurredAt, since)),
          ),
        ),
      )
      .returning({ eventId: deliveries.eventId });
    return rows.length;
  }
}
