import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeResponse, type Fault, type RecordedRequest } from './fake-http-server.js';

export type InstagramRoute =
  | 'authorize'
  | 'code'
  | 'exchange'
  | 'refresh'
  | 'me'
  | 'conversations'
  | 'messages';

interface TokenRecord {
  readonly userId: string;
  readonly scopes: readonly string[];
  /** ms on the fake's clock. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly longLived: boolean;
  revokedWith: number | null;
}

/** Someone who wrote to the professional account, as the Send API knows them. */
export interface FakeInstagramPerson {
  lastMessageAt: number;
  unavailable?: boolean;
}

export interface FakeInstagramMessage {
  readonly senderId: string;
  readonly recipientId: string;
  readonly text: string;
  readonly tag: string | null;
  readonly messageId: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const IG_LONG_LIVED_SECONDS = 5_184_000;
const SHORT_LIVED_MS = HOUR_MS;
const DEPRECATED_SCOPES = ['business_basic', 'business_manage_messages', 'business_manage_comments'];

function graphError(code: number, subcode?: number, message = 'Fake Instagram error', status = 400) {
  return {
    status,
    body: {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        fbtrace_id: 'AbCdEfFakeIgTrace',
      },
    },
  } satisfies FakeResponse;
}

/** A Graph error as graph.instagram.com sends it, for {@link InstagramFake.fail}. */
export function instagramError(code: number, subcode?: number, status = 400): Fault {
  return { kind: 'answer', response: graphError(code, subcode, 'Fake Instagram error', status) };
}

/** api.instagram.com's own error shape. */
const oauthError = (message: string): FakeResponse => ({
  status: 400,
  body: { error_type: 'OAuthException', code: 400, error_message: message },
});

/**
 * Instagram API with Instagram Login on one port: www.instagram.com's consent (`/oauth/authorize`),
 * api.instagram.com's code exchange (`POST /oauth/access_token`) and graph.instagram.com's token
 * exchange, refresh, `/me`, `/me/conversations` and Send API. Its clock is the test's to move.
 */
export class InstagramFake {
  readonly appId = '990000000000001';
  readonly appSecret = 'CANARY_SECRET_instagram_app_7c6b5a';
  readonly version = 'v25.0';
  userId = '17841400000000777';
  username = 'fake.creator';
  accountType: 'BUSINESS' | 'MEDIA_CREATOR' | 'PERSONAL' = 'BUSINESS';
  /** What the person grants at consent; null grants everything asked for. */
  grantedScopes: readonly string[] | null = null;
  denyConsent = false;
  /** The documented `{"data":[…]}` answer to the code exchange, or the flat one production code sees. */
  codeResponseShape: 'flat' | 'data' = 'flat';
  /** Added to the real time: tests move it to age tokens. */
  offsetMs = 0;
  readonly people = new Map<string, FakeInstagramPerson>();
  readonly sentMessages: FakeInstagramMessage[] = [];

  private readonly tokens = new Map<string, TokenRecord>();
  private readonly codes = new Map<
    string,
    { redirectUri: string; scopes: readonly string[]; used: boolean }
  >();

  private constructor(
    readonly server: FakeHttpServer<InstagramRoute>,
    private readonly registeredRedirectUris: readonly string[],
  ) {}

