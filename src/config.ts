import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './application/ports/logger.js';
import type { TokenConnector } from './domain/login.js';

// Parses the environment, and only that: each adapter declares its own options, which the composition
// root feeds from the values here (nothing else imports this file, and it imports no adapter).

const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

const optionalText = z.preprocess(unsetWhenEmpty, z.string().optional());

const parseUrl = (text: string) => (URL.canParse(text) ? new URL(text) : null);

/** https, or plain http to this machine only (local fakes and development). */
function httpsOrLoopback(text: string): URL | null {
  const url = parseUrl(text);
  if (url === null) return null;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback) ? url : null;
}

// A platform endpoint: https, or http on loopback for local fakes; no trailing slash, so paths join cleanly.
const baseUrl = (fallback: string) =>
  z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .default(fallback)
      .refine((text) => httpsOrLoopback(text) !== null, 'must be an https URL (http only on localhost)')
      .transform((text) => text.replace(/\/+$/, '')),
  );

// Compared byte for byte with what callers send, so each entry is kept exactly as written.
const redirectUri = z.string().refine((text) => {
  const url = httpsOrLoopback(text);
  return url !== null && url.username === '' && url.password === '' && !text.includes('#');
}, 'entries must be absolute https URLs (http only on localhost) without credentials or fragment');

const flag = (fallback: 'true' | 'false') =>
  z.preprocess(
    unsetWhenEmpty,
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .default(fallback)
      .transform((value) => value === 'true' || value === '1'),
  );

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const whole = (fallback: number, min: number, max: number) =>
  z.preprocess(unsetWhenEmpty, wholeNumber(min, max).default(fallback));

const commaList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;

const perMinute = (fallback: number) =>
  z.preprocess(
    unsetWhenEmpty,
    z.coerce.number({ error: 'must be a whole number' }).int().min(0, 'must be 0 or more').default(fallback),
  );

/** A version the stored Meta docs name as current; pin another with META_GRAPH_VERSION. */
const DEFAULT_GRAPH_VERSION = 'v25.0';

const APP_VARIABLE_PAIRS = [
  ['INSTAGRAM_CLIENT_ID', 'INSTAGRAM_CLIENT_SECRET'],
  ['FACEBOOK_CLIENT_ID', 'FACEBOOK_CLIENT_SECRET'],
  ['TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET'],
  ['INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET'],
] as const;

type AppVariable = (typeof APP_VARIABLE_PAIRS)[number][number];

/** What an operator sets to enable each platform's sign-in, in words for error messages. */
const APP_VARIABLES = {
  instagram:
    'INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET (or FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET)',
  facebook: 'FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET',
  tiktok: 'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET',
  instagram_login: 'INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET',
} as const satisfies Record<TokenConnector, string>;

/** The SMTP submission ports a check may connect to unless SMTP_ALLOWED_PORTS says otherwise. */
export const DEFAULT_SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

/** The waits after each failed webhook attempt (the contract's schedule: 5 s up to 10 h, 8 attempts). */
export const DEFAULT_WEBHOOK_RETRY_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/**
 * A host that names this machine or a private network by itself: localhost, or an IP literal outside
 * public unicast. Names are not resolved here (Workers cannot): the sender refuses redirects, and the
 * operator chooses the names.
 */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(host)) return false;
  const address = ipaddr.process(host);
  return address.range() !== 'unicast' || (address.kind() === 'ipv6' && !host.match(/^[23]/));
}

/** The Meta app secrets, any of which may sign webhooks and callbacks. */
const META_APP_SECRETS = [
  'FACEBOOK_CLIENT_SECRET',
  'INSTAGRAM_CLIENT_SECRET',
  'INSTAGRAM_APP_SECRET',
] as const;

function metaAppSecrets(env: Partial<Record<(typeof META_APP_SECRETS)[number], string | undefined>>) {
  return [...new Set(META_APP_SECRETS.map((name) => env[name]).filter((secret) => secret !== undefined))];
}

// `when` lets a refinement run alongside other problems, so all of them are reported at once.
const everyField = (payload: { value: unknown }) =>
  payload.value !== null && typeof payload.value === 'object';

