import type { ErrorCode } from '../../domain/errors.js';
import type { ConnectionStatus, Integration } from '../../domain/integration.js';
import { PLATFORM_NAMES, type Platform } from '../../domain/platform.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { type IntegrationView, presentIntegration, UNREADABLE_CREDENTIALS } from '../integration-view.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import { InvalidToken, type SecretCipher } from '../ports/secret-cipher.js';

export interface ValidateIntegrationDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly gateways: PlatformGateways;
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

/** Failures that say nothing about the credentials, so the stored status must not change. */
const INCONCLUSIVE: readonly ErrorCode[] = ['platform_unavailable', 'platform_not_configured'];

/** The status a refusal leaves behind when the platform said why; any other refusal is an `error`. */
const STATUS_AFTER: Partial<Record<ErrorCode, ConnectionStatus>> = {
  token_expired: 'expired',
  token_revoked: 'revoked',
};

async function checkWithPlatform(
  integration: Integration,
  deps: ValidateIntegrationDeps,
): Promise<Result<void>> {
  const { cipher } = deps;
  if (integration.platform === 'email') {
    if (integration.smtp === null || integration.smtpPassword === null) {
      return fail('credentials_rejected', 'This email integration has no SMTP settings. Connect it again.');
    }
    return deps.mailVerifier.verify({
      ...integration.smtp,
      password: await cipher.open(integration.smtpPassword),
    });
  }
  if (integration.accessToken === null) {
    return fail(
      'credentials_rejected',
      `This ${PLATFORM_NAMES[integration.platform]} integration has no token.`,
    );
  }
  const checked = await deps.gateways[integration.platform].validate({
    accessToken: await cipher.open(integration.accessToken),
    pageId: integration.pageId,
  });
  return checked.ok ? ok(undefined) : checked;
}

async function checkSafely(integration: Integration, deps: ValidateIntegrationDeps): Promise<Result<void>> {
  try {
    return await checkWithPlatform(integration, deps);
  } catch (error) {
    if (error instanceof InvalidToken) return fail('credentials_unreadable', UNREADABLE_CREDENTIALS);
    throw error;
  }
}

/**
 * Re-checks a stored integration with its platform and records the outcome: `connected` with a new
 * `last_verified_at`, or `expired`, `revoked` or `error` with the reason. An outage of the platform, or
 * its app credentials missing here, changes nothing.
 */
export function validateIntegration(deps: ValidateIntegrationDeps) {
  return async (userId: string, platform: Platform): Promise<Result<ValidationOutcome>> => {
    const integration = await deps.repository.find(userId, platform);
    if (integration === null) return notFound(platform);
    const checked = await checkSafely(integration, deps);
    if (!checked.ok && INCONCLUSIVE.includes(checked.failure.code)) return checked;

    const now = deps.clock.now();
    const updated = await deps.repository.changeStatus(
      integration.id,
      checked.ok
        ? { connectionStatus: 'connected', statusDetail: null, lastVerifiedAt: now }
        : {
            connectionStatus: STATUS_AFTER[checked.failure.code] ?? 'error',
            statusDetail: checked.failure.detail,
          },
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
