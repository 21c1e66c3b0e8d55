import { z } from 'zod';
import type { Clock } from '../../../application/ports/clock.js';
import type {
  AuthorizationRequest,
  CodeGrant,
  IssuedToken,
  MessageSubscription,
  PlatformGateway,
  Revocation,
  TokenCredentials,
  ValidatedToken,
} from '../../../application/ports/platform-gateway.js';
import { fail, ok, type Result } from '../../../domain/result.js';
import {
  type HttpClient,
  type HttpExchange,
  platformUnavailable,
  readBody,
  requestJson,
  shownName,
} from '../http-client.js';
import type { OAuthApp } from '../oauth-app.js';

/** Options for {@link TikTokGateway}. */
export interface TikTokGatewayOptions {
  /** Null when the app is not configured; `notConfigured` then names what to set. */
  readonly app: OAuthApp | null;
  readonly notConfigured: string;
  readonly authUrl: string;
  readonly apiUrl: string;
  readonly exchange: HttpExchange;
  readonly timeoutMs: number;
  readonly clock: Clock;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_expires_in: z.number().optional(),
  scope: z.string().optional(),
});

const OAuthError = z.object({ error: z.string() });

const UserInfo = z.object({
  data: z.object({ user: z.object({ open_id: z.string().min(1), display_name: shownName.optional() }) }),
  error: z.object({ code: z.literal('ok') }),
});

const ApiError = z.object({ error: z.object({ code: z.string() }) });

/** What each grant's refusal means: the code grant's and the refresh grant's `invalid_grant` differ. */
type Grant = 'authorization_code' | 'refresh_token';

const REFUSED_GRANT = {
  authorization_code: fail<never>(
    'authorization_code_rejected',
    'TikTok refused the authorization code: it expired, was already used, or does not match this sign-in. Start connecting again.',
  ),
  refresh_token: fail<never>(
    'token_revoked',
    'TikTok no longer accepts the refresh token: it expired, was revoked or was replaced. Reconnect your account.',
  ),
} as const satisfies Record<Grant, Result<never>>;

const USER_FIELDS = 'open_id,union_id,display_name,avatar_url';

/**
 * TikTok Login Kit v2: the authorize URL (PKCE S256), the token endpoint's code and refresh grants,
 * revocation, and validation through `/v2/user/info/`. Login Kit has no messaging API.
 */
export class TikTokGateway implements PlatformGateway {
  private readonly http: HttpClient;

  constructor(private readonly options: TikTokGatewayOptions) {
    this.http = { exchange: options.exchange, timeoutMs: options.timeoutMs, platformName: 'TikTok' };
  }

