import { z } from 'zod';
import type { Clock } from '../../../application/ports/clock.js';
import type {
  AuthorizationRequest,
  CodeGrant,
  IssuedToken,
  MessageConnection,
  MessageSubscription,
  PlatformGateway,
  Revocation,
  TokenCredentials,
  ValidatedToken,
} from '../../../application/ports/platform-gateway.js';
import { PLATFORM_NAMES } from '../../../domain/platform.js';
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
import { MetaError, MetaErrorBody, type MetaErrorSubject, metaFailure } from './meta-errors.js';

export type MetaPlatform = 'instagram' | 'facebook';

/** Options for {@link MetaGateway}. */
export interface MetaGatewayOptions {
  readonly platform: MetaPlatform;
  /** Null when the app is not configured; `notConfigured` then names what to set. */
  readonly app: OAuthApp | null;
  readonly notConfigured: string;
  readonly graphUrl: string;
  readonly graphVersion: string;
  readonly dialogUrl: string;
  readonly exchange: HttpExchange;
  readonly timeoutMs: number;
  readonly clock: Clock;
}

const id = z.union([z.string().min(1), z.number()]).transform(String);

const TokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() });

const DebugResponse = z.object({
  data: z.object({
    is_valid: z.boolean(),
    app_id: id.optional(),
    type: z.string().optional(),
    expires_at: z.number().optional(),
    user_id: id.optional(),
    scopes: z.array(z.string()).optional(),
    error: MetaError.optional(),
  }),
});

const Succeeded = z.object({ success: z.boolean() });

const PageNode = z.object({
  id,
  name: shownName.optional(),
  access_token: z.string().min(1).optional(),
  instagram_business_account: z.object({ id, username: z.string().optional() }).optional(),
});

const PageList = z.object({
  data: z.array(PageNode),
  paging: z.object({ next: z.string().optional() }).optional(),
});

interface TokenInfo {
  readonly isPageToken: boolean;
  readonly scopes: readonly string[];
  readonly expiresAt: ValidatedToken['expiresAt'];
  readonly userId: string | null;
}

interface Page {
  readonly id: string;
  readonly name: string | null;
  readonly accessToken: string;
  readonly instagramAccountId: string | null;
  readonly instagramUsername: string | null;
}

interface PlatformRule {
  /** Which Page to take when the caller names none. */
  readonly preferPage: (pages: readonly Page[]) => Page | undefined;
  readonly accountId: (page: Page | null, token: TokenInfo) => string | null;
  /** The names worth keeping in `metadata`, for people to recognise the account by. */
  readonly names: (page: Page | null) => Record<string, string>;
}

const pageName = (page: Page | null): Record<string, string> => (page?.name ? { page_name: page.name } : {});

const RULES = {
  instagram: {
    preferPage: (pages) => pages.find((page) => page.instagramAccountId !== null) ?? pages[0],
    accountId: (page) => page?.instagramAccountId ?? null,
    names: (page) => ({
      ...pageName(page),
      ...(page?.instagramUsername ? { username: page.instagramUsername } : {}),
    }),
  },
  facebook: {
    preferPage: (pages) => pages[0],
    accountId: (_page, token) => token.userId,
    names: pageName,
  },
} as const satisfies Record<MetaPlatform, PlatformRule>;

// What `POST /{page-id}/subscribed_apps` needs.
const SUBSCRIBE_SCOPE = 'pages_manage_metadata';

/** A subscription that did not happen, for `refusal` (a failure: a `Result<never>` holds no value). */
const failed = (refusal: Result<never>, platformCode: number | null = null): MessageSubscription =>
  refusal.ok ? refusal.value : { outcome: 'failed', code: refusal.failure.code, platformCode };

const PAGE_FIELDS = 'id,name,access_token,instagram_business_account{id,username}';
// Bounds how far /me/accounts paging is followed (100 Pages a request).
const MAX_PAGE_REQUESTS = 10;

function toPage(node: z.output<typeof PageNode>, accessToken: string): Page {
  return {
    id: node.id,
    name: node.name ?? null,
    accessToken,
    instagramAccountId: node.instagram_business_account?.id ?? null,
    instagramUsername: node.instagram_business_account?.username ?? null,
  };
}

/**
 * Instagram (through Facebook Login) or Facebook on the Meta Graph API: the login dialog, code exchange
 * with the upgrade to a long-lived user token, and validation with `debug_token`, `/me/accounts` and the
 * Page's linked Instagram Business/Creator account. The token it keeps for sending is the Page's.
 */
export class MetaGateway implements PlatformGateway {
  private readonly http: HttpClient;
  private readonly name: string;
  private readonly rule: PlatformRule;

  constructor(private readonly options: MetaGatewayOptions) {
    this.http = { exchange: options.exchange, timeoutMs: options.timeoutMs, platformName: 'Meta' };
    this.name = PLATFORM_NAMES[options.platform];
    this.rule = RULES[options.platform];
  }