const EnvironmentSchema = z
  .object({
    NODE_ENV: z.preprocess(
      unsetWhenEmpty,
      z.enum(['development', 'test', 'production']).default('development'),
    ),
    PORT: z.preprocess(
      unsetWhenEmpty,
      z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(8000),
    ),
    HOST: z.preprocess(unsetWhenEmpty, z.string().optional()),
    DATABASE_URL: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    DATABASE_POOL_SIZE: z.preprocess(unsetWhenEmpty, wholeNumber(1, 1000).optional()),
    WEB_CONCURRENCY: z.preprocess(unsetWhenEmpty, wholeNumber(1, 256).optional()),
    BACKGROUND_JOBS: flag('true'),
    METRICS_TOKEN: z.preprocess(
      unsetWhenEmpty,
      z.string().min(16, 'must be at least 16 characters (openssl rand -hex 32 makes one)').optional(),
    ),
    METRICS_PORT: z.preprocess(
      unsetWhenEmpty,
      z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).optional(),
    ),
    DATA_DIR: z.preprocess(unsetWhenEmpty, z.string().default('./.data')),
    ENCRYPTION_KEY: z.preprocess(unsetWhenEmpty, z.string().optional()),
    SMTP_ALLOW_PRIVATE_HOSTS: flag('false'),
    SMTP_ALLOWED_PORTS: z.preprocess(
      (value) => commaList(unsetWhenEmpty(value) ?? DEFAULT_SMTP_PORTS.join(',')),
      z
        .array(z.coerce.number().int().min(1).max(65535), { error: 'must be comma-separated port numbers' })
        .min(1, 'must name at least one port'),
    ),
    OUTBOUND_TIMEOUT_MS: whole(10_000, 100, 120_000),
    REFRESH_ENABLED: flag('true'),
    REFRESH_INTERVAL_SECONDS: whole(300, 1, 86_400),
    REFRESH_BATCH_SIZE: whole(25, 1, 1000),
    HEALTH_CHECK_INTERVAL_HOURS: whole(24, 1, 720),
    IMAP_POLL_SECONDS: whole(60, 0, 86_400),
    LOG_LEVEL: z.preprocess(unsetWhenEmpty, z.enum(LOG_LEVELS).default('info')),
    INSTAGRAM_CLIENT_ID: optionalText,
    INSTAGRAM_CLIENT_SECRET: optionalText,
    FACEBOOK_CLIENT_ID: optionalText,
    FACEBOOK_CLIENT_SECRET: optionalText,
    TIKTOK_CLIENT_KEY: optionalText,
    TIKTOK_CLIENT_SECRET: optionalText,
    INSTAGRAM_APP_ID: optionalText,
    INSTAGRAM_APP_SECRET: optionalText,
    OAUTH_REDIRECT_URIS: z.preprocess(
      (value) =>
        typeof value === 'string'
          ? value
              .split(',')
              .map((entry) => entry.trim())
              .filter((entry) => entry !== '')
          : [],
      z.array(redirectUri),
    ),
    META_GRAPH_URL: baseUrl('https://graph.facebook.com'),
    META_GRAPH_VERSION: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .regex(/^v\d+\.\d+$/, 'must look like v25.0')
        .default(DEFAULT_GRAPH_VERSION),
    ),
    META_DIALOG_URL: baseUrl('https://www.facebook.com'),
    META_WEBHOOK_VERIFY_TOKEN: optionalText,
    TIKTOK_AUTH_URL: baseUrl('https://www.tiktok.com'),
    TIKTOK_API_URL: baseUrl('https://open.tiktokapis.com'),
    INSTAGRAM_AUTH_URL: baseUrl('https://www.instagram.com'),
    INSTAGRAM_API_URL: baseUrl('https://api.instagram.com'),
    INSTAGRAM_GRAPH_URL: baseUrl('https://graph.instagram.com'),
    AUTH_JWT_SECRET: z.preprocess(
      unsetWhenEmpty,
      z.string().min(32, 'must be at least 32 characters (256 bits) for HS256').optional(),
    ),
    AUTH_JWKS_URL: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .refine(
          (text) => httpsOrLoopback(text) !== null,
          'must be an https:// URL (http:// only on localhost)',
        )
        .optional(),
    ),
    AUTH_JWT_ISSUER: optionalText,
    AUTH_JWT_AUDIENCE: optionalText,
    AUTH_JWT_MAX_LIFETIME_SECONDS: whole(86_400, 60, 31_536_000),
    ALLOW_INSECURE_USER_ID: flag('false'),
    CORS_ORIGINS: z.preprocess(
      (value) => commaList(unsetWhenEmpty(value) ?? ''),
      z.array(
        z.string().refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
          error: (issue) =>
            `has ${JSON.stringify(issue.input)}, which is not an exact origin like https://app.example.com`,
        }),
      ),
    ),
    RATE_LIMIT_PER_MINUTE: perMinute(120),
    RATE_LIMIT_OUTBOUND_PER_MINUTE: perMinute(10),
    RATE_LIMIT_STORE: z.preprocess(unsetWhenEmpty, z.enum(['memory', 'database']).default('memory')),
    OUTREACH_EMAIL_DAILY_LIMIT: whole(200, 0, 1_000_000),
    EVENT_RETENTION_DAYS: whole(30, 1, 3650),
    EXPIRY_WARNING_HOURS: whole(72, 1, 8760),
    PUBLIC_BASE_URL: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .refine((text) => {
          const url = httpsOrLoopback(text);
          return (
            url !== null &&
            url.pathname === '/' &&
            url.search === '' &&
            url.hash === '' &&
            url.username === ''
          );
        }, 'must be the service’s public origin, like https://outreach.example.com (http only on localhost)')
        .transform((text) => new URL(text).origin)
        .optional(),
    ),
    CLIENT_ADDRESS_HEADER: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as X-Real-IP')
        .transform((name) => name.toLowerCase())
        .optional(),
    ),
    WEBHOOK_URLS: z.preprocess(
      (value) => commaList(unsetWhenEmpty(value) ?? ''),
      z.array(
        z.string().refine((text) => {
          const url = httpsOrLoopback(text);
          return url !== null && url.username === '' && url.password === '' && url.hash === '';
        }, 'entries must be absolute https URLs (http only on localhost) without credentials or fragment'),
      ),
    ),
    WEBHOOK_SECRET: z.preprocess(
      (value) => commaList(unsetWhenEmpty(value) ?? ''),
      z.array(
        z
          .string()
          .regex(
            /^whsec_[A-Za-z0-9+/]{24,}={0,2}$/,
            'entries must be whsec_ followed by base64 (24 bytes or more)',
          ),
      ),
    ),
    WEBHOOK_RETRY_SECONDS: z.preprocess(
      (value) => commaList(unsetWhenEmpty(value) ?? DEFAULT_WEBHOOK_RETRY_SECONDS.join(',')),
      z.array(z.coerce.number().int().min(0).max(604_800), {
        error: 'must be comma-separated whole seconds (0 to 604800)',
      }),
    ),
    WEBHOOK_TIMEOUT_MS: whole(10_000, 100, 120_000),
    WEBHOOK_ALLOW_PRIVATE_HOSTS: flag('false'),
  })
  .refine((env) => env.WEBHOOK_URLS.length === 0 || env.WEBHOOK_SECRET.length > 0, {
    path: ['WEBHOOK_SECRET'],
    message: 'is required with WEBHOOK_URLS (a Standard Webhooks secret like whsec_<base64>)',
    when: everyField,
  })
  .refine(
    (env) =>
      env.WEBHOOK_ALLOW_PRIVATE_HOSTS ||
      env.WEBHOOK_URLS.every((url) => !isPrivateHost(new URL(url).hostname)),
    {
      path: ['WEBHOOK_URLS'],
      message: 'names a loopback or private address; set WEBHOOK_ALLOW_PRIVATE_HOSTS=true to allow it',
      when: everyField,
    },
  )
  .refine((env) => env.NODE_ENV !== 'production' || env.ENCRYPTION_KEY !== undefined, {
    path: ['ENCRYPTION_KEY'],
    message: 'is required when NODE_ENV=production (generate one with npm run generate-key)',
    when: everyField,
  })
  .refine(
    (env) =>
      env.NODE_ENV !== 'production' ||
      env.AUTH_JWT_SECRET !== undefined ||
      env.AUTH_JWKS_URL !== undefined ||
      env.ALLOW_INSECURE_USER_ID,
    {
      path: ['AUTH_JWT_SECRET'],
      message:
        'or AUTH_JWKS_URL is required when NODE_ENV=production (ALLOW_INSECURE_USER_ID=true lets anyone act as any user_id)',
      when: everyField,
    },
  )
  .refine((env) => env.AUTH_JWT_SECRET === undefined || env.AUTH_JWKS_URL === undefined, {
    path: ['AUTH_JWKS_URL'],
    message: 'and AUTH_JWT_SECRET are both set; set only one',
    when: everyField,
  })
  .refine((env) => env.META_WEBHOOK_VERIFY_TOKEN === undefined || metaAppSecrets(env).length > 0, {
    path: ['META_WEBHOOK_VERIFY_TOKEN'],
    message: `needs the Meta app secret that signs the webhooks: set ${META_APP_SECRETS.join(' or ')} with its app id`,
    when: everyField,
  })
  .superRefine((env, context) => {
    for (const [id, secret] of APP_VARIABLE_PAIRS) {
      if ((env[id] === undefined) !== (env[secret] === undefined)) {
        const [missing, set] = env[id] === undefined ? [id, secret] : [secret, id];
        context.addIssue({ code: 'custom', path: [missing], message: `must be set together with ${set}` });
      }
    }
  });

