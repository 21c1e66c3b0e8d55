import { beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import { UNREADABLE_CREDENTIALS } from '../../../src/application/integration-view.js';
import { validateIntegration } from '../../../src/application/use-cases/validate-integration.js';
import { fail } from '../../../src/domain/result.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('validateIntegration', () => {
  let ports: UnitPorts;
  let validate: ReturnType<typeof validateIntegration>;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    validate = validateIntegration(ports);
  });

  const storedInstagram = async () =>
    (
      await ports.repository.upsert(
        instagramDraft({
          userId,
          connectionStatus: 'error',
          statusDetail: 'An earlier check failed.',
          accessToken: await ports.cipher.seal('EAAB-stored-access-token'),
        }),
      )
    ).integration;

  it('answers integration_not_found, asking nothing of the platform, when there is none', async () => {
    expect(await validate(userId, 'instagram')).toMatchObject({
      ok: false,
      failure: { code: 'integration_not_found' },
    });
    expect(ports.gateway.validations).toEqual([]);
  });

  it('checks the stored token with the platform and records it connected, due for the refresh job', async () => {
    const stored = await storedInstagram();

    const outcome = await validate(userId, 'instagram');

    expect(ports.gateway.validations).toEqual([
      { accessToken: 'EAAB-stored-access-token', pageId: '100000000000001' },
    ]);
    expect(outcome).toMatchObject({
      ok: true,
      value: { valid: true, detail: null, failureCode: null, integration: { connectionStatus: 'connected' } },
    });
    expect(await ports.repository.find(userId, 'instagram')).toMatchObject({
      connectionStatus: 'connected',
      statusDetail: null,
      lastVerifiedAt: ports.clock.now(),
    });
    expect(ports.integrations.bookkeeping(stored.id).nextCheckAt).toEqual(ports.clock.now());
  });

  it('records what the platform refused with, and takes it off the refresh schedule', async () => {
    const stored = await storedInstagram();
    ports.gateway.next = fail('token_revoked', 'The person revoked access to this app.');

    const outcome = await validate(userId, 'instagram');

    expect(outcome).toMatchObject({
      ok: true,
      value: {
        valid: false,
        failureCode: 'token_revoked',
        detail: 'The person revoked access to this app.',
        integration: { connectionStatus: 'revoked' },
      },
    });
    expect(ports.integrations.bookkeeping(stored.id).nextCheckAt).toBeNull();
  });

  it('changes nothing when the platform is down: that says nothing about the token', async () => {
    const stored = await storedInstagram();
    ports.gateway.next = fail('platform_unavailable', 'Instagram did not answer in time.');

    expect(await validate(userId, 'instagram')).toEqual(
      fail('platform_unavailable', 'Instagram did not answer in time.'),
    );
    expect(await ports.repository.find(userId, 'instagram')).toEqual(stored);
  });

  it('checks an SMTP login with the opened password', async () => {
    await ports.repository.upsert(
      emailDraft({ userId, smtpPassword: await ports.cipher.seal('s3cret-pass') }),
    );

    const outcome = await ports.mailVerifier.refusingLogins(() => validate(userId, 'email'));

    expect(ports.mailVerifier.logins.map((login) => login.password)).toEqual(['s3cret-pass']);
    expect(outcome).toMatchObject({
      ok: true,
      value: { valid: false, failureCode: 'smtp_auth_failed', integration: { connectionStatus: 'error' } },
    });
  });

  it('reports credentials no configured key opens, asking nothing of the platform and changing nothing', async () => {
    const lostKey = await FernetSecretCipher.fromKeyList(generateFernetKey());
    const { integration } = await ports.repository.upsert(
      instagramDraft({ userId, accessToken: await lostKey.seal('EAAB-unreadable') }),
    );

    expect(await validate(userId, 'instagram')).toEqual(
      fail('credentials_unreadable', UNREADABLE_CREDENTIALS),
    );
    expect(await ports.repository.find(userId, 'instagram')).toEqual(integration);
    expect(ports.gateway.validations).toEqual([]);
  });
});
