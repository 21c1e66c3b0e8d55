import { beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import { UNREADABLE_CREDENTIALS } from '../../../src/application/integration-view.js';
import { listIntegrations } from '../../../src/application/use-cases/list-integrations.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('listIntegrations', () => {
  let ports: UnitPorts;
  let list: ReturnType<typeof listIntegrations>;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    list = listIntegrations(ports);
  });

  it("lists only the user's integrations, with every secret masked", async () => {
    await ports.repository.upsert(
      instagramDraft({
        userId,
        accessToken: await ports.cipher.seal('IGQVJ-long-access-token-9f3a'),
        accessTokenMask: '****9f3a',
      }),
    );
    await ports.repository.upsert(emailDraft({ userId, smtpPassword: await ports.cipher.seal('hunter2') }));
    await ports.repository.upsert(emailDraft());

    const views = await list(userId);

    expect(views.map((view) => view.platform).sort()).toEqual(['email', 'instagram']);
    const instagram = views.find((view) => view.platform === 'instagram');
    const email = views.find((view) => view.platform === 'email');
    expect(instagram).toMatchObject({ accessToken: '****9f3a', refreshToken: null, smtpPassword: null });
    expect(email).toMatchObject({ smtpPassword: '********', accessToken: null });
    expect(JSON.stringify(views)).not.toContain('hunter2');
    expect(JSON.stringify(views)).not.toContain('gAAAAA');
  });

  it('masks a token stored before masks were kept by opening it', async () => {
    await ports.repository.upsert(
      instagramDraft({ userId, accessToken: await ports.cipher.seal('EAAB-token-from-before-masks-71c2') }),
    );

    const [view] = await list(userId);

    expect(view?.accessToken).toBe('****71c2');
  });

  it('shows a token past its expiry as expired, whatever the stored status says', async () => {
    const expiresAt = new Date(ports.clock.now().getTime() - 1);
    await ports.repository.upsert(
      instagramDraft({ userId, tokenExpiresAt: expiresAt, accessTokenMask: '****' }),
    );

    const [view] = await list(userId);

    expect(view?.connectionStatus).toBe('expired');
  });

  it('shows credentials no configured key opens as an error to reconnect, rather than failing', async () => {
    const otherKey = await FernetSecretCipher.fromKeyList(generateFernetKey());
    await ports.repository.upsert(
      instagramDraft({ userId, accessToken: await otherKey.seal('EAAB-sealed-under-a-lost-key') }),
    );

    const [view] = await list(userId);

    expect(view).toMatchObject({
      connectionStatus: 'error',
      statusDetail: UNREADABLE_CREDENTIALS,
      accessToken: '****',
    });
  });

  it('answers an empty list for a user with nothing connected', async () => {
    expect(await list(uniqueUserId())).toEqual([]);
  });
});