type Environment = z.infer<typeof EnvironmentSchema>;

function app(env: Environment, id: AppVariable, secret: AppVariable): OAuthApp | null {
  const clientId = env[id];
  const clientSecret = env[secret];
  return clientId === undefined || clientSecret === undefined ? null : { clientId, clientSecret };
}

/** How bearer tokens are checked; null in `Config` means development identity by `?user_id=`. */
export interface JwtSettings {
  /** An HS256 shared secret, or the URL of the JWKS that publishes the signing keys. */
  readonly key: { readonly secret: string } | { readonly jwksUrl: string };
  readonly issuer: string | null;
  readonly audience: string | null;
  readonly maxLifetimeSeconds: number;
}

function jwtSettings(env: Environment): JwtSettings | null {
  const key =
    env.AUTH_JWT_SECRET !== undefined
      ? { secret: env.AUTH_JWT_SECRET }
      : env.AUTH_JWKS_URL !== undefined
        ? { jwksUrl: env.AUTH_JWKS_URL }
        : null;
  return key === null
    ? null
    : {
        key,
        issuer: env.AUTH_JWT_ISSUER ?? null,
        audience: env.AUTH_JWT_AUDIENCE ?? null,
        maxLifetimeSeconds: env.AUTH_JWT_MAX_LIFETIME_SECONDS,
      };
}

