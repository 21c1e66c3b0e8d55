import { createHash, randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeResponse, type Fault, type RecordedRequest } from './fake-http-server.js';

export type TikTokRoute = 'authorize' | 'token' | 'revoke' | 'user_info';

interface AccessRecord {
  readonly openId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

const ROUTES: Record<string, TikTokRoute> = {
  'GET /v2/auth/authorize/': 'authorize',
  'POST /v2/oauth/token/': 'token',
  'POST /v2/oauth/revoke/': 'revoke',
  'GET /v2/user/info/': 'user_info',
};

const oauthError = (error: string, description: string, status = 400): FakeResponse => ({
  status,
  body: { error, error_description: description, log_id: '20260101000000FAKELOG' },
});

const apiError = (code: string, status: number): FakeResponse => ({
  status,
  body: { data: {}, error: { code, message: 'Fake TikTok error', log_id: '20260101000000FAKELOG' } },
});

/** A TikTok API error (`{"error": {"code": ...}}`) as `/v2/user/info/` sends it. */
export function tiktokApiError(code: string, status: number): Fault {
  return { kind: 'answer', response: apiError(code, status) };
}

/** A TikTok OAuth error (`{"error": "...", "error_description": ...}`) as the token endpoint sends it. */
export function tiktokOAuthError(error: string, status = 400): Fault {
  return { kind: 'answer', response: oauthError(error, 'Fake description', status) };
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * TikTok Login Kit v2 (`www.tiktok.com` and `open.tiktokapis.com` on one port): authorize with PKCE, the
 * token endpoint's code and rotating refresh grants, revoke, and `/v2/user/info/`. No messaging routes.
 */
export class TikTokFake {
  readonly clientKey = 'awfaketiktokclientkey';
  readonly clientSecret = 'CANARY_SECRET_tiktok_app_7c6b5a';
  openId = '-000FakeOpenIdOfTheTikTokUser';
  displayName = 'Fake Creator';
  /** What the person grants; null grants everything asked for. */
  grantedScopes: readonly string[] | null = null;
  accessLifetimeSeconds = 86_400;
  refreshLifetimeSeconds = 31_536_000;

  private readonly codes = new Map<
    string,
    { redirectUri: string; challenge: string | null; scopes: readonly string[]; used: boolean }
  >();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, { openId: string; scopes: readonly string[] }>();

  private constructor(
    readonly server: FakeHttpServer<TikTokRoute>,
    private readonly registeredRedirectUris: readonly string[],
  ) {}

  static async start(registeredRedirectUris: readonly string[]): Promise<TikTokFake> {
    let fake: TikTokFake | undefined;
    const server = await FakeHttpServer.start<TikTokRoute>({
      route: (method, path) => ROUTES[`${method} ${path}`] ?? null,
      respond: (route, request) => {
        if (fake === undefined) throw new Error('fake not started');
        return fake.respond(route, request);
      },
    });
    fake = new TikTokFake(server, registeredRedirectUris);
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  /** An access token as if issued earlier; `expired` makes it one TikTok no longer accepts. */
  mintAccessToken(options: { scopes?: readonly string[]; expired?: boolean } = {}): string {
    const token = `act.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, {
      openId: this.openId,
      scopes: options.scopes ?? ['user.info.basic'],
      expiresAt: options.expired ? Date.now() - 60_000 : Date.now() + this.accessLifetimeSeconds * 1000,
    });
    return token;
  }

  fail(route: TikTokRoute, fault: Fault): void {
    this.server.fail(route, fault);
  }

  heal(): void {
    this.server.heal();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private respond(route: TikTokRoute, request: RecordedRequest): FakeResponse {
    switch (route) {
      case 'authorize':
        return this.authorize(request.query);
      case 'token':
      case 'revoke':
        if (!request.headers['content-type']?.toString().startsWith('application/x-www-form-urlencoded')) {
          return oauthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
        }
        if (request.form.client_key !== this.clientKey || request.form.client_secret !== this.clientSecret) {
          return oauthError('invalid_client', 'Client key or secret is invalid.', 401);
        }
        return route === 'token' ? this.token(request.form) : this.revoke(request.form);
      case 'user_info':
        return this.userInfo(request);
    }
  }

  private authorize(query: Record<string, string>): FakeResponse {
    const redirectUri = query.redirect_uri ?? '';
    if (query.client_key !== this.clientKey || !this.registeredRedirectUris.includes(redirectUri)) {
      return oauthError('invalid_request', 'redirect_uri or client_key is invalid');
    }
    if (!query.state || !query.scope || query.response_type !== 'code') {
      return oauthError('invalid_request', 'Missing parameters');
    }
    if (query.code_challenge !== undefined && query.code_challenge_method !== 'S256') {
      return oauthError('invalid_request', 'Unsupported code_challenge_method');
    }
    const code = `${randomBytes(24).toString('base64url')}*!1234`;
    this.codes.set(code, {
      redirectUri,
      challenge: query.code_challenge ?? null,
      scopes: this.grantedScopes ?? query.scope.split(','),
      used: false,
    });
    const target = new URL(redirectUri);
    target.search = new URLSearchParams({ code, scopes: query.scope, state: query.state }).toString();
    return { status: 302, location: target.toString() };
  }

  private token(form: Record<string, string>): FakeResponse {
    if (form.grant_type === 'authorization_code') {
      const code = this.codes.get(form.code ?? '');
      if (code === undefined || code.used || code.redirectUri !== form.redirect_uri) {
        return oauthError('invalid_grant', 'Authorization code is expired.');
      }
      if (code.challenge !== null && s256(form.code_verifier ?? '') !== code.challenge) {
        return oauthError('invalid_request', 'Code verifier or code challenge is invalid.');
      }
      code.used = true;
      return this.issue(this.openId, code.scopes);
    }
    if (form.grant_type === 'refresh_token') {
      const refresh = this.refreshTokens.get(form.refresh_token ?? '');
      if (refresh === undefined) {
        return oauthError('invalid_grant', 'Refresh token is invalid or expired.');
      }
      // Rotation: the refresh token just used stops working.
      this.refreshTokens.delete(form.refresh_token ?? '');
      return this.issue(refresh.openId, refresh.scopes);
    }
    return oauthError('unsupported_grant_type', 'Unsupported grant type');
  }

  /** Tokens as if the person `openId` had connected earlier: an access token and its refresh token. */
  issueTokens(
    openId = this.openId,
    scopes: readonly string[] = ['user.info.basic'],
  ): { accessToken: string; refreshToken: string } {
    const accessToken = `act.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `rft.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, {
      openId,
      scopes,
      expiresAt: Date.now() + this.accessLifetimeSeconds * 1000,
    });
    this.refreshTokens.set(refreshToken, { openId, scopes });
    return { accessToken, refreshToken };
  }

  /** The refresh tokens that still work for a person: with rotation, only the newest one. */
  liveRefreshTokens(openId: string): string[] {
    return [...this.refreshTokens].filter(([, record]) => record.openId === openId).map(([token]) => token);
  }

  private issue(openId: string, scopes: readonly string[]): FakeResponse {
    const { accessToken, refreshToken } = this.issueTokens(openId, scopes);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: this.accessLifetimeSeconds,
        open_id: openId,
        refresh_token: refreshToken,
        refresh_expires_in: this.refreshLifetimeSeconds,
        scope: scopes.join(','),
        token_type: 'Bearer',
      },
    };
  }

  private revoke(form: Record<string, string>): FakeResponse {
    // Revoking ends the user's authorization: every token issued to them stops working.
    const openId = this.accessTokens.get(form.token ?? '')?.openId;
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [token, record] of tokens) if (record.openId === openId) tokens.delete(token);
    }
    return { status: 200, body: {} };
  }

  private userInfo(request: RecordedRequest): FakeResponse {
    const token = request.headers.authorization?.toString().replace(/^Bearer /, '') ?? '';
    const record = this.accessTokens.get(token);
    if (record === undefined || record.expiresAt <= Date.now()) {
      return apiError('access_token_invalid', 401);
    }
    if (!record.scopes.includes('user.info.basic')) return apiError('scope_not_authorized', 401);
    const user: Record<string, string> = {
      open_id: record.openId,
      union_id: `union-${record.openId}`,
      display_name: this.displayName,
      avatar_url: 'https://p16.tiktokcdn.example/avatar.jpeg',
    };
    const fields = (request.query.fields ?? '').split(',');
    return {
      status: 200,
      body: {
        data: { user: Object.fromEntries(Object.entries(user).filter(([field]) => fields.includes(field))) },
        error: { code: 'ok', message: '', log_id: '20260101000000FAKELOG' },
      },
    };
  }
}
