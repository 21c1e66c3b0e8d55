import type { EncryptedSecret, IntegrationDraft } from '../../domain/integration.js';
import { ok, type Result } from '../../domain/result.js';
import type { EmailInput, IntegrationInput, TokenInput } from '../integration-input.js';
import { type IntegrationView, presentIntegration } from '../integration-view.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { PlatformTokenValidator } from '../ports/platform-token-validator.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

export interface SaveIntegrationDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly tokenValidator: PlatformTokenValidator;
}

export interface SavedIntegration {
  readonly integration: IntegrationView;
  readonly created: boolean;
}

const sealOrNull = (cipher: SecretCipher, value: string | null): Promise<EncryptedSecret | null> =>
  value === null ? Promise.resolve(null) : cipher.seal(value);

async function emailDraft(
  userId: string,
  input: EmailInput,
  deps: SaveIntegrationDeps,
): Promise<Result<IntegrationDraft>> {
  const smtp = {
    emailAddress: input.emailAddress,
    host: input.smtpHost,
    port: input.smtpPort,
    username: input.smtpUsername,
  };
  const verified = await deps.mailVerifier.verify({ ...smtp, password: input.smtpPassword });
  if (!verified.ok) return verified;
  return ok({
    userId,
    platform: 'email',
    connectionStatus: 'connected',
    statusDetail: null,
    scopesGranted: [],
    accountId: null,
    pageId: null,
    businessId: null,
    accessToken: null,
    refreshToken: null,
    tokenExpiresAt: null,
    lastVerifiedAt: deps.clock.now(),
    smtp,
    smtpPassword: await deps.cipher.seal(input.smtpPassword),
    metadata: {},
  });
}

async function tokenDraft(
  userId: string,
  input: TokenInput,
  deps: SaveIntegrationDeps,
): Promise<Result<IntegrationDraft>> {
  const validated = await deps.tokenValidator.validate(input.platform, input);
  if (!validated.ok) return validated;
  const found = validated.value;
  const [accessToken, refreshToken] = await Promise.all([
    deps.cipher.seal(input.accessToken),
    sealOrNull(deps.cipher, input.refreshToken),
  ]);
  return ok({
    userId,
    platform: input.platform,
    connectionStatus: 'connected',
    statusDetail: null,
    scopesGranted: found.scopesGranted,
    accountId: found.accountId ?? input.accountId,
    pageId: found.pageId ?? input.pageId,
    businessId: found.businessId ?? input.businessId,
    accessToken,
    refreshToken,
    tokenExpiresAt: found.tokenExpiresAt ?? input.tokenExpiresAt,
    lastVerifiedAt: deps.clock.now(),
    smtp: null,
    smtpPassword: null,
    metadata: { ...input.metadata, ...found.metadata },
  });
}

/**
 * Creates or replaces a user's integration for one platform. Credentials are checked with the platform
 * first; when they fail nothing is written and any existing integration stays as it was.
 */
export function saveIntegration(deps: SaveIntegrationDeps) {
  return async (userId: string, input: IntegrationInput): Promise<Result<SavedIntegration>> => {
    const draft =
      input.platform === 'email'
        ? await emailDraft(userId, input, deps)
        : await tokenDraft(userId, input, deps);
    if (!draft.ok) return draft;
    const { integration, created } = await deps.repository.upsert(draft.value);
    return ok({ integration: await presentIntegration(integration, deps.cipher, deps.clock.now()), created });
  };
}