export interface RateLimitSettings {
  /** Requests per minute per user and per client address; 0 turns rate limiting off. */
  readonly perMinute: number;
  /** The tighter limit on routes that call out to a platform or SMTP server; 0 turns it off. */
  readonly outboundPerMinute: number;
  /** Where counts are kept: this process, or the service's database (shared by every instance). */
  readonly store: 'memory' | 'database';
}

/** A platform app's OAuth client credentials (TikTok calls the id a client key). */
export interface OAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Where the platforms live and which apps this service signs in with. */
export interface PlatformSettings {
  /** Null where the platform's app is not configured; Instagram falls back to the Facebook app. */
  readonly apps: Readonly<Record<TokenConnector, OAuthApp | null>>;
  /** The variables that configure each platform's app, in words for error messages. */
  readonly notConfigured: Readonly<Record<TokenConnector, string>>;
  readonly metaGraphUrl: string;
  readonly metaGraphVersion: string;
  readonly metaDialogUrl: string;
  /** META_WEBHOOK_VERIFY_TOKEN; null leaves `/webhooks/meta` unanswered. */
  readonly metaWebhookVerifyToken: string | null;
  /**
   * What Meta signs webhooks and callbacks with: the secret of each Meta app configured (Facebook's, and
   * Instagram's for either login), without repeats.
   */
  readonly metaAppSecrets: readonly string[];
  readonly tiktokAuthUrl: string;
  readonly tiktokApiUrl: string;
  readonly instagramAuthUrl: string;
  readonly instagramApiUrl: string;
  readonly instagramGraphUrl: string;
}

/** The token lifecycle job: renewals and health checks, in the server and in `npm run refresh`. */
export interface LifecycleConfig {
  /** Whether the server runs the job itself (`npm run refresh` runs it regardless). */
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly settings: {
    /** How many integrations one claim takes. */
    readonly batchSize: number;
    /** How long a claim lasts. */
    readonly leaseMs: number;
    readonly healthCheckIntervalMs: number;
    /** EXPIRY_WARNING_HOURS, in milliseconds. */
    readonly expiryWarningMs: number;
  };
}

