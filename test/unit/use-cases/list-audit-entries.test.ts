import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/application/ports/audit-log.js';
import { listAuditEntries } from '../../../src/application/use-cases/list-audit-entries.js';
import { uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

const event = (actor: string, requestId: string): AuditEvent => ({
  action: 'integration.create',
  outcome: 'success',
  actor,
  targetUserId: null,
  platform: 'email',
  revocation: null,
  code: null,
  requestId,
  clientAddress: '127.0.0.1',
});

describe('listAuditEntries', () => {
  let ports: UnitPorts;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    for (let index = 1; index <= 5; index++) {
      await ports.auditLog.append(event(userId, `mine-${index}`));
      await ports.auditLog.append(event(uniqueUserId(), `theirs-${index}`));
    }
  });

  it("pages through the user's own entries, newest first, to a last page without a cursor", async () => {
    const list = listAuditEntries(ports);

    const first = await list(userId, 2, null);
    const second = await list(userId, 2, first.nextCursor);
    const last = await list(userId, 2, second.nextCursor);

    const requestIds = (page: typeof first) => page.entries.map((entry) => entry.requestId);
    expect(requestIds(first)).toEqual(['mine-5', 'mine-4']);
    expect(requestIds(second)).toEqual(['mine-3', 'mine-2']);
    expect(requestIds(last)).toEqual(['mine-1']);
    expect(first.nextCursor).toBe(first.entries[1]?.id);
    expect(last.nextCursor).toBeNull();
  });

  it('gives no cursor when the page holds exactly what is left', async () => {
    const page = await listAuditEntries(ports)(userId, 5, null);

    expect(page.entries).toHaveLength(5);
    expect(page.nextCursor).toBeNull();
  });

  it('answers an empty page for a user who did nothing', async () => {
    expect(await listAuditEntries(ports)(uniqueUserId(), 10, null)).toEqual({
      entries: [],
      nextCursor: null,
    });
  });
});