  authorizationUrl(request: AuthorizationRequest): Result<string> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const url = new URL(`${this.options.authUrl}/v2/auth/authorize/`);
    const params = new URLSearchParams({
      client_key: app.clientId,
      scope: request.scopes.join(','),
      response_type: 'code',
      redirect_uri: request.redirectUri,
      state: request.state,
    });
    if (request.codeChallenge !== null) {
      params.set('code_challenge', request.codeChallenge);
      params.set('code_challenge_method', 'S256');
    }
    url.search = params.toString();
    return ok(url.toString());
  }

  async exchangeCode(grant: CodeGrant): Promise<Result<IssuedToken>> {
    return this.token('authorization_code', {
      code: grant.code,
      redirect_uri: grant.redirectUri,
      ...(grant.codeVerifier === null ? {} : { code_verifier: grant.codeVerifier }),
    });
  }

  /** The refresh grant. TikTok rotates refresh tokens: the one returned replaces the one sent. */
  async refresh(refreshToken: string): Promise<Result<IssuedToken>> {
    return this.token('refresh_token', { refresh_token: refreshToken });
  }

  /** Revokes the user's authorization of this app (all its tokens). */
  async revoke({ accessToken }: TokenCredentials): Promise<Result<Revocation>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const answer = await this.postForm('v2/oauth/revoke/', {
      client_key: app.clientId,
      client_secret: app.clientSecret,
      token: accessToken,
    });
    if (!answer.ok) return answer;
    // Success is an empty body or `{}`; a 4xx or an OAuth error object means it did not happen.
    return answer.value.status >= 400 || OAuthError.safeParse(answer.value.body).success
      ? platformUnavailable(this.http, 'refused to revoke the token')
      : ok('revoked');
  }

  /** Login Kit has no messages to deliver. */
  async subscribeToMessages(): Promise<MessageSubscription> {
    return { outcome: 'not_offered' };
  }

  async validate({ accessToken }: TokenCredentials): Promise<Result<ValidatedToken>> {
    const url = new URL(`${this.options.apiUrl}/v2/user/info/`);
    url.search = new URLSearchParams({ fields: USER_FIELDS }).toString();
    const answer = await requestJson(this.http, url, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!answer.ok) return answer;
    const info = UserInfo.safeParse(answer.value.body);
    if (info.success && answer.value.status < 300) {
      const { user } = info.data.data;
      return ok({
        accessToken,
        // user/info answering at all proves this scope; TikTok has no way to list a token's other scopes.
        scopesGranted: ['user.info.basic'],
        expiresAt: 'unknown',
        accountId: user.open_id,
        pageId: null,
        metadata: user.display_name === undefined ? {} : { display_name: user.display_name },
      });
    }
    const error = readBody(this.http, ApiError, answer.value.body);
    return error.ok ? this.apiFailure(error.value.error.code) : error;
  }

  private notConfigured() {
    return fail<never>(
      'platform_not_configured',
      `TikTok sign-in is not configured on this server: set ${this.options.notConfigured}.`,
    );
  }

  private postForm(path: string, fields: Record<string, string>) {
    return requestJson(this.http, new URL(`${this.options.apiUrl}/${path}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private async token(grant: Grant, fields: Record<string, string>): Promise<Result<IssuedToken>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const answer = await this.postForm('v2/oauth/token/', {
      client_key: app.clientId,
      client_secret: app.clientSecret,
      grant_type: grant,
      ...fields,
    });
    if (!answer.ok) return answer;
    // The status is not reliable here; the body says whether it worked.
    const issued = TokenResponse.safeParse(answer.value.body);
    if (!issued.success) return this.oauthFailure(answer.value.body, grant);
    const now = this.options.clock.now().getTime();
    const at = (seconds: number | undefined) =>
      seconds === undefined ? null : new Date(now + seconds * 1000);
    const refreshExpiresAt = at(issued.data.refresh_expires_in);
    return ok({
      accessToken: issued.data.access_token,
      refreshToken: issued.data.refresh_token ?? null,
      scopesGranted:
        issued.data.scope === undefined
          ? null
          : issued.data.scope
              .split(',')
              .map((scope) => scope.trim())
              .filter((scope) => scope !== ''),
      expiresAt: at(issued.data.expires_in),
      metadata: refreshExpiresAt === null ? {} : { refresh_token_expires_at: refreshExpiresAt.toISOString() },
    });
  }

  private oauthFailure(body: unknown, grant: Grant): Result<never> {
    const error = readBody(this.http, OAuthError, body);
    if (!error.ok) return error;
    switch (error.value.error) {
      case 'invalid_grant':
      case 'invalid_request':
      case 'access_denied':
        return REFUSED_GRANT[grant];
      case 'invalid_client':
      case 'unauthorized_client':
        return platformUnavailable(
          this.http,
          'refused this service’s app credentials (an operator must check them)',
        );
      default:
        return platformUnavailable(this.http, 'refused the request');
    }
  }

  private apiFailure(code: string): Result<never> {
    switch (code) {
      case 'access_token_invalid':
        return fail(
          'token_expired',
          'TikTok no longer accepts this access token: it expired or was revoked. Reconnect your account.',
        );
      case 'scope_not_authorized':
      case 'scope_permission_missed':
        return fail(
          'credentials_rejected',
          'This TikTok token lacks the user.info.basic permission, which this service needs to identify the account. Reconnect and allow it.',
        );
      case 'rate_limit_exceeded':
        return platformUnavailable(this.http, 'is limiting requests right now');
      default:
        return platformUnavailable(this.http, 'answered with an unexpected error');
    }
  }
}
