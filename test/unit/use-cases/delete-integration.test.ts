import { beforeEach, describe, expect, it } from 'vitest';
import { deleteIntegration } from '../../../src/application/use-cases/delete-integration.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('deleteIntegration', () => {
  let ports: UnitPorts;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
  });

  it("removes the user's integration for that platform only", async () => {
    await ports.repository.upsert(instagramDraft({ userId }));
    await ports.repository.upsert(emailDraft({ userId }));
    const other = await ports.repository.upsert(instagramDraft());

    await deleteIntegration(ports)(userId, 'instagram');

    expect((await ports.repository.listByUser(userId)).map((row) => row.platform)).toEqual(['email']);
    expect(await ports.repository.find(other.integration.userId, 'instagram')).not.toBeNull();
  });

  it('is idempotent: deleting what is not there succeeds and changes nothing', async () => {
    await ports.repository.upsert(emailDraft({ userId }));
    const remove = deleteIntegration(ports);

    await expect(remove(userId, 'tiktok')).resolves.toBeUndefined();
    await remove(userId, 'email');
    await expect(remove(userId, 'email')).resolves.toBeUndefined();
    expect(await ports.repository.listByUser(userId)).toEqual([]);
  });
});
