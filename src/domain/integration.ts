import type { ErrorCode } from './errors.js';
import type { MailboxPosition } from './inbound-mail.js';
import type { LoginType } from './login.js';
import type { Platform } from './platform.js';

export const CONNECTION_STATUSES = ['connected', 'expired', 'revoked', 'unsupported', 'error'] as const;

export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** A Fernet token as stored; the core never keeps plaintext secrets in an entity. */
export type EncryptedSecret = string & { readonly __brand: 'EncryptedSecret' };

export interface SmtpSettings {
  readonly emailAddress: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
}

/** Where replies are read from: an IMAP login (993 implicit TLS, other ports STARTTLS), checked when saved. */
export interface ImapSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string;
}

/** One user's connection to one platform, as stored in `social_integrations`. */
export interface Integration {
  readonly id: string;
  readonly userId: string;
  readonly platform: Platform;
  /** The sign-in it was connected through: Instagram's two logins, `facebook` for Facebook, null otherwise. */
  readonly loginType: LoginType | null;
  readonly connectionStatus: ConnectionStatus;
  /** Why the status is not `connected`, in a sentence safe to show the user; null when connected. */
  readonly statusDetail: string | null;
  readonly scopesGranted: readonly string[];
  readonly accountId: string | null;
  readonly pageId: string | null;
  readonly businessId: string | null;
  /** The app-scoped Meta user who connected it through Facebook Login (Meta's callbacks name it). */
  readonly metaUserId: string | null;
  readonly accessToken: EncryptedSecret | null;
  readonly refreshToken: EncryptedSecret | null;
  /**
   * What each token shows as (`maskToken`), kept when it is sealed so that listing needs no decryption;
   * null without a token, and for rows stored before masks were kept (those are decrypted to mask).
   */
  readonly accessTokenMask: string | null;
  readonly refreshTokenMask: string | null;
  readonly tokenExpiresAt: Date | null;
  /** When this service obtained the stored access token; with the expiry it gives the token's lifetime. */
  readonly tokenIssuedAt: Date | null;
  readonly lastVerifiedAt: Date | null;
  /**
   * The `tokenExpiresAt` the refresher announced `integration.expiring_soon` for (once per token); null
   * until then, and again after every save.
   */
  readonly expiryWarnedFor: Date | null;
  readonly smtp: SmtpSettings | null;
  readonly smtpPassword: EncryptedSecret | null;
  readonly imap: ImapSettings | null;
  readonly imapPassword: EncryptedSecret | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * What the caller may write; the store assigns id and times, and a saved token is not yet warned about.
 * `imapStart` is where the mailbox stood when its login was checked: reading starts after it, so mail
 * already there is not taken for replies. A re-save of the same IMAP login keeps the stored position instead.
 */
export type IntegrationDraft = Omit<Integration, 'id' | 'createdAt' | 'updatedAt' | 'expiryWarnedFor'> & {
  readonly imapStart?: MailboxPosition | null;
};

export function isTokenExpired(integration: Pick<Integration, 'tokenExpiresAt'>, now: Date): boolean {
  return integration.tokenExpiresAt !== null && integration.tokenExpiresAt.getTime() <= now.getTime();
}

/** The status to report: a token past its expiry is `expired` whatever the stored status says. */
export function effectiveStatus(
  integration: Pick<Integration, 'connectionStatus' | 'tokenExpiresAt'>,
  now: Date,
): ConnectionStatus {
  return integration.connectionStatus === 'connected' && isTokenExpired(integration, now)
    ? 'expired'
    : integration.connectionStatus;
}

const STATUS_AFTER: Partial<Record<ErrorCode, Exclude<ConnectionStatus, 'connected'>>> = {
  token_expired: 'expired',
  token_revoked: 'revoked',
};

/** The status a platform's refusal leaves behind: `expired` or `revoked` when it said which, else `error`. */
export function statusAfterRefusal(code: ErrorCode): Exclude<ConnectionStatus, 'connected'> {
  return STATUS_AFTER[code] ?? 'error';
}
