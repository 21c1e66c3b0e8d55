import type { IntegrationDraft } from '../../domain/integration.js';
import { defaultLogin, offersLogin } from '../../domain/login.js';
import { PLATFORM_NAMES } from '../../domain/platform.js';
import { fail, ok, type Result } from '../../domain/result.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import type { EmailInput, IntegrationInput, TokenInput } from '../integration-input.js';
import { type IntegrationView, presentIntegration } from '../integration-view.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { MailboxReader } from '../ports/mailbox-reader.js';
import type {
  MessageSubscription,
  PlatformGateway,
  PlatformGateways,
  ValidatedToken,
} from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { tokenConnectorOf } from '../token-connector.js';
import { acceptedTokenDraft } from '../token-draft.js';

export interface SaveIntegrationDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly mailboxReader: MailboxReader;
  readonly gateways: PlatformGateways;
  readonly announcements: IntegrationAnnouncements;
}

export interface StoredIntegration {
  readonly integration: IntegrationView;
  readonly created: boolean;
}

export interface SavedIntegration extends StoredIntegration {
  /** Whether the platform now sends the account's incoming messages here; never a reason not to save. */
  readonly messageSubscription: MessageSubscription;
}

/** A token draft and what is needed to subscribe its account's messages once it is accepted. */
export interface TokenConnection {
  readonly draft: IntegrationDraft;
  readonly validated: ValidatedToken;
  readonly gateway: PlatformGateway;
}

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
  const imap =
    input.imap === null
      ? null
      : { host: input.imap.host, port: input.imap.port, username: input.imap.username ?? input.smtpUsername };
  const imapPassword = input.imap?.password ?? input.smtpPassword;
  // Both logins are checked at once; an SMTP refusal is the one reported when both fail.
  const [verified, mailbox] = await Promise.all([
    deps.mailVerifier.verify({ ...smtp, password: input.smtpPassword }),
    imap === null ? ok(null) : deps.mailboxReader.verify({ ...imap, password: imapPassword }),
  ]);
  if (!verified.ok) return verified;
  if (!mailbox.ok) return mailbox;
  return ok({
    userId,
    platform: 'email',
    loginType: null,
    connectionStatus: 'connected',
    statusDetail: null,
    scopesGranted: [],
    accountId: null,
    pageId: null,
    businessId: null,
    metaUserId: null,
    accessToken: null,
    refreshToken: null,
    accessTokenMask: null,
    refreshTokenMask: null,
    tokenExpiresAt: null,
    tokenIssuedAt: null,
    lastVerifiedAt: deps.clock.now(),
    smtp,
    smtpPassword: await deps.cipher.seal(input.smtpPassword),
    imap,
    imapPassword: imap === null ? null : await deps.cipher.seal(imapPassword),
    imapStart: mailbox.value,
    metadata: {},
  });
}

async function tokenDraft(
  userId: string,
  input: TokenInput,
  deps: SaveIntegrationDeps,
): Promise<Result<TokenConnection>> {
  if (input.loginType !== null && !offersLogin(input.platform, input.loginType)) {
    return fail(
      'invalid_request',
      `login_type ${input.loginType} is not a way to connect ${PLATFORM_NAMES[input.platform]}: leave login_type out.`,
    );
  }
  const loginType = input.loginType ?? defaultLogin(input.platform);
  const gateway = deps.gateways[tokenConnectorOf({ platform: input.platform, loginType })];
  const [validated, existing] = await Promise.all([
    gateway.validate({ accessToken: input.accessToken, pageId: input.pageId }),
    deps.repository.find(userId, input.platform),
  ]);
  if (!validated.ok) return validated;
  const draft = await acceptedTokenDraft(
    {
      userId,
      platform: input.platform,
      loginType,
      validated: validated.value,
      refreshToken: input.refreshToken,
      scopesGranted: validated.value.scopesGranted,
      fallbackExpiresAt: input.tokenExpiresAt,
      businessId: input.businessId,
      metadata: input.metadata,
    },
    existing,
    deps,
  );
  return ok({ draft, validated: validated.value, gateway });
}

/**
 * Creates or replaces a user's integration for one platform. Credentials are checked with the platform
 * first; when they fail nothing is written and any existing integration stays as it was.
 */
export function saveIntegration(deps: SaveIntegrationDeps) {
  return async (userId: string, input: IntegrationInput): Promise<Result<SavedIntegration>> => {
    if (input.platform === 'email') {
      const draft = await emailDraft(userId, input, deps);
      if (!draft.ok) return draft;
      return ok({ ...(await storeIntegration(draft.value, deps)), messageSubscription: NOT_OFFERED });
    }
    const connection = await tokenDraft(userId, input, deps);
    if (!connection.ok) return connection;
    return ok(await storeConnection(connection.value, deps));
  };
}

const NOT_OFFERED: MessageSubscription = { outcome: 'not_offered' };

type StoreDeps = Pick<SaveIntegrationDeps, 'repository' | 'cipher' | 'clock' | 'announcements'>;

/** Upserts a draft and answers with the stored integration, masked. */
async function storeIntegration(draft: IntegrationDraft, deps: StoreDeps): Promise<StoredIntegration> {
  const { integration, created } = await deps.repository.upsert(draft, deps.announcements.save);
  return { integration: await presentIntegration(integration, deps.cipher, deps.clock.now()), created };
}

/**
 * Upserts an accepted token's draft while its platform is asked to send the account's messages here. The
 * token is valid either way, so a subscription that fails is reported with the saved integration, not
 * instead of it.
 */
export async function storeConnection(
  { draft, validated, gateway }: TokenConnection,
  deps: StoreDeps,
): Promise<SavedIntegration> {
  const [stored, messageSubscription] = await Promise.all([
    storeIntegration(draft, deps),
    gateway.subscribeToMessages({
      accessToken: validated.accessToken,
      pageId: validated.pageId,
      scopesGranted: draft.scopesGranted,
    }),
  ]);
  return { ...stored, messageSubscription };
}
