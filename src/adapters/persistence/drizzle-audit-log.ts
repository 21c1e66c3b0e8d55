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

export class DrizzleAuditLog implements AuditLog {
  // Every save, validate, delete and denial appends one entry: the insert is built once.
  private readonly appendQuery;

  constructor(private readonly db: Database) {
    this.appendQuery = db
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
  }

  async append(event: AuditEvent): Promise<void> {
    await reachable(() => this.appendQuery.execute({ ...event }));
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
