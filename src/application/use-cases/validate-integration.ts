import type { ErrorCode } from '../../domain/errors.js';
import { isInconclusive } from '../../domain/inconclusive-failures.js';
import { statusAfterRefusal } from '../../domain/integration.js';
import { PLATFORM_NAMES, type Platform } from '../../domain/platform.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { checkStoredCredentials } from '../credential-check.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import { type IntegrationView, presentIntegration } from '../integration-view.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { MailboxReader } from '../ports/mailbox-reader.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

export interface ValidateIntegrationDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly mailboxReader: MailboxReader;
  readonly gateways: PlatformGateways;
  readonly announcements: IntegrationAnnouncements;
}

export interface ValidationOutcome {
  readonly valid: boolean;
  readonly detail: string | null;
  /** Why the credentials failed; null when valid. */
  readonly failureCode: ErrorCode | null;
  readonly integration: IntegrationView;
}

const notFound = (platform: Platform) =>
  fail<never>('integration_not_found', `No ${PLATFORM_NAMES[platform]} integration exists for this user.`);

/**
 * Re-checks a stored integration with its platform and records the outcome: `connected` with a new
 * `last_verified_at`, or `expired`, `revoked` or `error` with the reason. A failure that says nothing about
 * the credentials (an outage, the platform app not configured here, a secret the configured key cannot
 * open) is returned and changes nothing.
 */
export function validateIntegration(deps: ValidateIntegrationDeps) {
  return async (userId: string, platform: Platform): Promise<Result<ValidationOutcome>> => {
    const integration = await deps.repository.find(userId, platform);
    if (integration === null) return notFound(platform);
    const checked = await checkStoredCredentials(integration, deps);
    if (!checked.ok && isInconclusive(checked.failure.code)) return checked;

    const now = deps.clock.now();
    const updated = await deps.repository.changeStatus(
      integration.id,
      checked.ok
        ? // The refresh job takes it from here: it decides when to renew or check next.
          { connectionStatus: 'connected', statusDetail: null, lastVerifiedAt: now, nextCheckAt: now }
        : {
            connectionStatus: statusAfterRefusal(checked.failure.code),
            statusDetail: checked.failure.detail,
            nextCheckAt: null,
          },
      deps.announcements.check,
    );
    if (updated === null) return notFound(platform);
    return ok({
      valid: checked.ok,
      detail: checked.ok ? null : checked.failure.detail,
      failureCode: checked.ok ? null : checked.failure.code,
      integration: await presentIntegration(updated, deps.cipher, now),
    });
  };
}
