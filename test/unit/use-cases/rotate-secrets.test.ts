import { beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import type { SealedRow } from '../../../src/application/ports/sealed-secret-store.js';
import { rotateSecrets } from '../../../src/application/use-cases/rotate-secrets.js';
import type { EncryptedSecret } from '../../../src/domain/integration.js';
import { InMemorySealedSecretStore } from '../../support/in-memory/in-memory-sealed-secret-store.js';
import { emailDraft, instagramDraft } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('rotateSecrets', () => {
  let ports: UnitPorts;
  let oldCipher: FernetSecretCipher;
  let newKey: string;
  let keyring: FernetSecretCipher;

  beforeEach(async () => {
    ports = await unitPorts();
    oldCipher = ports.cipher;
    newKey = generateFernetKey();
    keyring = await FernetSecretCipher.fromKeyList(`${newKey},${ports.key}`);
  });

  const storeUnderOldKey = async (count: number) => {
    for (let index = 0; index < count; index++) {
      await ports.repository.upsert(emailDraft({ smtpPassword: await oldCipher.seal(`password-${index}`) }));
    }
  };

  const storedPasswords = async (cipher: FernetSecretCipher) =>
    Promise.all(
      [...ports.integrations.byId.values()].map(({ integration }) =>
        integration.smtpPassword === null ? null : cipher.open(integration.smtpPassword),
      ),
    );

  it('re-seals every secret with the newest key, in batches, so the old key can go', async () => {
    await storeUnderOldKey(5);
    await ports.repository.upsert(
      instagramDraft({
        accessToken: await oldCipher.seal('access'),
        refreshToken: await oldCipher.seal('refresh'),
      }),
    );
    const progress: number[] = [];

    const report = await rotateSecrets({ ...ports, cipher: keyring })({
      batchSize: 2,
      onProgress: ({ rows }) => progress.push(rows),
    });

    expect(report.total).toEqual({ rows: 6, resealed: 7, current: 0, unreadable: 0, unsettled: 0 });
    expect(report.complete).toBe(true);
    expect(progress).toEqual([2, 4, 6]);
    const newOnly = await FernetSecretCipher.fromKeyList(newKey);
    expect((await storedPasswords(newOnly)).filter((password) => password !== null).sort()).toEqual([
      'password-0',
      'password-1',
      'password-2',
      'password-3',
      'password-4',
    ]);
  });

  it('only counts what is current on a second run, so a rerun after a crash finishes the rest', async () => {
    await storeUnderOldKey(3);
    const rotate = rotateSecrets({ ...ports, cipher: keyring });
    await rotate({ batchSize: 10 });

    const again = await rotate({ batchSize: 10 });

    expect(again.total).toEqual({ rows: 3, resealed: 0, current: 3, unreadable: 0, unsettled: 0 });
  });

  it('leaves a secret no key opens as it is, and reports the rotation incomplete', async () => {
    await storeUnderOldKey(1);
    const lost = await FernetSecretCipher.fromKeyList(generateFernetKey());
    const { integration } = await ports.repository.upsert(
      emailDraft({ smtpPassword: await lost.seal('gone') }),
    );

    const report = await rotateSecrets({ ...ports, cipher: keyring })({ batchSize: 10 });

    expect(report.total).toMatchObject({ rows: 2, resealed: 1, unreadable: 1 });
    expect(report.complete).toBe(false);
    expect(ports.integrations.byId.get(integration.id)?.integration.smtpPassword).toBe(
      integration.smtpPassword,
    );
  });

  it('never overwrites a secret the service saved between its read and its write', async () => {
    await storeUnderOldKey(1);
    const [row] = [...ports.integrations.byId.values()];
    const savedMeanwhile = await keyring.seal('saved by the service meanwhile');
    // The service writes the row once, just before the rotation's first write to it.
    const racing = new (class extends InMemorySealedSecretStore {
      private raced = false;
      override async replace(stale: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>) {
        if (!this.raced && row !== undefined) {
          this.raced = true;
          row.integration = { ...row.integration, smtpPassword: savedMeanwhile };
        }
        return super.replace(stale, replacements);
      }
    })(ports.integrations, ports.oauthStates);

    const report = await rotateSecrets({ sealedSecrets: racing, cipher: keyring })({ batchSize: 10 });

    expect(row?.integration.smtpPassword).toBe(savedMeanwhile);
    expect(report.total).toEqual({ rows: 1, resealed: 0, current: 1, unreadable: 0, unsettled: 0 });
  });
});
