import type { Integration } from '../domain/integration.js';
import { PLATFORM_NAMES } from '../domain/platform.js';
import { fail, ok, type Result } from '../domain/result.js';
import { UNREADABLE_CREDENTIALS } from './integration-view.js';
import type { MailVerifier } from './ports/mail-verifier.js';
import type { MailboxReader } from './ports/mailbox-reader.js';
import type { PlatformGateways, ValidatedToken } from './ports/platform-gateway.js';
import { InvalidToken, type SecretCipher } from './ports/secret-cipher.js';
import { tokenConnectorOf } from './token-connector.js';

export interface CredentialCheckDeps {
  readonly cipher: SecretCipher;
  readonly mailVerifier: MailVerifier;
  readonly mailboxReader: MailboxReader;
  readonly gateways: PlatformGateways;
}

/** What a passed check learnt: the stored token's expiry, when the platform said it (`unknown` for SMTP). */
export interface PassedCheck {
  readonly expiresAt: ValidatedToken['expiresAt'];
}

async function check(integration: Integration, deps: CredentialCheckDeps): Promise<Result<PassedCheck>> {
  const { cipher } = deps;
  if (integration.platform === 'email') {
    if (integration.smtp === null || integration.smtpPassword === null) {
      return fail('credentials_rejected', 'This email integration has no SMTP settings. Connect it again.');
    }
    const verified = await deps.mailVerifier.verify({
      ...integration.smtp,
      password: await cipher.open(integration.smtpPassword),
    });
    if (!verified.ok) return verified;
    if (integration.imap !== null && integration.imapPassword !== null) {
      const mailbox = await deps.mailboxReader.verify({
        ...integration.imap,
        password: await cipher.open(integration.imapPassword),
      });
      if (!mailbox.ok) return mailbox;
    }
    return ok({ expiresAt: 'unknown' });
  }
  if (integration.accessToken === null) {
    return fail(
      'credentials_rejected',
      `This ${PLATFORM_NAMES[integration.platform]} integration has no token.`,
    );
  }
  const accessToken = await cipher.open(integration.accessToken);
  const validated = await deps.gateways[tokenConnectorOf(integration)].validate({
    accessToken,
    pageId: integration.pageId,
  });
  if (!validated.ok) return validated;
  // A token for another account (a ciphertext copied from another row) must not pass as this one's.
  const answeredFor = validated.value.accountId;
  if (integration.accountId !== null && answeredFor !== null && answeredFor !== integration.accountId) {
    return fail(
      'credentials_rejected',
      `The stored token belongs to another ${PLATFORM_NAMES[integration.platform]} account than the one connected. Connect the account again.`,
    );
  }
  // Meta reports on the Page token when it finds one; its expiry says nothing about a stored user token.
  return ok({
    expiresAt: validated.value.accessToken === accessToken ? validated.value.expiresAt : 'unknown',
  });
}

/** Runs `work`, which opens stored secrets; one that no configured key opens is `credentials_unreadable`. */
export async function withStoredSecrets<T>(work: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidToken) return fail('credentials_unreadable', UNREADABLE_CREDENTIALS);
    throw error;
  }
}

/**
 * Checks an integration's stored credentials with its platform (or SMTP server). A secret no configured
 * key opens is `credentials_unreadable`; every other failure is the platform's, as the gateway sorted it.
 */
export function checkStoredCredentials(
  integration: Integration,
  deps: CredentialCheckDeps,
): Promise<Result<PassedCheck>> {
  return withStoredSecrets(() => check(integration, deps));
}
