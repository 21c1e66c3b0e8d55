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
import { groupedWrites } from './grouped-writes.js';
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

/** A claim as the grouped insert reads it: its id is chosen here, so the insert's answer names its rows. */
interface ClaimRow {
  readonly id: string;
  readonly user_id: string;
  readonly platform: Platform;
  readonly recipient: string;
  readonly idempotency_key: string | null;
  readonly request_hash: string;
  readonly created_at: Date;
}

/** A settlement as the grouped update reads it, with the events it writes beside the message. */
interface SettlementRow {
  readonly id: string;
  readonly status: MessageStatus;
  readonly platform_message_id: string | null;
  readonly error_code: ErrorCode | null;
  readonly sent_at: Date | null;
  readonly events: readonly { readonly user_id: string; readonly type: string; readonly data: unknown }[];
}

/** A prepared statement over a JSON array of rows (`rows`) that answers the ids it wrote. */
interface RowsStatement {
  execute(values: { rows: string }): Promise<readonly { id: string }[]>;
}

/** Writes each row with `statement`, grouped with the rows in flight; answers whether the row was written. */
function groupedById<T extends { readonly id: string }>(
  statement: RowsStatement,
): (row: T) => Promise<boolean> {
  const writeMany = async (rows: readonly T[]) => {
    const written = await reachable(() => statement.execute({ rows: JSON.stringify(rows) }));
    const ids = new Set(written.map(({ id }) => id));
    return rows.map(({ id }) => ids.has(id));
  };
  return groupedWrites<T, boolean>(async (row) => (await writeMany([row]))[0] === true, writeMany);
}

/**
 * The message log in `outreach_messages`, on PGlite or PostgreSQL. Claims and settlements that arrive
 * together are written together ({@link groupedWrites}): under load a send's claim and its settlement were
 * each a commit of their own, and commits waiting on the WAL flush held sends back. Each is one prepared
 * statement over a JSON array of rows, whether one row or many: the settlement writes the outcomes and
 * their outbox events in one statement (data-modifying CTEs), atomic without a transaction, so it needs no
 * reserved connection.
 */
export class DrizzleMessageLog implements MessageLog {
  private readonly insertClaim: (row: ClaimRow) => Promise<boolean>;
  private readonly holderQuery;
  private readonly writeSettlement: (row: SettlementRow) => Promise<boolean>;

  constructor(private readonly db: Database) {
    const rows = sql`jsonb_to_recordset(${sql.placeholder('rows')}::jsonb)`;
    // Of concurrent inserts with one key, in one statement or many, the partial unique index keeps one.
    const claimed = db
      .$with('c', { id: sql<string>`"id"` })
      .as(
        sql`insert into ${table} ("id", "user_id", "platform", "recipient", "idempotency_key", "request_hash", "status", "created_at") select "id", "user_id", "platform", "recipient", "idempotency_key", "request_hash", 'pending', "created_at" from ${rows} as "x"("id" uuid, "user_id" text, "platform" text, "recipient" text, "idempotency_key" text, "request_hash" text, "created_at" timestamptz) on conflict do nothing returning "id"`,
      );
    this.insertClaim = groupedById<ClaimRow>(
      db.with(claimed).select({ id: sql<string>`"c"."id"` }).from(claimed).prepare('claim_messages'),
    );

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

    // Every column the outcome decides is written, so each row reads back as `settledRecord` says; the
    // events only for a message row that was there to settle: they are selected from it.
    const outcomes = db
      .$with('x', {})
      .as(
        sql`select * from ${rows} as "x"("id" uuid, "status" text, "platform_message_id" text, "error_code" text, "sent_at" timestamptz, "events" jsonb)`,
      );
    const settled = db
      .$with('m', { id: sql<string>`"id"` })
      .as(
        sql`update ${table} as "t" set "status" = "x"."status", "platform_message_id" = "x"."platform_message_id", "error_code" = "x"."error_code", "sent_at" = "x"."sent_at" from "x" where "t"."id" = "x"."id" returning "t"."id", "x"."events"`,
      );
    const announced = db
      .$with('e', {})
      .as(
        sql`insert into ${outboxEvents} ("user_id", "type", "data") select "v"."user_id", "v"."type", "v"."data" from "m", jsonb_to_recordset("m"."events") as "v"("user_id" text, "type" text, "data" jsonb)`,
      );
    this.writeSettlement = groupedById<SettlementRow>(
      db
        .with(outcomes, settled, announced)
        .select({ id: sql<string>`"m"."id"` })
        .from(settled)
        .prepare('settle_messages'),
    );
  }

  async claim(claim: MessageClaim, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    const { userId, platform, recipient, idempotencyKey: key, requestHash } = claim;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const id = crypto.randomUUID();
      const inserted = await this.insertClaim({
        id,
        user_id: userId,
        platform,
        recipient,
        idempotency_key: key,
        request_hash: requestHash,
        created_at: now,
      });
      if (inserted) {
        return { kind: 'claimed', id, userId, platform, recipient, idempotencyKey: key, createdAt: now };
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
    const written = await this.writeSettlement({
      id: message.id,
      status: message.status,
      platform_message_id: message.platformMessageId,
      error_code: message.errorCode,
      sent_at: message.sentAt,
      events: announce(message).map(({ type, userId, data }) => ({ type, user_id: userId, data })),
    });
    if (!written) throw new Error('The settled message no longer exists');
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
