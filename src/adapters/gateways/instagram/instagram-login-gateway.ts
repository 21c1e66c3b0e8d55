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
import { type HttpClient, type HttpExchange, readBody, requestJson, shownName } from '../http-client.js';
import { isPermission, MetaErrorBody, type MetaErrorSubject, metaFailure } from '../meta/meta-errors.js';
import type { OAuthApp } from '../oauth-app.js';

/** Options for {@link InstagramLoginGateway}. */
export interface InstagramLoginGatewayOptions {
  /** Null when the Instagram app is not configured; `notConfigured` then names what to set. */
  readonly app: OAuthApp | null;
  readonly notConfigured: string;
  /** www.instagram.com: the consent screen. */
  readonly authUrl: string;
  /** api.instagram.com: the code exchange. */
  readonly apiUrl: string;
  /** graph.instagram.com: tokens, the profile and messaging. */
  readonly graphUrl: string;
  readonly graphVersion: string;
  readonly exchange: HttpExchange;
  readonly timeoutMs: number;
  readonly clock: Clock;
}

const id = z.union([z.string().min(1), z.number()]).transform(String);

const permissions = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? value.split(',') : value))
  .transform((list) => list.map((scope) => scope.trim()).filter((scope) => scope !== ''));

const ShortLived = z.object({
  access_token: z.string().min(1),
  user_id: id.optional(),
  permissions: permissions.optional(),
});

// Meta documents `{"data":[{…}]}`; production code reads a flat object. Both are accepted.
const CodeResponse = z.union([
  ShortLived,
  z.object({ data: z.tuple([ShortLived]).rest(ShortLived) }).transform((body) => body.data[0]),
]);

const TokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() });

const Profile = z.object({
  user_id: id,
  username: shownName.optional(),
  account_type: z.string().optional(),
});

const Conversations = z.object({ data: z.array(z.unknown()) });

// api.instagram.com's own error shape; graph.instagram.com answers in Graph's `{"error":{…}}`.
const OAuthErrorBody = z.object({ error_type: z.string(), code: z.number().optional() });

const PROFESSIONAL = ['BUSINESS', 'MEDIA_CREATOR'];
const BASIC_SCOPE = 'instagram_business_basic';
const MESSAGING_SCOPE = 'instagram_business_manage_messages';

/**
 * Instagram through Instagram Login (graph.instagram.com), which needs no Facebook Page: the consent
 * screen, the code → short-lived → 60-day token exchange, `ig_refresh_token` renewal, and validation
 * through `/me` (the professional account) and `/me/conversations` (whether messaging was granted).
 */
export class InstagramLoginGateway implements PlatformGateway {
  private readonly http: HttpClient;

  constructor(private readonly options: InstagramLoginGatewayOptions) {
    this.http = { exchange: options.exchange, timeoutMs: options.timeoutMs, platformName: 'Instagram' };
  }