// Handling one integration makes at most 12 platform calls in a row (a Meta check: debug_token, ten
// pages of /me/accounts, the Page token's debug_token), each bounded by the outbound timeout, as is a
// whole SMTP check; a send makes fewer. A claim must outlast that with room to spare, or another process
// could take it over.
const leaseFor = (outboundTimeoutMs: number) => Math.max(5 * 60_000, 30 * outboundTimeoutMs);

/** The IMAP poller of the Node server: each mailbox with IMAP read every `intervalMs`. */
export interface ImapPollConfig {
  /** Whether the server polls (IMAP_POLL_SECONDS=0 turns it off). */
  readonly enabled: boolean;
  readonly settings: {
    readonly intervalMs: number;
    readonly batchSize: number;
    readonly messagesPerRead: number;
    readonly leaseMs: number;
  };
}

const IMAP_BATCH_SIZE = 10;
const IMAP_MESSAGES_PER_READ = 50;

export interface WebhookSettings {
  readonly endpoints: readonly string[];
  /** `whsec_` secrets: each attempt carries one signature per secret (rotation). */
  readonly secrets: readonly string[];
  /** Waits after each failed attempt; one attempt more than entries, then the delivery is failed. */
  readonly retrySeconds: readonly number[];
  readonly timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_HOSTS: endpoints may be (or resolve to) loopback or private addresses. */
  readonly allowPrivateHosts: boolean;
}

