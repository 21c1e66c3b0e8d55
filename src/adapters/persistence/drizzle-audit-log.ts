import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type {
  AuditAction,
  AuditEvent,
  AuditLog,
  AuditOutcome,
  AuditRecord,
  RevocationOutcome,
} from '../../application/ports/audit-log.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { groupedWrites } from './grouped-writes.js';
import { type AuditRow, auditLog as table } from './schema.js';

// Only `append` writes this table, so its closed values read back as the types they were written as.
const toRecord = (row: AuditRow): AuditRecord => ({
  ...row,
  action: row.action as AuditAction,
  outcome: row.outcome as AuditOutcome,
  platform: row.platform as Platform | null,
  code: row.code as ErrorCode | null,
  revocation: row.revocation as RevocationOutcome | null,
});

const columnsOf = (event: AuditEvent) => ({
  action: event.action,
  outcome: event.outcome,
  actor: event.actor,
  targetUserId: event.targetUserId,
  platform: event.platform,
  code: event.code,
  requestId: event.requestId,
  clientAddress: event.clientAddress,
  revocation: event.revocation,
});

export class DrizzleAuditLog implements AuditLog {
  // Every save, validate, delete, send and denial appends one entry; under load, entries that arrive
  // together are written together (one commit), and a lone one by an insert built once.
  readonly append: (event: AuditEvent) => Promise<void>;

  constructor(private readonly db: Database) {
    const appendQuery = db
      .insert(table)
      .values({
        action: sql.placeholder('action'),
        outcome: sql.placeholder('outcome'),
        actor: sql.placeholder('actor'),
        targetUserId: sql.placeholder('targetUserId'),
        platform: sql.placeholder('platform'),
        code: sql.placeholder('code'),
        requestId: sql.placeholder('requestId'),
        clientAddress: sql.placeholder('clientAddress'),
        revocation: sql.placeholder('revocation'),
      })
      .prepare('append_audit_entry');
    this.append = groupedWrites<AuditEvent, void>(
      async (event) => {
        await reachable(() => appendQuery.execute(columnsOf(event)));
      },
      async (events) => {
        await reachable(() => db.insert(table).values(events.map(columnsOf)));
        return events.map(() => undefined);
      },
    );
  }

  async listByActor(actor: string, page: { limit: number; before: number | null }): Promise<AuditRecord[]> {
    const rows = await reachable(() =>
      this.db
        .select()
        .from(table)
        .where(and(eq(table.actor, actor), page.before === null ? undefined : lt(table.id, page.before)))
        .orderBy(desc(table.id))
        .limit(page.limit),
    );
    return rows.map(toRecord);
  }
}