  static async start(registeredRedirectUris: readonly string[]): Promise<InstagramFake> {
    let fake: InstagramFake | undefined;
    const server = await FakeHttpServer.start<InstagramRoute>({
      route: (method, path) => {
        if (path === '/refresh_access_token') return 'refresh';
        if (method === 'POST' && path === '/oauth/access_token') return 'code';
        if (method === 'GET' && path === '/oauth/authorize') return 'authorize';
        if (method === 'GET' && path === '/access_token') return 'exchange';
        const [, version, ...rest] = path.split('/');
        if (version !== fake?.version) return null;
        if (method === 'POST' && rest.length === 2 && rest[1] === 'messages') return 'messages';
        if (method === 'GET' && rest.join('/') === 'me') return 'me';
        if (method === 'GET' && rest.join('/') === 'me/conversations') return 'conversations';
        return null;
      },
      respond: (route, request) => {
        if (fake === undefined) throw new Error('fake not started');
        return fake.respond(route, request);
      },
    });
    fake = new InstagramFake(server, registeredRedirectUris);
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** A long-lived token as if issued `ageMs` ago (on the fake's clock). */
  mintToken(options: { scopes?: readonly string[]; ageMs?: number; expired?: boolean } = {}): string {
    const issuedAt = this.now() - (options.ageMs ?? 0);
    return this.mint({
      userId: this.userId,
      scopes: options.scopes ?? ['instagram_business_basic', 'instagram_business_manage_messages'],
      issuedAt,
      expiresAt: options.expired ? this.now() - 60_000 : issuedAt + IG_LONG_LIVED_SECONDS * 1000,
      longLived: true,
      revokedWith: null,
    });
  }

  revoke(token: string, subcode = 460): void {
    const record = this.tokens.get(token);
    if (record === undefined) throw new Error('unknown token');
    record.revokedWith = subcode;
  }

  fail(route: InstagramRoute, fault: Fault): void {
    this.server.fail(route, fault);
  }

  heal(): void {
    this.server.heal();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private mint(record: TokenRecord): string {
    const token = `IGAA${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, record);
    return token;
  }

  private respond(route: InstagramRoute, request: RecordedRequest): FakeResponse {
    switch (route) {
      case 'authorize':
        return this.authorize(request.query);
      case 'code':
        return this.exchangeCode(request.form);
      case 'exchange':
        return this.exchange(request.query);
      case 'refresh':
        return request.method === 'GET'
          ? this.refresh(request.query)
          : graphError(100, undefined, 'Unsupported request - method type: post');
      case 'me':
        return this.me(request.query);
      case 'conversations':
        return this.conversations(request.query);
      case 'messages':
        return this.sendMessage(request);
    }
  }

  private authorize(query: Record<string, string>): FakeResponse {
    const redirectUri = query.redirect_uri ?? '';
    if (query.client_id !== this.appId || !this.registeredRedirectUris.includes(redirectUri)) {
      return oauthError('Invalid redirect_uri or client_id');
    }
    if (!query.state || !query.scope || query.response_type !== 'code') return oauthError('Invalid request');
    const asked = query.scope.split(',');
    const target = new URL(redirectUri);
    if (asked.some((scope) => DEPRECATED_SCOPES.includes(scope))) {
      target.search = new URLSearchParams({
        error: 'invalid_scope',
        error_reason: 'deprecated_scope',
        error_description: 'Invalid scope',
        state: query.state,
      }).toString();
    } else if (this.denyConsent) {
      target.search = new URLSearchParams({
        error: 'access_denied',
        error_reason: 'user_denied',
        error_description: 'The user denied your request.',
        state: query.state,
      }).toString();
    } else {
      const code = `AQB${randomBytes(24).toString('base64url')}`;
      this.codes.set(code, { redirectUri, scopes: this.grantedScopes ?? asked, used: false });
      target.search = new URLSearchParams({ code, state: query.state }).toString();
    }
    // Instagram appends `#_` to the redirect.
    return { status: 302, location: `${target.toString()}#_` };
  }

  private exchangeCode(form: Record<string, string>): FakeResponse {
    if (form.client_id !== this.appId || form.client_secret !== this.appSecret) {
      return oauthError('Invalid platform app');
    }
    const code = this.codes.get(form.code ?? '');
    if (
      form.grant_type !== 'authorization_code' ||
      code === undefined ||
      code.used ||
      code.redirectUri !== form.redirect_uri
    ) {
      return oauthError('This authorization code has been used');
    }
    code.used = true;
    const token = this.mint({
      userId: this.userId,
      scopes: code.scopes,
      issuedAt: this.now(),
      expiresAt: this.now() + SHORT_LIVED_MS,
      longLived: false,
      revokedWith: null,
    });
    const answer = { access_token: token, user_id: Number(this.userId), permissions: code.scopes.join(',') };
    return { status: 200, body: this.codeResponseShape === 'flat' ? answer : { data: [answer] } };
  }

  private exchange(query: Record<string, string>): FakeResponse {
    if (query.grant_type !== 'ig_exchange_token' || query.client_secret !== this.appSecret) {
      return graphError(101, undefined, 'Error validating client secret.');
    }
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    if (checked.record.longLived) return graphError(100, undefined, 'Token is already long-lived');
    return this.longLived(checked.record);
  }

  private refresh(query: Record<string, string>): FakeResponse {
    if (query.grant_type !== 'ig_refresh_token') return graphError(100, undefined, 'Invalid grant_type');
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    if (this.now() - checked.record.issuedAt < DAY_MS) {
      return graphError(10, undefined, 'The access token must be at least 24 hours old to be refreshed.');
    }
    return this.longLived(checked.record);
  }

  private longLived(record: TokenRecord): FakeResponse {
    const token = this.mint({
      ...record,
      issuedAt: this.now(),
      expiresAt: this.now() + IG_LONG_LIVED_SECONDS * 1000,
      longLived: true,
    });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: IG_LONG_LIVED_SECONDS },
    };
  }

  private me(query: Record<string, string>): FakeResponse {
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    return {
      status: 200,
      body: {
        id: `app-scoped-${checked.record.userId}`,
        user_id: checked.record.userId,
        username: this.username,
        account_type: this.accountType,
      },
    };
  }

  private conversations(query: Record<string, string>): FakeResponse {
    const checked = this.check(query.access_token);
    if ('failure' in checked) return checked.failure;
    if (!checked.record.scopes.includes('instagram_business_manage_messages')) {
      return graphError(10, undefined, 'Application does not have permission for this action');
    }
    return { status: 200, body: { data: [] } };
  }

  private sendMessage(request: RecordedRequest): FakeResponse {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const checked = this.check(bearer);
    if ('failure' in checked) return checked.failure;
    const senderId = request.path.split('/')[2] ?? '';
    if (senderId !== checked.record.userId && senderId !== 'me') {
      return graphError(100, 33, 'Unsupported post request: object does not exist or lacks permission');
    }
    if (!checked.record.scopes.includes('instagram_business_manage_messages')) {
      return graphError(10, undefined, 'Application does not have permission for this action');
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
      return graphError(100, undefined, 'Invalid JSON');
    }
    const recipientId = body.recipient?.id ?? '';
    const text = body.message?.text ?? '';
    const tagged = body.messaging_type === 'MESSAGE_TAG';
    if (text === '' || text.length > 1000 || (tagged && body.tag !== 'HUMAN_AGENT')) {
      return graphError(100, undefined, 'Invalid parameter');
    }
    const person = this.people.get(recipientId);
    if (person === undefined) return graphError(100, 2018001, 'No matching user found');
    if (person.unavailable) return graphError(551, 1545041, 'This person isn’t available right now.');
    if (this.now() - person.lastMessageAt > (tagged ? 7 : 1) * DAY_MS) {
      return graphError(10, 2534022, 'This message is sent outside of allowed window.', 403);
    }
    const messageId = `aWdfZAG${randomBytes(18).toString('base64url')}`;
    this.sentMessages.push({ senderId, recipientId, text, tag: body.tag ?? null, messageId });
    return { status: 200, body: { recipient_id: recipientId, message_id: messageId } };
  }

  private check(token: string | undefined): { record: TokenRecord } | { failure: FakeResponse } {
    const record = this.tokens.get(token ?? '');
    if (record === undefined) return { failure: graphError(190, undefined, 'Invalid OAuth access token.') };
    if (record.revokedWith !== null) {
      return { failure: graphError(190, record.revokedWith, 'Error validating access token') };
    }
    if (record.expiresAt <= this.now()) {
      return { failure: graphError(190, 463, 'Error validating access token: Session has expired') };
    }
    return { record };
  }
}
