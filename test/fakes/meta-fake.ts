import { createHmac, randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeResponse, type Fault, type RecordedRequest } from './fake-http-server.js';

/** A Facebook Page the signed-in person manages. */
export interface FakePage {
  readonly id: string;
  readonly name: string;
  /** The Instagram Business/Creator account linked to it, if any. */
  readonly instagramAccountId?: string;
  /** That account's user name, answered when `fields` asks for `instagram_business_account{…username}`. */
  readonly instagramUsername?: string;
  /** Granular consent can grant a Page without its token. */
  readonly withoutToken?: boolean;
}

interface TokenRecord {
  readonly type: 'USER' | 'PAGE';
  readonly appId: string;
  readonly userId: string;
  readonly pageId: string | null;
  readonly scopes: readonly string[];
  /** Unix seconds; 0 never expires. */
  readonly expiresAt: number;
  /** Set when the token was revoked: the Meta error subcode it answers with. */
  revokedWith: number | null;
}

/** Why Meta says a token was revoked: 458 app removed, 460 password changed, 467 logged out. */
export type RevocationSubcode = 458 | 460 | 467;

export type MetaRoute =
  | 'dialog'
  | 'access_token'
  | 'debug_token'
  | 'accounts'
  | 'me'
  | 'messages'
  | 'subscribed_apps'
  | 'permissions';

/** Someone who wrote to a Page (Messenger) or its linked Instagram account, as the Send API knows them. */
export interface FakePerson {
  /** Where they wrote: decides which window error Meta answers with. */
  readonly platform: 'facebook' | 'instagram';
  /** When they last wrote (ms); the Send API allows replies 24 h after it, 7 days with HUMAN_AGENT. */
  lastMessageAt: number;
  /** They blocked the Page or turned messages off: 551/1545041. */
  unavailable?: boolean;
}

/** One message the Send API accepted. */
export interface FakeSentMessage {
  readonly pageId: string;
  readonly recipientId: string;
  readonly text: string;
  readonly messagingType: string;
  readonly tag: string | null;
  readonly messageId: string;
}

