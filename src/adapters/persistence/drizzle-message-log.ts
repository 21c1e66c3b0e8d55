import { and, desc, eq, lt, ne } from 'drizzle-orm';
import type { NewEvent } from '../../application/events.js';
import type {
  ClaimOutcome,
  MessageClaim,
  MessageLog,
  MessagePage,
  MessageRecord,
  Settlement,
} from '../../application/ports/message-log.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { MessageStatus } from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
import { type OutreachMessageRow, outreachMessages as table } from './schema.js';

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

/** The message log in `outreach_messages`, on PGlite or PostgreSQL. */
export class DrizzleMessageLog implements MessageLog {
  constructor(private readonly db: Database) {}

  async claim(claim: MessageClaim, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      // The partial unique index decides: of concurrent inserts with one key, one row is written.
      const [inserted] = await reachable(() =>
        this.db
          .insert(table)
          .values({ ...claim, status: 'pending', createdAt: now })
          .onConflictDoNothing()
          .returning({ id: table.id }),
      );
      if (inserted !== undefined) return { kind: 'claimed', id: inserted.id };
      const key = claim.idempotencyKey;
      if (key === null) throw new Error('A claim without an idempotency key conflicted');
      const [holder] = await reachable(() =>
        this.db
          .select()
          .from(table)
          .where(
            and(eq(table.userId, claim.userId), eq(table.idempotencyKey, key), ne(table.status, 'failed')),
          )
          .limit(1),
      );
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
    id: string,
    settlement: Settlement,
    announce: (message: MessageRecord) => readonly NewEvent[],
  ): Promise<MessageRecord> {
    return reachable(() =>
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(table)
          .set(
            settlement.status === 'sent'
              ? { status: 'sent', platformMessageId: settlement.platformMessageId, sentAt: settlement.sentAt }
              : { status: 'failed', errorCode: settlement.errorCode },
          )
          .where(eq(table.id, id))
          .returning();
        if (row === undefined) throw new Error('The settled message no longer exists');
        const message = toRecord(row);
        await insertEvents(tx, announce(message));
        return message;
      }),
    );
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
