import type { NewEvent } from '../../../src/application/events.js';
import type {
  ClaimOutcome,
  MessageClaim,
  MessageLog,
  MessagePage,
  MessageRecord,
  PendingAttempt,
  Settlement,
} from '../../../src/application/ports/message-log.js';
import type { Platform } from '../../../src/domain/platform.js';

interface Row extends Omit<MessageRecord, 'status'> {
  readonly status: MessageRecord['status'] | 'pending';
  readonly seq: number;
  readonly requestHash: string;
}

// Settled rows only, as the Drizzle adapter returns them.
const toRecord = ({ seq: _seq, requestHash: _hash, status, ...record }: Row): MessageRecord => ({
  ...record,
  status: status === 'pending' ? 'failed' : status,
});

/** DrizzleMessageLog's rows in memory: one unsettled or sent attempt per user and key. */
export class InMemoryMessageLog implements MessageLog {
  private readonly rows: Row[] = [];
  /** What each settlement announced, in order, as the Drizzle adapter writes to the outbox. */
  readonly events: NewEvent[] = [];

  /** Every attempt, in flight or not, oldest first. */
  get attempts(): readonly Pick<Row, 'id' | 'status' | 'errorCode' | 'recipient'>[] {
    return this.rows;
  }

  async claim(claim: MessageClaim, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    const holder =
      claim.idempotencyKey === null
        ? undefined
        : this.rows.find(
            (row) =>
              row.userId === claim.userId &&
              row.idempotencyKey === claim.idempotencyKey &&
              row.status !== 'failed',
          );
    if (holder?.status === 'pending' && holder.createdAt.getTime() > now.getTime() - leaseMs) {
      return { kind: 'in_use' };
    }
    if (holder?.status === 'pending') {
      this.replace(holder.id, { status: 'failed', errorCode: 'attempt_abandoned' });
    } else if (holder !== undefined) {
      return holder.requestHash === claim.requestHash
        ? { kind: 'replay', message: toRecord(holder) }
        : { kind: 'reused' };
    }
    const row: Row = {
      id: crypto.randomUUID(),
      seq: this.rows.length + 1,
      userId: claim.userId,
      platform: claim.platform,
      recipient: claim.recipient,
      status: 'pending',
      platformMessageId: null,
      errorCode: null,
      idempotencyKey: claim.idempotencyKey,
      requestHash: claim.requestHash,
      createdAt: now,
      sentAt: null,
    };
    this.rows.push(row);
    const { id, userId, platform, recipient, idempotencyKey, createdAt } = row;
    return { kind: 'claimed', id, userId, platform, recipient, idempotencyKey, createdAt };
  }

  async release(id: string): Promise<void> {
    const index = this.rows.findIndex((row) => row.id === id && row.status === 'pending');
    if (index >= 0) this.rows.splice(index, 1);
  }

  async settle(
    attempt: PendingAttempt,
    settlement: Settlement,
    announce: (message: MessageRecord) => readonly NewEvent[],
  ): Promise<MessageRecord> {
    const record = this.replace(
      attempt.id,
      settlement.status === 'sent'
        ? { status: 'sent', platformMessageId: settlement.platformMessageId, sentAt: settlement.sentAt }
        : { status: 'failed', errorCode: settlement.errorCode },
    );
    this.events.push(...announce(record));
    return record;
  }

  async list(
    userId: string,
    page: { readonly platform: Platform | null; readonly limit: number; readonly before: number | null },
  ): Promise<MessagePage> {
    const rows = this.rows
      .filter(
        (row) =>
          row.userId === userId &&
          row.status !== 'pending' &&
          (page.platform === null || row.platform === page.platform) &&
          (page.before === null || row.seq < page.before),
      )
      .reverse();
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      messages: shown.map(toRecord),
      next: rows.length > page.limit && last !== undefined ? last.seq : null,
    };
  }

  private replace(id: string, change: Partial<Row>): MessageRecord {
    const index = this.rows.findIndex((row) => row.id === id);
    const row = this.rows[index];
    if (row === undefined) throw new Error('The settled message no longer exists');
    const changed = { ...row, ...change };
    this.rows[index] = changed;
    return toRecord(changed);
  }
}
