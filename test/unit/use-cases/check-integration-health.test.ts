import { beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../../src/adapters/crypto/fernet-secret-cipher.js';
import { checkIntegrationHealth } from '../../../src/application/use-cases/check-integration-health.js';
import { fail, ok } from '../../../src/domain/result.js';
import { ScriptedGateway, ScriptedMailboxReader, ScriptedMailVerifier } from '../../support/fakes.js';
import { emailDraft, instagramDraft, storedIntegration } from '../../support/integration-builders.js';

const now = new Date('2026-11-23T12:00:00.000Z');

let cipher: FernetSecretCipher;
beforeAll(async () => {
  cipher = await FernetSecretCipher.fromKeyList(generateFernetKey());
});

function checker() {
  const gateway = new ScriptedGateway();
  const mailVerifier = new ScriptedMailVerifier();
  const check = checkIntegrationHealth({
    cipher,
    mailVerifier,
    mailboxReader: new ScriptedMailboxReader(),
    gateways: gateway.asGateways(),
  });
  return { gateway, mailVerifier, check };
}

const instagram = async () =>
  storedIntegration(instagramDraft({ pageId: null, accessToken: await cipher.seal('IGAA-stored-token') }));

describe('checkIntegrationHealth', () => {
  it('passes a token its platform accepts: connected, verified now, with the expiry the platform said', async () => {
    const { gateway, check } = checker();

    expect(await check(await instagram(), now)).toEqual(
      ok({
        connectionStatus: 'connected',
        statusDetail: null,
        lastVerifiedAt: now,
        tokenExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
      }),
    );
    expect(gateway.validations).toEqual([{ accessToken: 'IGAA-stored-token', pageId: null }]);
  });

  it('passes an SMTP login without touching the expiry, which SMTP never states', async () => {
    const { mailVerifier, check } = checker();
    const email = storedIntegration(emailDraft({ smtpPassword: await cipher.seal('mail-password-1') }));

    expect(await check(email, now)).toEqual(
      ok({ connectionStatus: 'connected', statusDetail: null, lastVerifiedAt: now }),
    );
    expect(mailVerifier.logins.map((login) => login.password)).toEqual(['mail-password-1']);
  });

  it('returns the platform’s refusal as the gateway sorted it', async () => {
    const { gateway, check } = checker();
    gateway.next = fail('token_revoked', 'Instagram says the token was revoked.');

    expect(await check(await instagram(), now)).toEqual(
      fail('token_revoked', 'Instagram says the token was revoked.'),
    );
  });

  it('is credentials_unreadable, without calling anyone, when no configured key opens the secret', async () => {
    const { gateway, check } = checker();
    const otherKey = await FernetSecretCipher.fromKeyList(generateFernetKey());
    const sealedElsewhere = storedIntegration(
      instagramDraft({ pageId: null, accessToken: await otherKey.seal('IGAA-other-key') }),
    );

    const checked = await check(sealedElsewhere, now);

    expect(checked.ok ? null : checked.failure.code).toBe('credentials_unreadable');
    expect(gateway.validations).toEqual([]);
  });
});
