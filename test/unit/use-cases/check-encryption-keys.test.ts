import { beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import { checkEncryptionKeys } from '../../../src/application/use-cases/check-encryption-keys.js';
import { emailDraft, instagramDraft } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('checkEncryptionKeys', () => {
  let ports: UnitPorts;

  beforeEach(async () => {
    ports = await unitPorts();
  });

  const storeSealedWith = async (cipher: FernetSecretCipher, count: number) => {
    for (let index = 0; index < count; index++) {
      await ports.repository.upsert(emailDraft({ smtpPassword: await cipher.seal(`password-${index}`) }));
    }
  };

  it('passes when every sampled secret opens, across integrations and OAuth states', async () => {
    await storeSealedWith(ports.cipher, 3);
    await ports.repository.upsert(
      instagramDraft({
        accessToken: await ports.cipher.seal('access'),
        refreshToken: await ports.cipher.seal('refresh'),
      }),
    );
    await ports.oauthStates.save({
      stateHash: 'a'.repeat(64),
      userId: 'someone',
      platform: 'tiktok',
      loginType: null,
      redirectUri: 'https://app.example.com/cb',
      codeVerifier: await ports.cipher.seal('verifier'),
      createdAt: ports.clock.now(),
      expiresAt: new Date(ports.clock.now().getTime() + 60_000),
    });

    expect(await checkEncryptionKeys(ports)(10)).toEqual({
      sampledRows: 5,
      unreadableRows: 0,
      keyMissing: false,
    });
  });

  it('samples at most the given number of rows per table', async () => {
    await storeSealedWith(ports.cipher, 6);

    expect((await checkEncryptionKeys(ports)(4)).sampledRows).toBe(4);
  });

  it('reports the key missing when no sampled secret opens', async () => {
    await storeSealedWith(await FernetSecretCipher.fromKeyList(generateFernetKey()), 3);

    expect(await checkEncryptionKeys(ports)(10)).toEqual({
      sampledRows: 3,
      unreadableRows: 3,
      keyMissing: true,
    });
  });

  it('takes a single unreadable row among readable ones for a damaged row, not a missing key', async () => {
    await storeSealedWith(ports.cipher, 3);
    await storeSealedWith(await FernetSecretCipher.fromKeyList(generateFernetKey()), 1);

    expect(await checkEncryptionKeys(ports)(10)).toEqual({
      sampledRows: 4,
      unreadableRows: 1,
      keyMissing: false,
    });
  });

  it('passes an empty database, which has nothing to open', async () => {
    expect(await checkEncryptionKeys(ports)(10)).toEqual({
      sampledRows: 0,
      unreadableRows: 0,
      keyMissing: false,
    });
  });
});
