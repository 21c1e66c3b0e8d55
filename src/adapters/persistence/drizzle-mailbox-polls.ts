import { and, eq, getTableColumns, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Lease } from '../../application/ports/lifecycle-store.js';
import type { ClaimedMailbox, MailboxPolls, MailEffect } from '../../application/ports/mailbox-polls.js';
import type { MessageRecord } from '../../application/ports/message-log.js';
import type { MailboxPosition } from '../../domain/inbound-mail.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
import { toRecord } from './drizzle-message-log.js';
import { insertSuppression } from './drizzle-suppression-list.js';
import { toIntegration } from './row-mapping.js';
import { outreachMessages as messages, socialIntegrations as table } from './schema.js';

/**
 * The IMAP poller's queue on `social_integrations`, like the refresh queue: due mailboxes are claimed with
 * `FOR UPDATE SKIP LOCKED` and leased with a fresh token, and every write back is fenced by that token.
 */
export class DrizzleMailboxPolls implements MailboxPolls {
  constructor(private readonly db: Database) {}

  async claimDue(dueBy: Date, now: Date, limit: number, leaseMs: number): Promise<ClaimedMailbox[]> {
    const lease: Lease = { token: crypto.randomUUID(), until: new Date(now.getTime() + leaseMs) };
    const due = this.db.$with('due').as(
      this.db
        .select({ id: table.id })
        .from(table)
        .where(
          and(
            lte(table.imapNextPollAt, dueBy),
            or(isNull(table.imapLeaseUntil), lte(table.imapLeaseUntil, now)),
          ),
        )
        .orderBy(table.imapNextPollAt)
        .limit(limit)
        .for('update', { skipLocked: true }),
    );
    const rows = await reachable(() =>
      this.db
        .with(due)
        .update(table)
        .set({ imapLeaseUntil: lease.until, imapLeaseToken: lease.token })
        .from(due)
        .where(eq(table.id, due.id))
        .returning(getTableColumns(table)),
    );
    return rows.map((row) => ({
      integration: toIntegration(row),
      position:
        row.imapUidValidity === null || row.imapLastUid === null
          ? null
          : { uidValidity: row.imapUidValidity, lastUid: row.imapLastUid },
      lease,
    }));
  }

  async findSent(userId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    if (messageIds.length === 0) return [];
    const rows = await reachable(() =>
      this.db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.userId, userId),
            inArray(messages.platformMessageId, [...messageIds]),
            eq(messages.platform, 'email'),
            eq(messages.status, 'sent'),
          ),
        ),
    );
    return rows.map(toRecord);
  }

  record(id: string, lease: Lease, position: MailboxPosition, effect: MailEffect): Promise<boolean> {
    return reachable(() =>
      this.db.transaction(async (tx) => {
        const [moved] = await tx
          .update(table)
          .set({ imapUidValidity: position.uidValidity, imapLastUid: position.lastUid })
          .where(and(eq(table.id, id), eq(table.imapLeaseToken, lease.token)))
          .returning({ userId: table.userId });
        if (moved === undefined) return false;
        const { bounce } = effect;
        if (bounce !== null) {
          const { address, at, events } = bounce;
          await insertSuppression(tx, { userId: moved.userId, address, reason: 'bounced', at }, events);
        }
        await insertEvents(tx, effect.events);
        return true;
      }),
    );
  }

  async release(id: string, lease: Lease, next: Date): Promise<boolean> {
    const rows = await reachable(() =>
      this.db
        .update(table)
        .set({ imapNextPollAt: next, imapLeaseUntil: null, imapLeaseToken: null })
        .where(and(eq(table.id, id), eq(table.imapLeaseToken, lease.token)))
        .returning({ id: table.id }),
    );
    return rows.length > 0;
  }
}
