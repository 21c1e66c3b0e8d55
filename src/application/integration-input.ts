import type { LoginType } from '../domain/login.js';
import type { TokenPlatform } from '../domain/platform.js';

/** What a caller sends to connect SMTP; the password is plaintext only until it is sealed. */
export interface EmailInput {
  readonly platform: 'email';
  readonly emailAddress: string;
  readonly smtpHost: string;
  readonly smtpPort: number;
  readonly smtpUsername: string;
  readonly smtpPassword: string;
  /** Where replies are read; null without IMAP. */
  readonly imap: ImapInput | null;
}

/** The optional IMAP login; the username and password default to the SMTP ones. */
export interface ImapInput {
  readonly host: string;
  readonly port: number;
  readonly username: string | null;
  readonly password: string | null;
}

/**
 * What a caller sends to connect a token platform. The platform's own answer decides the account, Page,
 * scopes and expiry; `pageId` only chooses among the Pages a Meta token can manage.
 */
export interface TokenInput {
  readonly platform: TokenPlatform;
  /** Which sign-in issued the token (Instagram has two); null takes the platform's default. */
  readonly loginType: LoginType | null;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly tokenExpiresAt: Date | null;
  readonly pageId: string | null;
  readonly businessId: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type IntegrationInput = EmailInput | TokenInput;
