import type { ErrorCode } from '../../domain/errors.js';
import type { TokenConnector } from '../../domain/login.js';
import type { Result } from '../../domain/result.js';

export interface TokenCredentials {
  readonly accessToken: string;
  /** The Facebook Page to use when the token can manage several; null lets the gateway choose. */
  readonly pageId: string | null;
}

/** What the platform itself says about a token; it overrides whatever the caller claimed. */
export interface ValidatedToken {
  /**
   * The credential to store, which may differ from the one checked: for Meta it is the selected Page's
   * token (what sends messages, and it does not expire), or the checked token when no Page has one.
   */
  readonly accessToken: string;
  readonly scopesGranted: readonly string[];
  /** `never` for tokens without an expiry; `unknown` when the platform cannot say (TikTok). */
  readonly expiresAt: Date | 'never' | 'unknown';
  /**
   * Instagram: the Business/Creator account (null: personal or not linked; with Instagram Login its
   * `user_id`); Facebook: the user; TikTok: open_id.
   */
  readonly accountId: string | null;
  readonly pageId: string | null;
  /** Meta (Facebook Login): the app-scoped id of the person the token is for, as `debug_token` says. */
  readonly metaUserId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Tokens from an authorization-code exchange (Meta: already upgraded to a long-lived token). */
export interface IssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** What the token response says was granted, when it says (TikTok); null otherwise. */
  readonly scopesGranted: readonly string[] | null;
  readonly expiresAt: Date | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface AuthorizationRequest {
  readonly state: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** BASE64URL(SHA-256(verifier)), or null for platforms without PKCE. */
  readonly codeChallenge: string | null;
}

export interface CodeGrant {
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string | null;
}

/**
 * One platform's API, as the core needs it. Expected failures come back as values: a token the platform
 * refuses is `token_expired`, `token_revoked` or `credentials_rejected`; a refused code is
 * `authorization_code_rejected`; missing app credentials are `platform_not_configured` (naming the
 * variables to set); the platform timing out, failing or rate-limiting is `platform_unavailable`.
 * Sentences are safe to show: nothing the platform said is passed through.
 */
export interface PlatformGateway {
  /** The consent page to send the user to. */
  authorizationUrl(request: AuthorizationRequest): Result<string>;
  /** Exchanges a code once for tokens. */
  exchangeCode(grant: CodeGrant): Promise<Result<IssuedToken>>;
  /** Checks a token and reports the account, Page and scopes behind it. */
  validate(credentials: TokenCredentials): Promise<Result<ValidatedToken>>;
  /**
   * Renews a token with the stored secret its platform's refresh rule names (`REFRESH_RULES`): TikTok's
   * refresh grant takes the refresh token and answers with a new one (the old one stops working); Meta's
   * `fb_exchange_token` takes the current long-lived token. A secret the platform refuses is
   * `token_revoked`, `token_expired` or `credentials_rejected`.
   */
  refresh(secret: string): Promise<Result<IssuedToken>>;
  /**
   * Ends the stored token's authorization at the platform, as a deleted integration's last act. A token the
   * platform refuses, an outage and a timeout are failures, which the caller records and goes on.
   */
  revoke(credentials: TokenCredentials): Promise<Result<Revocation>>;
  /**
   * Asks the platform to send the connected account's incoming messages to this service's webhooks (Meta:
   * subscribes the app to the Page). Never fails: what happened is the answer, for the caller to report.
   */
  subscribeToMessages(connection: MessageConnection): Promise<MessageSubscription>;
}

/** What a revoke did: `not_offered` when the platform has no way to revoke what is stored. */
export type Revocation = 'revoked' | 'not_offered';

/** A token just validated: the one stored (Meta: the Page's), its Page and what was granted. */
export interface MessageConnection {
  readonly accessToken: string;
  readonly pageId: string | null;
  readonly scopesGranted: readonly string[];
}

/**
 * What {@link PlatformGateway.subscribeToMessages} did: `not_offered` when there is nothing to subscribe
 * (not Meta, or no Page), `not_granted` when the permission the call needs was not granted (connections
 * made before it was asked for), `failed` with the service's code and the platform's own error code when
 * it answered with one.
 */
export type MessageSubscription =
  | { readonly outcome: 'subscribed' | 'not_offered' | 'not_granted' }
  | { readonly outcome: 'failed'; readonly code: ErrorCode; readonly platformCode: number | null };

/** One gateway per connector: Instagram through Instagram Login (`instagram_login`) has its own API. */
export type PlatformGateways = Readonly<Record<TokenConnector, PlatformGateway>>;
