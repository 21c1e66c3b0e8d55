import { beforeEach, describe, expect, it } from 'vitest';
import { deleteIntegration } from '../../../src/application/use-cases/delete-integration.js';
import { fail } from '../../../src/domain/result.js';
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

  it('is idempotent: deleting what is not there succeeds, changes nothing and revokes nothing', async () => {
    await ports.repository.upsert(emailDraft({ userId }));
    const remove = deleteIntegration(ports);

    await expect(remove(userId, 'tiktok')).resolves.toBeNull();
    await expect(remove(userId, 'email')).resolves.toEqual({ revocation: 'not_offered', failureCode: null });
    await expect(remove(userId, 'email')).resolves.toBeNull();
    expect(await ports.repository.listByUser(userId)).toEqual([]);
    expect(ports.gateway.revocations).toEqual([]);
  });

  it('revokes the token it removed, opened, with the Page it was stored for', async () => {
    const accessToken = 'EAAGPageTokenToRevoke';
    await ports.repository.upsert(
      instagramDraft({
        userId,
        accessToken: await ports.cipher.seal(accessToken),
        pageId: '100000000000007',
      }),
    );

    await expect(deleteIntegration(ports)(userId, 'instagram')).resolves.toEqual({
      revocation: 'revoked',
      failureCode: null,
    });
    expect(ports.gateway.revocations).toEqual([{ accessToken, pageId: '100000000000007' }]);
  });

  it('reports a failed revoke with its code, after the row is gone', async () => {
    await ports.repository.upsert(
      instagramDraft({ userId, platform: 'tiktok', accessToken: await ports.cipher.seal('act.x') }),
    );
    ports.gateway.nextRevoke = fail('platform_unavailable', 'TikTok is not working right now.');

    await expect(deleteIntegration(ports)(userId, 'tiktok')).resolves.toEqual({
      revocation: 'failed',
      failureCode: 'platform_unavailable',
    });
    expect(await ports.repository.find(userId, 'tiktok')).toBeNull();
  });

  it('reports a token no configured key opens as a failed revoke, without calling the platform', async () => {
    await ports.repository.upsert(instagramDraft({ userId, platform: 'tiktok' }));

    await expect(deleteIntegration(ports)(userId, 'tiktok')).resolves.toEqual({
      revocation: 'failed',
      failureCode: 'credentials_unreadable',
    });
    expect(ports.gateway.revocations).toEqual([]);
  });

  it('keeps a Meta user token whose grant the user’s other Meta integration relies on', async () => {
    const sealed = await ports.cipher.seal('EAAGUserToken');
    await ports.repository.upsert(
      instagramDraft({ userId, platform: 'facebook', pageId: null, accessToken: sealed }),
    );
    await ports.repository.upsert(instagramDraft({ userId }));

    await expect(deleteIntegration(ports)(userId, 'facebook')).resolves.toEqual({
      revocation: 'kept_shared',
      failureCode: null,
    });
    expect(ports.gateway.revocations).toEqual([]);
  });
});