/** `X-Hub-Signature-256` for a webhook body, as Meta signs it with the app secret. */
export const hubSignature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A `signed_request` for the deauthorize and data deletion callbacks, as Meta makes one. */
export function signedRequest(secret: string, payload: Readonly<Record<string, unknown>>): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${createHmac('sha256', secret).update(encoded).digest('base64url')}.${encoded}`;
}

/** One message a person sent, as a webhook's `entry[].messaging[]` item carries it. */
export interface FakeInbound {
  /** The PSID (Messenger) or IGSID (Instagram) of who wrote. */
  readonly from: string;
  readonly text: string;
  /** When they wrote (ms); now when unset. */
  readonly at?: number;
  readonly mid?: string;
  /** The account's own message, which Meta also delivers. */
  readonly isEcho?: boolean;
}

/** A webhook delivery body for messages to a Page (`object: page`) or Instagram account (`instagram`). */
export function messagingDelivery(
  platform: 'facebook' | 'instagram',
  accountId: string,
  messages: readonly FakeInbound[],
) {
  return {
    object: platform === 'facebook' ? 'page' : 'instagram',
    entry: [
      {
        id: accountId,
        time: Date.now(),
        messaging: messages.map((message) => {
          const at = message.at ?? Date.now();
          const [sender, recipient] = message.isEcho ? [accountId, message.from] : [message.from, accountId];
          return {
            sender: { id: sender },
            recipient: { id: recipient },
            timestamp: at,
            message: {
              mid: message.mid ?? `m_${randomBytes(18).toString('base64url')}`,
              text: message.text,
              ...(message.isEcho ? { is_echo: true } : {}),
            },
          };
        }),
      },
    ],
  };
}

const HOUR_MS = 3_600_000;
const MESSAGING_SCOPES = { facebook: 'pages_messaging', instagram: 'instagram_manage_messages' } as const;

const now = () => Math.floor(Date.now() / 1000);
const SHORT_LIVED_SECONDS = 3600;
export const LONG_LIVED_SECONDS = 5_183_944;

/** A Meta error body as the Graph API sends it. */
export function metaError(code: number, subcode?: number, status = 400): Fault {
  return { kind: 'answer', response: { status, body: graphError(code, subcode) } };
}

function graphError(code: number, subcode?: number, message = 'Fake Meta error') {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: 'AbCdEfFakeTrace',
    },
  };
}

/** A Page's `instagram_business_account`, with the sub-fields `fields` expands it to. */
function linkedInstagram(page: FakePage, fields = '') {
  if (page.instagramAccountId === undefined) return {};
  const username = /instagram_business_account\{[^}]*\busername\b/.test(fields)
    ? page.instagramUsername
    : undefined;
  return {
    instagram_business_account: {
      id: page.instagramAccountId,
      ...(username === undefined ? {} : { username }),
    },
  };
}

/** The token a Graph API call carries: `Authorization: Bearer`, or `access_token` in the form or query. */
const sentToken = (request: RecordedRequest): string | undefined =>
  /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1] ??
  request.form.access_token ??
  request.query.access_token;

const failure = (code: number, subcode?: number, message?: string): FakeResponse => ({
  status: 400,
  body: graphError(code, subcode, message),
});

/**
 * The Meta login dialog and Graph API (`graph.facebook.com` and `www.facebook.com` on one port): the
 * dialog, code and `fb_exchange_token` exchanges, `debug_token`, `/me` and `/me/accounts` with Page tokens.
 * Tests shape the person who signs in (`userId`, `pages`, `grantedScopes`) and the tokens they hold.
 */
export class MetaFake {
  readonly appId = '710000000000001';
  readonly appSecret = 'CANARY_SECRET_meta_app_0f9e8d';
  readonly version = 'v25.0';
  userId = '10000000000001';
  pages: FakePage[] = [];
  /** What the person grants at the dialog; null grants everything asked for. */
  grantedScopes: readonly string[] | null = null;
  denyConsent = false;
  /** `/me/accounts` answers this many Pages per request, then a `paging.next` link. */
  pageSize = 2;

  /** The people the Send API can reach, by PSID or IGSID. */
  readonly people = new Map<string, FakePerson>();
  readonly sentMessages: FakeSentMessage[] = [];
  /** Where webhooks go (the service's `POST /webhooks/meta`); null sends none. */
  webhookUrl: string | null = null;
  /** The fields the app is subscribed to on each Page, by Page id, as `POST /{page-id}/subscribed_apps` set them. */
  readonly subscriptions = new Map<string, readonly string[]>();
  /** Set to make every send answer this rate-limit code, with Meta's estimate of when access returns. */
  rateLimit: { readonly code: number; readonly regainMinutes: number } | null = null;

  private readonly tokens = new Map<string, TokenRecord>();
  private readonly codes = new Map<
    string,
    { redirectUri: string; scopes: readonly string[]; used: boolean }
  >();

  private constructor(
    readonly server: FakeHttpServer<MetaRoute>,
    private readonly registeredRedirectUris: readonly string[],
  ) {}

  static async start(registeredRedirectUris: readonly string[]): Promise<MetaFake> {
    let fake: MetaFake | undefined;
    const server = await FakeHttpServer.start<MetaRoute>({
      route: (method, path) => {
        const [, version, ...rest] = path.split('/');
        if (version !== fake?.version) return null;
        if (method === 'POST') {
          // `/{page-id}/messages` and `/{page-id}/subscribed_apps`.
          const edge = rest.length === 2 ? rest[1] : undefined;
          return edge === 'messages' || edge === 'subscribed_apps' ? edge : null;
        }
        if (method === 'DELETE') return rest.join('/') === 'me/permissions' ? 'permissions' : null;
        if (method !== 'GET') return null;
        const ROUTES: Record<string, MetaRoute> = {
          'dialog/oauth': 'dialog',
          'oauth/access_token': 'access_token',
          debug_token: 'debug_token',
          'me/accounts': 'accounts',
          me: 'me',
        };
        return ROUTES[rest.join('/')] ?? null;
      },
      respond: (route, request) => {
        if (fake === undefined) throw new Error('fake not started');
        return fake.respond(route, request);
      },
    });
    fake = new MetaFake(server, registeredRedirectUris);
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  /** A user token for this (or another) app, as if the person had logged in elsewhere. */
  mintUserToken(
    options: {
      scopes?: readonly string[];
      longLived?: boolean;
      appId?: string;
      expired?: boolean;
      /** Mint it already revoked with this subcode (see {@link revoke}). */
      revokedWith?: RevocationSubcode;
    } = {},
  ): string {
    const lifetime = options.longLived === false ? SHORT_LIVED_SECONDS : LONG_LIVED_SECONDS;
    return this.mint({
      type: 'USER',
      appId: options.appId ?? this.appId,
      userId: this.userId,
      pageId: null,
      scopes: options.scopes ?? [],
      expiresAt: options.expired ? now() - 60 : now() + lifetime,
      revokedWith: options.revokedWith ?? null,
    });
  }

  /**
   * A person writes to a Page (`facebook`) or its Instagram account: from then on the Send API lets the
   * Page reply to them, and the message is delivered to {@link webhookUrl}, signed with the app secret.
   * Answers the HTTP status the service gave the delivery.
   */
  async personWrites(
    platform: 'facebook' | 'instagram',
    accountId: string,
    message: FakeInbound,
  ): Promise<number> {
    if (this.webhookUrl === null) throw new Error('set webhookUrl first');
    if (!message.isEcho) this.people.set(message.from, { platform, lastMessageAt: message.at ?? Date.now() });
    const body = JSON.stringify(messagingDelivery(platform, accountId, [message]));
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': hubSignature(this.appSecret, body),
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Revokes every token of the token's user, Page tokens included. */
  revoke(token: string, subcode: RevocationSubcode = 460): void {
    const record = this.tokens.get(token);
    if (record === undefined) throw new Error('unknown token');
    for (const other of this.tokens.values()) {
      if (other.userId === record.userId) other.revokedWith = subcode;
    }
  }

  /** The Page token most recently handed out for a Page (what the service should store for sending). */
  latestPageToken(pageId: string): string | undefined {
    return [...this.tokens].findLast(([, record]) => record.type === 'PAGE' && record.pageId === pageId)?.[0];
  }

  fail(route: MetaRoute, fault: Fault): void {
    this.server.fail(route, fault);
  }

  heal(): void {
    this.server.heal();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private mint(record: TokenRecord): string {
    const token = `EAAG${record.type === 'PAGE' ? 'Page' : 'User'}${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, record);
    return token;
  }

  private respond(route: MetaRoute, request: RecordedRequest): FakeResponse {
    switch (route) {
      case 'dialog':
        return this.dialog(request.query);
      case 'access_token':
        return request.query.grant_type === 'fb_exchange_token'
          ? this.exchangeForLongLived(request.query)
          : this.exchangeCode(request.query);
      case 'debug_token':
        return this.debugToken(request.query);
      case 'accounts':
        return this.accounts(request.query);
      case 'me':
        return this.me(request.query);
      case 'messages':
        return this.sendMessage(request);
      case 'subscribed_apps':
        return this.subscribeApp(request);
      case 'permissions':
        return this.deletePermissions(request);
    }
  }

  /** `DELETE /me/permissions` with a user token: the app is removed, every token of the user stops working. */
  private deletePermissions(request: RecordedRequest): FakeResponse {
    const token = sentToken(request);
    const checked = this.check(token);
    if ('failure' in checked) return checked.failure;
    if (checked.record.type !== 'USER') {
      return failure(100, undefined, 'Tried accessing nonexisting field (permissions) on node type (Page)');
    }
    this.revoke(token ?? '', 458);
    return { status: 200, body: { success: true } };
  }

  /** A Page token for `pageId` with the user's scopes, as `/me/accounts` would hand it out. */
  mintPageToken(pageId: string, scopes: readonly string[]): string {
    return this.mint({
      type: 'PAGE',
      appId: this.appId,
      userId: this.userId,
      pageId,
      scopes,
      expiresAt: 0,
      revokedWith: null,
    });
  }

  /**
   * `POST /{page-id}/subscribed_apps` with that Page's token and `subscribed_fields` (form or query): from
   * then on Meta would send the Page's webhooks to the app. Needs `pages_manage_metadata`.
   */
  private subscribeApp(request: RecordedRequest): FakeResponse {
    const checked = this.check(sentToken(request));
    if ('failure' in checked) return checked.failure;
    const pageId = request.path.split('/')[2] ?? '';
    if (checked.record.type !== 'PAGE' || checked.record.pageId !== pageId) {
      return failure(210, undefined, 'A page access token is required to request this resource.');
    }
    if (!checked.record.scopes.includes('pages_manage_metadata')) {
      return failure(200, undefined, 'Requires pages_manage_metadata permission to manage the object');
    }
    const fields = (request.form.subscribed_fields ?? request.query.subscribed_fields ?? '')
      .split(',')
      .filter((field) => field !== '');
    if (fields.length === 0) return failure(100, undefined, 'The parameter subscribed_fields is required');
    this.subscriptions.set(pageId, fields);
    return { status: 200, body: { success: true } };
  }

  /** The Send API: `POST /{page-id}/messages` with the Page token, within each person's window. */
  private sendMessage(request: RecordedRequest): FakeResponse {
    if (this.rateLimit !== null) {
      return {
        ...failure(this.rateLimit.code, undefined, 'Calls to this API have exceeded the rate limit.'),
        headers: {
          'x-business-use-case-usage': JSON.stringify({
            [request.path.split('/')[2] ?? '']: [
              {
                type: 'messenger',
                call_count: 100,
                estimated_time_to_regain_access: this.rateLimit.regainMinutes,
              },
            ],
          }),
        },
      };
    }
    const checked = this.check(sentToken(request));
    if ('failure' in checked) return checked.failure;
    const pageId = request.path.split('/')[2] ?? '';
    if (checked.record.type !== 'PAGE' || checked.record.pageId !== pageId) {
      return failure(190, undefined, 'A Page access token is required to send messages for this Page.');
    }
    let body: {
      recipient?: { id?: string };
      messaging_type?: string;
      tag?: string;
      message?: { text?: string };
    };
    try {
      body = JSON.parse(request.body);
    } catch {
      return failure(100, undefined, 'Invalid JSON');
    }
    const recipientId = body.recipient?.id ?? '';
    const text = body.message?.text ?? '';
    const tagged = body.messaging_type === 'MESSAGE_TAG';
    if (text === '' || text.length > 1000 || (tagged && body.tag !== 'HUMAN_AGENT')) {
      return failure(100, undefined, 'Invalid parameter');
    }
    const person = this.people.get(recipientId);
    if (person === undefined) return failure(100, 2018001, 'No matching user found');
    if (!checked.record.scopes.includes(MESSAGING_SCOPES[person.platform])) {
      return failure(10, undefined, 'Requires pages_messaging permission to manage the object');
    }
    if (person.unavailable) return failure(551, 1545041, 'This person isn’t available right now.');
    const allowedMs = (tagged ? 7 * 24 : 24) * HOUR_MS;
    if (Date.now() - person.lastMessageAt > allowedMs) {
      return person.platform === 'instagram'
        ? { status: 403, body: graphError(10, 2534022, 'This message is sent outside of allowed window.') }
        : failure(10, 2018278, 'This message is sent outside of allowed window.');
    }
    const messageId = `m_${randomBytes(18).toString('base64url')}`;
    this.sentMessages.push({
      pageId,
      recipientId,
      text,
      messagingType: body.messaging_type ?? 'RESPONSE',
      tag: body.tag ?? null,
      messageId,
    });
    return { status: 200, body: { recipient_id: recipientId, message_id: messageId } };
  }

  private dialog(query: Record<string, string>): FakeResponse {
    const redirectUri = query.redirect_uri ?? '';
    if (query.client_id !== this.appId || !this.registeredRedirectUris.includes(redirectUri)) {
      return failure(
        191,
        undefined,
        'URL blocked: this redirect failed because the redirect URI is not whitelisted',
      );
    }
    if (!query.state || !query.scope || query.response_type !== 'code') return failure(100);
    const target = new URL(redirectUri);
    if (this.denyConsent) {
      target.search = new URLSearchParams({
        error: 'access_denied',
        error_reason: 'user_denied',
        error_description: 'Permissions error',
        state: query.state,
      }).toString();
    } else {
      const code = `AQ${randomBytes(24).toString('base64url')}`;
      this.codes.set(code, {
        redirectUri,
        scopes: this.grantedScopes ?? query.scope.split(','),
        used: false,
      });
      target.search = new URLSearchParams({ code, state: query.state }).toString();
    }
    return { status: 302, location: target.toString() };
  }

  private exchangeCode(query: Record<string, string>): FakeResponse {
    if (query.client_id !== this.appId || query.client_secret !== this.appSecret) {
      return failure(1, undefined, 'Error validating client secret.');
    }
    const code = this.codes.get(query.code ?? '');
    if (code === undefined || code.used || code.redirectUri !== query.redirect_uri) {
      return failure(100, 36009, 'This authorization code has been used.');
    }
    code.used = true;
    const token = this.mint({
      type: 'USER',
      appId: this.appId,
      userId: this.userId,
      pageId: null,
      scopes: code.scopes,
      expiresAt: now() + SHORT_LIVED_SECONDS,
      revokedWith: null,
    });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: SHORT_LIVED_SECONDS },
    };
  }

  private exchangeForLongLived(query: Record<string, string>): FakeResponse {
    if (query.client_id !== this.appId || query.client_secret !== this.appSecret) return failure(1);
    const checked = this.check(query.fb_exchange_token);
    if ('failure' in checked) return checked.failure;
    const token = this.mint({ ...checked.record, expiresAt: now() + LONG_LIVED_SECONDS });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS },
    };
  }

  private debugToken(query: Record<string, string>): FakeResponse {
    if (query.access_token !== `${this.appId}|${this.appSecret}`) {
      return failure(190, undefined, 'Invalid OAuth access token signature.');
    }
    const record = this.tokens.get(query.input_token ?? '');
    if (record === undefined) {
      return {
        status: 200,
        body: {
          data: {
            is_valid: false,
            error: { code: 190, message: 'Invalid OAuth access token - Cannot parse' },
          },
        },
      };
    }
    const described = {
      app_id: record.appId,
      type: record.type,
      application: 'Fake Outreach',
      expires_at: record.expiresAt,
      data_access_expires_at: now() + 90 * 86_400,
      issued_at: now() - 60,
      user_id: record.userId,
      ...(record.pageId === null ? {} : { profile_id: record.pageId }),
      scopes: record.scopes,
      granular_scopes: record.scopes.map((scope) => ({ scope })),
    };
    const invalid = this.invalidity(record);
    return {
      status: 200,
      body: {
        data:
          invalid === null
            ? { ...described, is_valid: true }
            : {
                ...described,
                is_valid: false,
                error: { code: 190, subcode: invalid, message: 'Fake invalid' },
              },
      },
    };
  }

  private accounts(query: Record<string, string>): FakeResponse {
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    const { record } = checked;
    if (record.type !== 'USER')
      return failure(100, undefined, 'Tried accessing nonexisting field (accounts)');
    if (!record.scopes.includes('pages_show_list')) return failure(200, undefined, 'Permissions error');
    const offset = Number(query.after ?? 0);
    const slice = this.pages.slice(offset, offset + this.pageSize);
    const data = slice.map((page) => ({
      id: page.id,
      name: page.name,
      tasks: ['MESSAGING', 'MODERATE', 'ADVERTISE'],
      ...(page.withoutToken ? {} : { access_token: this.pageToken(page, record) }),
      ...linkedInstagram(page, query.fields),
    }));
    const more = offset + this.pageSize < this.pages.length;
    const next = new URL(`${this.baseUrl}/${this.version}/me/accounts`);
    next.search = new URLSearchParams({ ...query, after: String(offset + this.pageSize) }).toString();
    return { status: 200, body: { data, paging: more ? { next: next.toString() } : {} } };
  }

  private me(query: Record<string, string>): FakeResponse {
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    const { record } = checked;
    const page = this.pages.find((candidate) => candidate.id === record.pageId);
    if (page === undefined) return { status: 200, body: { id: record.userId, name: 'Fake Person' } };
    return {
      status: 200,
      body: {
        id: page.id,
        name: page.name,
        ...linkedInstagram(page, query.fields),
      },
    };
  }

  /** A fresh Page token with the user's grants; it never expires when made from a long-lived token. */
  private pageToken(page: FakePage, user: TokenRecord): string {
    const longLived = user.expiresAt - now() > SHORT_LIVED_SECONDS;
    return this.mint({
      ...user,
      type: 'PAGE',
      pageId: page.id,
      expiresAt: longLived ? 0 : now() + SHORT_LIVED_SECONDS,
    });
  }

  private invalidity(record: TokenRecord): number | null {
    if (record.revokedWith !== null) return record.revokedWith;
    return record.expiresAt !== 0 && record.expiresAt <= now() ? 463 : null;
  }

  private check(token: string | undefined): { record: TokenRecord } | { failure: FakeResponse } {
    const record = this.tokens.get(token ?? '');
    if (record === undefined) return { failure: failure(190, undefined, 'Invalid OAuth access token.') };
    const invalid = this.invalidity(record);
    return invalid === null
      ? { record }
      : { failure: failure(190, invalid, 'Error validating access token') };
  }
}
