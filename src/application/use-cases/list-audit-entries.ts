import type { AuditLog, AuditRecord } from '../ports/audit-log.js';

export interface AuditPage {
  readonly entries: readonly AuditRecord[];
  /** Pass back as `before` for the next page; null on the last page. */
  readonly nextCursor: number | null;
}

/** Pages through the entries of what the user did, newest first. */
export function listAuditEntries({ auditLog }: { readonly auditLog: AuditLog }) {
  return async (userId: string, limit: number, before: number | null): Promise<AuditPage> => {
    // One more than asked for tells whether another page exists.
    const found = await auditLog.listByActor(userId, { limit: limit + 1, before });
    const entries = found.slice(0, limit);
    const last = entries.at(-1);
    return { entries, nextCursor: found.length > limit && last !== undefined ? last.id : null };
  };
}