  authorizationUrl(request: AuthorizationRequest): Result<string> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const url = new URL(`${this.options.authUrl}/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: request.scopes.join(','),
      state: request.state,
    }).toString();
    return ok(url.toString());
  }

  async exchangeCode(grant: CodeGrant): Promise<Result<IssuedToken>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const answer = await requestJson(this.http, new URL(`${this.options.apiUrl}/oauth/access_token`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'authorization_code',
        redirect_uri: grant.redirectUri,
        // Instagram appends `#_` to the redirect; a code copied with it is not the code.
        code: grant.code.replace(/#_$/, ''),
      }).toString(),
    });
    if (!answer.ok) return answer;
    const { status, body } = answer.value;
    if (status >= 300) return this.codeRefusal(body);
    const short = readBody(this.http, CodeResponse, body);
    if (!short.ok) return short;
    const long = await this.token(
      'access_token',
      { grant_type: 'ig_exchange_token', client_secret: app.clientSecret },
      short.value.access_token,
    );
    if (!long.ok) return long;
    return ok({ ...long.value, scopesGranted: short.value.permissions ?? null });
  }

  /** `ig_refresh_token`: the long-lived token renews itself (if at least a day old and not expired). */
  async refresh(accessToken: string): Promise<Result<IssuedToken>> {
    if (this.options.app === null) return this.notConfigured();
    return this.token('refresh_access_token', { grant_type: 'ig_refresh_token' }, accessToken);
  }

  /** Instagram Login documents no way to revoke a token; the user removes the app in Instagram's settings. */
  async revoke(): Promise<Result<Revocation>> {
    return ok('not_offered');
  }

  /** Instagram Login has a subscription call of its own, not made here yet: these accounts are subscribed by hand. */
  async subscribeToMessages(): Promise<MessageSubscription> {
    return { outcome: 'not_offered' };
  }

  async validate({ accessToken }: TokenCredentials): Promise<Result<ValidatedToken>> {
    const profile = await this.graph(
      `${this.options.graphVersion}/me`,
      { fields: 'user_id,username,account_type', access_token: accessToken },
      Profile,
    );
    if (!profile.ok) return profile;
    const { user_id, username, account_type } = profile.value;
    if (account_type !== undefined && !PROFESSIONAL.includes(account_type)) {
      return fail(
        'credentials_rejected',
        'This Instagram account is a personal account: Instagram Login works only for Business or Creator accounts. Switch to a professional account in the Instagram app and connect again.',
      );
    }
    const messaging = await this.canMessage(accessToken);
    if (!messaging.ok) return messaging;
    return ok({
      accessToken,
      scopesGranted: messaging.value ? [BASIC_SCOPE, MESSAGING_SCOPE] : [BASIC_SCOPE],
      // Instagram Login has no token introspection: the expiry is what the token exchange said.
      expiresAt: 'unknown',
      accountId: user_id,
      pageId: null,
      metadata: {
        login: 'instagram',
        ...(username ? { username } : {}),
        ...(account_type ? { account_type } : {}),
      },
    });
  }

  /** Whether the token may read conversations, which needs the messaging permission. */
  private async canMessage(accessToken: string): Promise<Result<boolean>> {
    const url = this.url(`${this.options.graphVersion}/me/conversations`, {
      platform: 'instagram',
      limit: '1',
      access_token: accessToken,
    });
    const answer = await requestJson(this.http, url);
    if (!answer.ok) return answer;
    if (answer.value.status < 300) {
      const read = readBody(this.http, Conversations, answer.value.body);
      return read.ok ? ok(true) : read;
    }
    const error = readBody(this.http, MetaErrorBody, answer.value.body);
    if (!error.ok) return error;
    return isPermission(error.value.error.code) ? ok(false) : this.failure(error.value.error, 'token');
  }

  private async token(
    path: string,
    params: Record<string, string>,
    accessToken: string,
  ): Promise<Result<IssuedToken>> {
    const answer = await this.graph(path, { ...params, access_token: accessToken }, TokenResponse);
    if (!answer.ok) return answer;
    const expiresIn = answer.value.expires_in;
    return ok({
      accessToken: answer.value.access_token,
      refreshToken: null,
      scopesGranted: null,
      expiresAt:
        expiresIn === undefined ? null : new Date(this.options.clock.now().getTime() + expiresIn * 1000),
      metadata: {},
    });
  }

  private url(path: string, params: Record<string, string>): URL {
    const url = new URL(`${this.options.graphUrl}/${path}`);
    url.search = new URLSearchParams(params).toString();
    return url;
  }

  private async graph<T>(path: string, params: Record<string, string>, schema: z.ZodType<T>) {
    const answer = await requestJson(this.http, this.url(path, params));
    if (!answer.ok) return answer;
    if (answer.value.status < 300) return readBody(this.http, schema, answer.value.body);
    const error = readBody(this.http, MetaErrorBody, answer.value.body);
    return error.ok ? this.failure(error.value.error, 'token') : error;
  }

  private failure(error: z.output<typeof MetaErrorBody>['error'], subject: MetaErrorSubject) {
    return metaFailure(error, subject, 'Instagram', this.http);
  }

  private codeRefusal(body: unknown): Result<never> {
    const graph = MetaErrorBody.safeParse(body);
    if (graph.success) return this.failure(graph.data.error, 'code');
    const own = readBody(this.http, OAuthErrorBody, body);
    if (!own.ok) return own;
    return fail(
      'authorization_code_rejected',
      'Instagram refused the authorization code: it expired, was already used, or was issued for another redirect URI. Start connecting again.',
    );
  }

  private notConfigured() {
    return fail<never>(
      'platform_not_configured',
      `Instagram Login is not configured on this server: set ${this.options.notConfigured}.`,
    );
  }
}
