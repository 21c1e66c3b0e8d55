import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import type { NewEvent } from '../../application/events.js';
import type {
  ClaimOutcome,
  MessageClaim,
  MessageLog,
  MessagePage,
  MessageRecord,
  PendingAttempt,
  Settlement,
} from '../../application/ports/message-log.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { MessageStatus } from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { type OutreachMessageRow, outboxEvents, outreachMessages as table } from './schema.js';

// Only this adapter writes the table, so its closed values read back as the types they were written as.
export const toRecord = (row: OutreachMessageRow): MessageRecord => ({
  id: row.id,
  userId: row.userId,
  platform: row.platform as Platform,
  recipient: row.recipient,
  status: row.status as MessageStatus,
  platformMessageId: row.platformMessageId,
  errorCode: row.errorCode as ErrorCode | null,
  idempotencyKey: row.idempotencyKey,
  createdAt: row.createdAt,
  sentAt: row.sentAt,
});

// A claim can meet a key whose attempt fails between its insert and its look-up; it then tries again.
const CLAIM_ATTEMPTS = 3;

/** The settled record: the claim's own columns, and the outcome's, each written by {@link settle}. */
const settledRecord = (attempt: PendingAttempt, settlement: Settlement): MessageRecord => ({
  id: attempt.id,
  userId: attempt.userId,
  platform: attempt.platform,
  recipient: attempt.recipient,
  idempotencyKey: attempt.idempotencyKey,
  createdAt: attempt.createdAt,
  ...(settlement.status === 'sent'
    ? {
        status: 'sent',
        platformMessageId: settlement.platformMessageId,
        errorCode: null,
        sentAt: settlement.sentAt,
      }
    : { status: 'failed', platformMessageId: null, errorCode: settlement.errorCode, sentAt: null }),
});

/**
 * The message log in `outreach_messages`, on PGlite or PostgreSQL. A send's claim and its settlement are
 * one prepared statement each: the settlement writes the outcome and its outbox events in one statement
 * (data-modifying CTEs), atomic without a transaction, so it needs no reserved connection.
 */
export class DrizzleMessageLog implements MessageLog {
  private readonly claimQuery;
  private readonly holderQuery;
  private readonly settleQuery;

  constructor(private readonly db: Database) {
    this.claimQuery = db
      .insert(table)
      .values({
        userId: sql.placeholder('userId'),
        platform: sql.placeholder('platform'),
        recipient: sql.placeholder('recipient'),
        idempotencyKey: sql.placeholder('idempotencyKey'),
        requestHash: sql.placeholder('requestHash'),
        status: 'pending',
        createdAt: sql.placeholder('createdAt'),
      })
      .onConflictDoNothing()
      .returning({ id: table.id })
      .prepare('claim_message');
    this.holderQuery = db
      .select()
      .from(table)
      .where(
        and(
          eq(table.userId, sql.placeholder('userId')),
          eq(table.idempotencyKey, sql.placeholder('idempotencyKey')),
          ne(table.status, 'failed'),
        ),
      )
      .limit(1)
      .prepare('message_key_holder');
    // Every column the outcome decides is written, so the row reads back as `settledRecord` says.
    const settled = db.$with('m').as(
      db
        .update(table)
        .set({
          status: sql`${sql.placeholder('status')}`,
          platformMessageId: sql`${sql.placeholder('platformMessageId')}`,
          errorCode: sql`${sql.placeholder('errorCode')}`,
          sentAt: sql`${sql.placeholder('sentAt')}::timestamptz`,
        })
        .where(eq(table.id, sql.placeholder('id')))
        .returning({ id: table.id }),
    );
    // The events only if the message row was there to settle: they are selected from it.
    const announced = db
      .$with('e', {})
      .as(
        sql`insert into ${outboxEvents} (${sql.identifier(outboxEvents.userId.name)}, ${sql.identifier(outboxEvents.type.name)}, ${sql.identifier(outboxEvents.data.name)}) select "x"."user_id", "x"."type", "x"."data" from "m", jsonb_to_recordset(${sql.placeholder('events')}::jsonb) as "x"("user_id" text, "type" text, "data" jsonb)`,
      );
    this.settleQuery = db
      .with(settled, announced)
      .select({ id: settled.id })
      .from(settled)
      .prepare('settle_message');
  }

  async claim(claim: MessageClaim, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    const { userId, platform, recipient, idempotencyKey: key, requestHash } = claim;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      // The partial unique index decides: of concurrent inserts with one key, one row is written.
      const [inserted] = await reachable(() =>
        this.claimQuery.execute({
          userId,
          platform,
          recipient,
          idempotencyKey: key,
          requestHash,
          createdAt: now,
        }),
      );
      if (inserted !== undefined) {
        return {
          kind: 'claimed',
          id: inserted.id,
          userId,
          platform,
          recipient,
          idempotencyKey: key,
          createdAt: now,
        };
      }
      if (key === null) throw new Error('A claim without an idempotency key conflicted');
      const [holder] = await reachable(() => this.holderQuery.execute({ userId, idempotencyKey: key }));
      if (holder === undefined) continue;
      if (holder.status === 'pending') {
        if (holder.createdAt.getTime() > now.getTime() - leaseMs) return { kind: 'in_use' };
        await this.abandon(holder.id);
        continue;
      }
      return holder.requestHash === claim.requestHash
        ? { kind: 'replay', message: toRecord(holder) }
        : { kind: 'reused' };
    }
    return { kind: 'in_use' };
  }

  // Only while still pending: of concurrent claims that found it stale, one changes it, and all try again.
  private async abandon(id: string): Promise<void> {
    await reachable(() =>
      this.db
        .update(table)
        .set({ status: 'failed', errorCode: 'attempt_abandoned' })
        .where(and(eq(table.id, id), eq(table.status, 'pending'))),
    );
  }

  async release(id: string): Promise<void> {
    await reachable(() => this.db.delete(table).where(and(eq(table.id, id), eq(table.status, 'pending'))));
  }

  async settle(
    attempt: PendingAttempt,
    settlement: Settlement,
    announce: (message: MessageRecord) => readonly NewEvent[],
  ): Promise<MessageRecord> {
    const message = settledRecord(attempt, settlement);
    const events = announce(message).map(({ type, userId, data }) => ({ type, user_id: userId, data }));
    const [row] = await reachable(() =>
      this.settleQuery.execute({
        id: message.id,
        status: message.status,
        platformMessageId: message.platformMessageId,
        errorCode: message.errorCode,
        sentAt: message.sentAt?.toISOString() ?? null,
        events: JSON.stringify(events),
      }),
    );
    if (row === undefined) throw new Error('The settled message no longer exists');
    return message;
  }

  async list(
    userId: string,
    page: { readonly platform: Platform | null; readonly limit: number; readonly before: number | null },
  ): Promise<MessagePage> {
    const rows = await reachable(() =>
      this.db
        .select()
        .from(table)
        .where(
          and(
            eq(table.userId, userId),
            ne(table.status, 'pending'),
            page.platform === null ? undefined : eq(table.platform, page.platform),
            page.before === null ? undefined : lt(table.seq, page.before),
          ),
        )
        .orderBy(desc(table.seq))
        .limit(page.limit + 1),
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      messages: shown.map(toRecord),
      next: rows.length > page.limit && last !== undefined ? last.seq : null,
    };
  }
}