export interface Config {
  readonly environment: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  /** Null means the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | null;
  /** Connections to PostgreSQL per process; null leaves it to the runtime (sized from the cores it has). */
  readonly databasePoolSize: number | null;
  /** Worker processes serving one port (Node); null leaves it to the runtime (one per core in production). */
  readonly webConcurrency: number | null;
  /**
   * Whether the Node server runs the background jobs (refresh, webhook delivery, event purge, IMAP poller,
   * mask backfill) itself; false leaves them to `npm run jobs` and the server only serves HTTP.
   */
  readonly backgroundJobs: boolean;
  /** Who may read `/metrics` (Node): a bearer token, a port of its own, both, or neither (no `/metrics`). */
  readonly metrics: { readonly token: string | null; readonly port: number | null };
  readonly dataDir: string;
  /** Comma-separated Fernet keys; null in development means a generated key kept in `dataDir`. */
  readonly encryptionKey: string | null;
  readonly smtpAllowPrivateHosts: boolean;
  readonly smtpAllowedPorts: readonly number[];
  readonly outboundTimeoutMs: number;
  readonly lifecycle: LifecycleConfig;
  readonly imap: ImapPollConfig;
  readonly logLevel: LogLevel;
  readonly platforms: PlatformSettings;
  /** The exact redirect URIs an OAuth flow may return to, as configured. */
  readonly oauthRedirectUris: readonly string[];
  readonly jwt: JwtSettings | null;
  readonly corsOrigins: readonly string[];
  readonly rateLimits: RateLimitSettings;
  /** A header set by a trusted reverse proxy that carries the client's address; null means the socket's. */
  readonly clientAddressHeader: string | null;
  /** Signed event delivery (Standard Webhooks); no endpoints means no delivery job. */
  readonly webhooks: WebhookSettings;
  readonly outreach: {
    /** Emails one integration may send per UTC day; 0 is no cap. */
    readonly emailDailyLimit: number;
    /** The public origin for unsubscribe links; null sends email without them. */
    readonly publicBaseUrl: string | null;
    /** How long an attempt may stay in flight before its idempotency key may be tried again. */
    readonly attemptLeaseMs: number;
  };
  readonly events: {
    /** How long events stay readable through the pull API. */
    readonly retentionDays: number;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Reads the service's settings from environment-style variables, naming every problem at once. */
export function parseConfig(environment: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = EnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
    };
  }
  const env = parsed.data;
  return {
    ok: true,
    config: {
      environment: env.NODE_ENV,
      port: env.PORT,
      // Outside production, any caller may act as any user_id: only this machine may call by default.
      host: env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
      databaseUrl: env.DATABASE_URL ?? null,
      databasePoolSize: env.DATABASE_POOL_SIZE ?? null,
      webConcurrency: env.WEB_CONCURRENCY ?? null,
      backgroundJobs: env.BACKGROUND_JOBS,
      metrics: { token: env.METRICS_TOKEN ?? null, port: env.METRICS_PORT ?? null },
      dataDir: env.DATA_DIR,
      encryptionKey: env.ENCRYPTION_KEY ?? null,
      smtpAllowPrivateHosts: env.SMTP_ALLOW_PRIVATE_HOSTS,
      smtpAllowedPorts: env.SMTP_ALLOWED_PORTS,
      outboundTimeoutMs: env.OUTBOUND_TIMEOUT_MS,
      lifecycle: {
        enabled: env.REFRESH_ENABLED,
        intervalMs: env.REFRESH_INTERVAL_SECONDS * 1000,
        settings: {
          batchSize: env.REFRESH_BATCH_SIZE,
          leaseMs: leaseFor(env.OUTBOUND_TIMEOUT_MS),
          healthCheckIntervalMs: env.HEALTH_CHECK_INTERVAL_HOURS * 3_600_000,
          expiryWarningMs: env.EXPIRY_WARNING_HOURS * 3_600_000,
        },
      },
      imap: {
        enabled: env.IMAP_POLL_SECONDS > 0,
        settings: {
          intervalMs: env.IMAP_POLL_SECONDS * 1000,
          batchSize: IMAP_BATCH_SIZE,
          messagesPerRead: IMAP_MESSAGES_PER_READ,
          // A read is bounded by the timeout for the login and once more per message.
          leaseMs: Math.max(5 * 60_000, (IMAP_MESSAGES_PER_READ + 2) * env.OUTBOUND_TIMEOUT_MS),
        },
      },
      logLevel: env.LOG_LEVEL,
      platforms: {
        apps: {
          instagram:
            app(env, 'INSTAGRAM_CLIENT_ID', 'INSTAGRAM_CLIENT_SECRET') ??
            app(env, 'FACEBOOK_CLIENT_ID', 'FACEBOOK_CLIENT_SECRET'),
          facebook: app(env, 'FACEBOOK_CLIENT_ID', 'FACEBOOK_CLIENT_SECRET'),
          tiktok: app(env, 'TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET'),
          instagram_login: app(env, 'INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET'),
        },
        notConfigured: APP_VARIABLES,
        metaGraphUrl: env.META_GRAPH_URL,
        metaGraphVersion: env.META_GRAPH_VERSION,
        metaDialogUrl: env.META_DIALOG_URL,
        metaWebhookVerifyToken: env.META_WEBHOOK_VERIFY_TOKEN ?? null,
        metaAppSecrets: metaAppSecrets(env),
        tiktokAuthUrl: env.TIKTOK_AUTH_URL,
        tiktokApiUrl: env.TIKTOK_API_URL,
        instagramAuthUrl: env.INSTAGRAM_AUTH_URL,
        instagramApiUrl: env.INSTAGRAM_API_URL,
        instagramGraphUrl: env.INSTAGRAM_GRAPH_URL,
      },
      oauthRedirectUris: env.OAUTH_REDIRECT_URIS,
      jwt: jwtSettings(env),
      corsOrigins: env.CORS_ORIGINS,
      rateLimits: {
        perMinute: env.RATE_LIMIT_PER_MINUTE,
        outboundPerMinute: env.RATE_LIMIT_OUTBOUND_PER_MINUTE,
        store: env.RATE_LIMIT_STORE,
      },
      clientAddressHeader: env.CLIENT_ADDRESS_HEADER ?? null,
      webhooks: {
        endpoints: env.WEBHOOK_URLS,
        secrets: env.WEBHOOK_SECRET,
        retrySeconds: env.WEBHOOK_RETRY_SECONDS,
        timeoutMs: env.WEBHOOK_TIMEOUT_MS,
        allowPrivateHosts: env.WEBHOOK_ALLOW_PRIVATE_HOSTS,
      },
      outreach: {
        emailDailyLimit: env.OUTREACH_EMAIL_DAILY_LIMIT,
        publicBaseUrl: env.PUBLIC_BASE_URL ?? null,
        attemptLeaseMs: leaseFor(env.OUTBOUND_TIMEOUT_MS),
      },
      events: { retentionDays: env.EVENT_RETENTION_DAYS },
    },
  };
}