  authorizationUrl(request: AuthorizationRequest): Result<string> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const url = new URL(`${this.options.dialogUrl}/${this.options.graphVersion}/dialog/oauth`);
    url.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      response_type: 'code',
      scope: request.scopes.join(','),
      // Asks again for permissions declined earlier, so a reconnect can fix a missing scope.
      auth_type: 'rerequest',
    }).toString();
    return ok(url.toString());
  }

  async exchangeCode(grant: CodeGrant): Promise<Result<IssuedToken>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const credentials = { client_id: app.clientId, client_secret: app.clientSecret };
    const short = await this.get(
      'oauth/access_token',
      { ...credentials, redirect_uri: grant.redirectUri, code: grant.code },
      TokenResponse,
      'code',
    );
    if (!short.ok) return short;
    return this.longLived(app, short.value.access_token);
  }

  /** Meta has no refresh token: a still-valid token is exchanged for a new long-lived one. */
  async refresh(accessToken: string): Promise<Result<IssuedToken>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    return this.longLived(app, accessToken);
  }

  async validate({ accessToken, pageId }: TokenCredentials): Promise<Result<ValidatedToken>> {
    const token = await this.inspect(accessToken);
    if (!token.ok) return token;
    const pages = await (token.value.isPageToken
      ? this.pageOfToken(accessToken)
      : token.value.scopes.includes('pages_show_list')
        ? this.pagesOfUser(accessToken)
        : ok([]));
    if (!pages.ok) return pages;
    const page = this.choosePage(pages.value, pageId);
    if (!page.ok) return page;

    // The Page token is what sends messages; its own expiry and scopes are what gets stored.
    const stored =
      page.value === null || page.value.accessToken === accessToken
        ? token
        : await this.inspect(page.value.accessToken);
    if (!stored.ok) return stored;
    return ok({
      accessToken: page.value?.accessToken ?? accessToken,
      scopesGranted: stored.value.scopes,
      expiresAt: stored.value.expiresAt,
      accountId: this.rule.accountId(page.value, token.value),
      pageId: page.value?.id ?? null,
      ...(token.value.userId === null ? {} : { metaUserId: token.value.userId }),
      metadata: this.rule.names(page.value),
    });
  }

  /**
   * `DELETE /me/permissions` with a user token: the person's whole grant to this app ends. A stored Page
   * token (an integration with a Page) cannot do it (its `/me` is the Page) and the user token it came from
   * is not kept, so nothing is sent for it.
   */
  async revoke({ accessToken, pageId }: TokenCredentials): Promise<Result<Revocation>> {
    if (pageId !== null) return ok('not_offered');
    const url = new URL(`${this.options.graphUrl}/${this.options.graphVersion}/me/permissions`);
    const answer = await requestJson(this.http, url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (!answer.ok) return answer;
    if (answer.value.status >= 300) {
      const error = readBody(this.http, MetaErrorBody, answer.value.body);
      return error.ok ? metaFailure(error.value.error, 'token', this.name, this.http) : error;
    }
    const deleted = readBody(this.http, Succeeded, answer.value.body);
    if (!deleted.ok) return deleted;
    return deleted.value.success
      ? ok('revoked')
      : platformUnavailable(this.http, 'refused to revoke the token');
  }

  /**
   * `POST /{page-id}/subscribed_apps` with the Page token and `subscribed_fields=messages`: until the app
   * is subscribed to the Page, Meta sends no webhook for messages to it or to its Instagram account. A
   * connection granted without `pages_manage_metadata` would be refused, so it is not asked.
   */
  async subscribeToMessages({
    accessToken,
    pageId,
    scopesGranted,
  }: MessageConnection): Promise<MessageSubscription> {
    if (pageId === null) return { outcome: 'not_offered' };
    if (!scopesGranted.includes(SUBSCRIBE_SCOPE)) return { outcome: 'not_granted' };
    const url = new URL(
      `${this.options.graphUrl}/${this.options.graphVersion}/${encodeURIComponent(pageId)}/subscribed_apps`,
    );
    const answer = await requestJson(this.http, url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ subscribed_fields: 'messages' }).toString(),
    });
    if (!answer.ok) return failed(answer);
    const { status, body } = answer.value;
    if (status >= 300) {
      const error = readBody(this.http, MetaErrorBody, body);
      return error.ok
        ? failed(metaFailure(error.value.error, 'token', this.name, this.http), error.value.error.code)
        : failed(error);
    }
    const subscribed = readBody(this.http, Succeeded, body);
    if (!subscribed.ok) return failed(subscribed);
    return subscribed.value.success
      ? { outcome: 'subscribed' }
      : failed(platformUnavailable(this.http, 'refused to subscribe the app to the Page'));
  }

  /** `fb_exchange_token`: a long-lived user token (about 60 days, as `expires_in` says) for a valid one. */
  private async longLived(app: OAuthApp, accessToken: string): Promise<Result<IssuedToken>> {
    const long = await this.get(
      'oauth/access_token',
      {
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'fb_exchange_token',
        fb_exchange_token: accessToken,
      },
      TokenResponse,
      'token',
    );
    if (!long.ok) return long;
    const expiresIn = long.value.expires_in;
    return ok({
      accessToken: long.value.access_token,
      refreshToken: null,
      scopesGranted: null,
      expiresAt:
        expiresIn === undefined ? null : new Date(this.options.clock.now().getTime() + expiresIn * 1000),
      metadata: {},
    });
  }

  private notConfigured() {
    return fail<never>(
      'platform_not_configured',
      `${this.name} sign-in is not configured on this server: set ${this.options.notConfigured}.`,
    );
  }

  private async get<T>(
    path: string,
    params: Record<string, string>,
    schema: z.ZodType<T>,
    subject: MetaErrorSubject,
  ): Promise<Result<T>> {
    const url = new URL(`${this.options.graphUrl}/${this.options.graphVersion}/${path}`);
    url.search = new URLSearchParams(params).toString();
    return this.read(url, schema, subject);
  }

  private async read<T>(url: URL, schema: z.ZodType<T>, subject: MetaErrorSubject): Promise<Result<T>> {
    const answer = await requestJson(this.http, url);
    if (!answer.ok) return answer;
    if (answer.value.status < 300) return readBody(this.http, schema, answer.value.body);
    const error = readBody(this.http, MetaErrorBody, answer.value.body);
    return error.ok ? metaFailure(error.value.error, subject, this.name, this.http) : error;
  }

  /** `debug_token` with the app's own token: validity, type, scopes and expiry, as Meta sees them. */
  private async inspect(accessToken: string): Promise<Result<TokenInfo>> {
    const { app } = this.options;
    if (app === null) return this.notConfigured();
    const debugged = await this.get(
      'debug_token',
      { input_token: accessToken, access_token: `${app.clientId}|${app.clientSecret}` },
      DebugResponse,
      'app',
    );
    if (!debugged.ok) return debugged;
    const data = debugged.value.data;
    if (!data.is_valid) {
      return data.error === undefined
        ? fail(
            'credentials_rejected',
            `Meta does not accept this ${this.name} token. Reconnect your account.`,
          )
        : metaFailure(data.error, 'token', this.name, this.http);
    }
    if (data.app_id !== undefined && data.app_id !== app.clientId) {
      return fail(
        'credentials_rejected',
        `This ${this.name} token was issued to another app. Connect through this service instead.`,
      );
    }
    return ok({
      isPageToken: data.type === 'PAGE',
      scopes: data.scopes ?? [],
      expiresAt:
        data.expires_at === undefined
          ? 'unknown'
          : data.expires_at === 0
            ? 'never'
            : new Date(data.expires_at * 1000),
      userId: data.user_id ?? null,
    });
  }

  /** A Page token's `/me` is the Page itself. */
  private async pageOfToken(accessToken: string): Promise<Result<Page[]>> {
    const node = await this.get(
      'me',
      { fields: 'id,name,instagram_business_account{id,username}', access_token: accessToken },
      PageNode,
      'token',
    );
    return node.ok ? ok([toPage(node.value, accessToken)]) : node;
  }

  /** The Pages the user granted, with their tokens; Pages granted without a token cannot send, so they are left out. */
  private async pagesOfUser(accessToken: string): Promise<Result<Page[]>> {
    const pages: Page[] = [];
    const first = new URL(`${this.options.graphUrl}/${this.options.graphVersion}/me/accounts`);
    first.search = new URLSearchParams({
      fields: PAGE_FIELDS,
      limit: '100',
      access_token: accessToken,
    }).toString();
    let next: URL | null = first;
    for (let request = 0; next !== null && request < MAX_PAGE_REQUESTS; request++) {
      const list: Result<z.output<typeof PageList>> = await this.read(next, PageList, 'token');
      if (!list.ok) return list;
      for (const node of list.value.data) {
        if (node.access_token !== undefined) pages.push(toPage(node, node.access_token));
      }
      next = this.sameOrigin(list.value.paging?.next);
    }
    return ok(pages);
  }

  /** A paging link is followed only back to the configured Graph host. */
  private sameOrigin(link: string | undefined): URL | null {
    if (link === undefined || !URL.canParse(link)) return null;
    const url = new URL(link);
    return url.origin === new URL(this.options.graphUrl).origin ? url : null;
  }

  private choosePage(pages: readonly Page[], pageId: string | null): Result<Page | null> {
    if (pageId === null) return ok(this.rule.preferPage(pages) ?? null);
    const chosen = pages.find((page) => page.id === pageId);
    return chosen === undefined
      ? fail(
          'credentials_rejected',
          `This token cannot manage the Facebook Page ${pageId}, or that Page was not granted to this app. Leave page_id out or pick a Page granted when connecting.`,
        )
      : ok(chosen);
  }
}
