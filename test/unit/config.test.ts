import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const parsed = (environment: Record<string, string>) => {
  const result = parseConfig(environment);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
};

describe('parseConfig: platforms and OAuth', () => {
  it('defaults to the real endpoints and no apps', () => {
    expect(parsed({})).toMatchObject({
      platforms: {
        apps: { instagram: null, facebook: null, tiktok: null },
        metaGraphUrl: 'https://graph.facebook.com',
        metaGraphVersion: 'v25.0',
        metaDialogUrl: 'https://www.facebook.com',
        metaWebhookVerifyToken: null,
        tiktokAuthUrl: 'https://www.tiktok.com',
        tiktokApiUrl: 'https://open.tiktokapis.com',
      },
      oauthRedirectUris: [],
    });
  });

  it('reads META_WEBHOOK_VERIFY_TOKEN, treating an empty value as unset', () => {
    const facebook = { FACEBOOK_CLIENT_ID: 'fb-id', FACEBOOK_CLIENT_SECRET: 'fb-secret' };
    expect(
      parsed({ ...facebook, META_WEBHOOK_VERIFY_TOKEN: 'verify-me' }).platforms.metaWebhookVerifyToken,
    ).toBe('verify-me');
    expect(parsed({ META_WEBHOOK_VERIFY_TOKEN: '' }).platforms.metaWebhookVerifyToken).toBeNull();
  });

  it('refuses META_WEBHOOK_VERIFY_TOKEN without a Meta app secret to check deliveries with', () => {
    expect(parseConfig({ META_WEBHOOK_VERIFY_TOKEN: 'verify-me' })).toEqual({
      ok: false,
      problems: [
        'META_WEBHOOK_VERIFY_TOKEN needs the Meta app secret that signs the webhooks: set FACEBOOK_CLIENT_SECRET or INSTAGRAM_CLIENT_SECRET or INSTAGRAM_APP_SECRET with its app id',
      ],
    });
  });

  it('checks Meta signatures with every Meta app secret configured, each once', () => {
    const apps = {
      FACEBOOK_CLIENT_ID: 'fb-id',
      FACEBOOK_CLIENT_SECRET: 'shared-secret',
      INSTAGRAM_CLIENT_ID: 'ig-id',
      INSTAGRAM_CLIENT_SECRET: 'shared-secret',
      INSTAGRAM_APP_ID: 'ig-login-id',
      INSTAGRAM_APP_SECRET: 'ig-login-secret',
    };
    expect(parsed(apps).platforms.metaAppSecrets).toEqual(['shared-secret', 'ig-login-secret']);
    expect(parsed({}).platforms.metaAppSecrets).toEqual([]);
  });

  it('lets Instagram fall back to the Facebook app, and prefers its own', () => {
    const facebook = { FACEBOOK_CLIENT_ID: 'fb-id', FACEBOOK_CLIENT_SECRET: 'fb-secret' };

    expect(parsed(facebook).platforms.apps.instagram).toEqual({
      clientId: 'fb-id',
      clientSecret: 'fb-secret',
    });
    expect(
      parsed({ ...facebook, INSTAGRAM_CLIENT_ID: 'ig-id', INSTAGRAM_CLIENT_SECRET: 'ig-secret' }).platforms
        .apps,
    ).toEqual({
      instagram: { clientId: 'ig-id', clientSecret: 'ig-secret' },
      facebook: { clientId: 'fb-id', clientSecret: 'fb-secret' },
      tiktok: null,
      instagram_login: null,
    });
  });

  it('keeps redirect URIs exactly as written and strips trailing slashes from endpoints', () => {
    const config = parsed({
      OAUTH_REDIRECT_URIS: 'https://app.example.com/oauth/callback, http://localhost:3000/cb/',
      META_GRAPH_URL: 'http://127.0.0.1:4010/',
      META_GRAPH_VERSION: 'v26.0',
    });

    expect(config.oauthRedirectUris).toEqual([
      'https://app.example.com/oauth/callback',
      'http://localhost:3000/cb/',
    ]);
    expect(config.platforms.metaGraphUrl).toBe('http://127.0.0.1:4010');
    expect(config.platforms.metaGraphVersion).toBe('v26.0');
  });

  it('names every bad platform setting at once', () => {
    const result = parseConfig({
      FACEBOOK_CLIENT_ID: 'fb-id',
      TIKTOK_CLIENT_SECRET: 'tt-secret',
      OAUTH_REDIRECT_URIS:
        'http://app.example.com/cb,https://user:pw@app.example.com/cb,https://app.example.com/cb#x',
      META_GRAPH_URL: 'http://graph.example.com',
      META_GRAPH_VERSION: '25',
    });

    expect(result).toEqual({
      ok: false,
      problems: [
        'OAUTH_REDIRECT_URIS.0 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'OAUTH_REDIRECT_URIS.1 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'OAUTH_REDIRECT_URIS.2 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'META_GRAPH_URL must be an https URL (http only on localhost)',
        'META_GRAPH_VERSION must look like v25.0',
        'FACEBOOK_CLIENT_SECRET must be set together with FACEBOOK_CLIENT_ID',
        'TIKTOK_CLIENT_KEY must be set together with TIKTOK_CLIENT_SECRET',
      ],
    });
  });
});

describe('parseConfig: the refresh job', () => {
  it('runs in the server every 5 minutes by default, with leases that outlast the outbound timeout', () => {
    expect(parsed({}).lifecycle).toEqual({
      enabled: true,
      intervalMs: 300_000,
      settings: {
        batchSize: 25,
        leaseMs: 300_000,
        healthCheckIntervalMs: 86_400_000,
        expiryWarningMs: 72 * 3_600_000,
      },
    });
    expect(
      parsed({
        REFRESH_ENABLED: 'false',
        REFRESH_INTERVAL_SECONDS: '60',
        REFRESH_BATCH_SIZE: '100',
        HEALTH_CHECK_INTERVAL_HOURS: '6',
        OUTBOUND_TIMEOUT_MS: '20000',
        EXPIRY_WARNING_HOURS: '24',
      }).lifecycle,
    ).toEqual({
      enabled: false,
      intervalMs: 60_000,
      settings: {
        batchSize: 100,
        leaseMs: 600_000,
        healthCheckIntervalMs: 21_600_000,
        expiryWarningMs: 24 * 3_600_000,
      },
    });
  });

  it('names every bad refresh setting at once', () => {
    expect(
      parseConfig({
        REFRESH_ENABLED: 'sometimes',
        REFRESH_INTERVAL_SECONDS: '0',
        REFRESH_BATCH_SIZE: '2.5',
        HEALTH_CHECK_INTERVAL_HOURS: 'daily',
      }),
    ).toEqual({
      ok: false,
      problems: [
        'REFRESH_ENABLED must be true or false',
        'REFRESH_INTERVAL_SECONDS must be at least 1',
        'REFRESH_BATCH_SIZE must be a whole number',
        'HEALTH_CHECK_INTERVAL_HOURS must be a whole number',
      ],
    });
  });
});

describe('parseConfig: BACKGROUND_JOBS', () => {
  it('runs the background jobs in the server unless told otherwise', () => {
    expect(parsed({}).backgroundJobs).toBe(true);
    expect(parsed({ BACKGROUND_JOBS: '' }).backgroundJobs).toBe(true);
    expect(parsed({ BACKGROUND_JOBS: 'true' }).backgroundJobs).toBe(true);
    expect(parsed({ BACKGROUND_JOBS: '1' }).backgroundJobs).toBe(true);
    expect(parsed({ BACKGROUND_JOBS: 'false' }).backgroundJobs).toBe(false);
    expect(parsed({ BACKGROUND_JOBS: '0' }).backgroundJobs).toBe(false);
  });

  it('refuses anything but true or false', () => {
    expect(parseConfig({ BACKGROUND_JOBS: 'web' })).toEqual({
      ok: false,
      problems: ['BACKGROUND_JOBS must be true or false'],
    });
  });
});

const KEY = 'KkH6mhmIH7ZKz7lRZ3yjXgSeW9T9_kyOjwS_8_3yQ9s=';
const SECRET = 's'.repeat(32);

const problems = (env: Record<string, string>) => {
  const parsed = parseConfig(env);
  return parsed.ok ? [] : parsed.problems;
};

describe('where the server listens', () => {
  it('listens on this machine only outside production, where any caller can act as any user_id', () => {
    expect(parsed({})).toMatchObject({ host: '127.0.0.1', port: 8000 });
    expect(parsed({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(parsed({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY, AUTH_JWT_SECRET: SECRET }).host).toBe(
      '0.0.0.0',
    );
  });

  it('listens where HOST says, in development too', () => {
    expect(parsed({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(
      parsed({ HOST: '::1', NODE_ENV: 'production', ENCRYPTION_KEY: KEY, AUTH_JWT_SECRET: SECRET }).host,
    ).toBe('::1');
  });

  it('serves no /metrics unless METRICS_TOKEN or METRICS_PORT says who may read it', () => {
    expect(parsed({}).metrics).toEqual({ token: null, port: null });
    expect(parsed({ METRICS_TOKEN: 'a'.repeat(16), METRICS_PORT: '9464' }).metrics).toEqual({
      token: 'a'.repeat(16),
      port: 9464,
    });
    expect(parseConfig({ METRICS_TOKEN: 'short', METRICS_PORT: 'x' })).toEqual({
      ok: false,
      problems: [
        'METRICS_TOKEN must be at least 16 characters (openssl rand -hex 32 makes one)',
        'METRICS_PORT must be a port number',
      ],
    });
  });
});

describe('identity settings', () => {
  it('is development identity by user_id when no JWT setting is given', () => {
    expect(parsed({}).jwt).toBeNull();
  });

  it('reads an HS256 secret or a JWKS URL, with optional issuer and audience', () => {
    expect(parsed({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'https://auth.example.com/' }).jwt).toEqual({
      key: { secret: SECRET },
      issuer: 'https://auth.example.com/',
      audience: null,
      maxLifetimeSeconds: 86_400,
    });
    expect(
      parsed({ AUTH_JWKS_URL: 'https://auth.example.com/jwks.json', AUTH_JWT_AUDIENCE: 'api' }).jwt,
    ).toEqual({
      key: { jwksUrl: 'https://auth.example.com/jwks.json' },
      issuer: null,
      audience: 'api',
      maxLifetimeSeconds: 86_400,
    });
  });

  it('refuses to start in production without JWT settings unless told that user_id is enough', () => {
    expect(problems({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY })).toEqual([
      'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when NODE_ENV=production (ALLOW_INSECURE_USER_ID=true lets anyone act as any user_id)',
    ]);
    expect(problems({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY, ALLOW_INSECURE_USER_ID: 'true' })).toEqual(
      [],
    );
    expect(problems({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY, AUTH_JWT_SECRET: SECRET })).toEqual([]);
  });

  it('names every bad identity setting at once', () => {
    expect(
      problems({
        AUTH_JWT_SECRET: 'short',
        AUTH_JWKS_URL: 'http://auth.example.com/jwks.json',
      }),
    ).toEqual([
      'AUTH_JWT_SECRET must be at least 32 characters (256 bits) for HS256',
      'AUTH_JWKS_URL must be an https:// URL (http:// only on localhost)',
      'AUTH_JWKS_URL and AUTH_JWT_SECRET are both set; set only one',
    ]);
    expect(
      problems({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: 'https://auth.example.com/jwks.json' }),
    ).toEqual(['AUTH_JWKS_URL and AUTH_JWT_SECRET are both set; set only one']);
  });
});

describe('edge settings', () => {
  it('has safe defaults', () => {
    expect(parsed({})).toMatchObject({
      corsOrigins: [],
      rateLimits: { perMinute: 120, outboundPerMinute: 10, store: 'memory' },
      clientAddressHeader: null,
      smtpAllowedPorts: [25, 465, 587, 2525],
    });
  });

  it('reads exact CORS origins and refuses anything else', () => {
    expect(parsed({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(problems({ CORS_ORIGINS: '*,https://app.example.com/,null' })).toEqual([
      'CORS_ORIGINS.0 has "*", which is not an exact origin like https://app.example.com',
      'CORS_ORIGINS.1 has "https://app.example.com/", which is not an exact origin like https://app.example.com',
      'CORS_ORIGINS.2 has "null", which is not an exact origin like https://app.example.com',
    ]);
  });

  it('reads rate limits (0 turns them off), their store and the trusted client-address header', () => {
    expect(
      parsed({
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_OUTBOUND_PER_MINUTE: '3',
        RATE_LIMIT_STORE: 'database',
        CLIENT_ADDRESS_HEADER: 'X-Real-IP',
      }),
    ).toMatchObject({
      rateLimits: { perMinute: 0, outboundPerMinute: 3, store: 'database' },
      clientAddressHeader: 'x-real-ip',
    });
    expect(
      problems({ RATE_LIMIT_PER_MINUTE: '-1', RATE_LIMIT_STORE: 'redis', CLIENT_ADDRESS_HEADER: 'x y' }),
    ).toEqual([
      'RATE_LIMIT_PER_MINUTE must be 0 or more',
      'RATE_LIMIT_STORE Invalid option: expected one of "memory"|"database"',
      'CLIENT_ADDRESS_HEADER must be a header name such as X-Real-IP',
    ]);
  });

  it('leaves the database pool size to the runtime unless DATABASE_POOL_SIZE sets it', () => {
    expect(parsed({}).databasePoolSize).toBeNull();
    expect(parsed({ DATABASE_POOL_SIZE: '6' }).databasePoolSize).toBe(6);
    expect(problems({ DATABASE_POOL_SIZE: '0' })).toEqual(['DATABASE_POOL_SIZE must be at least 1']);
    expect(problems({ DATABASE_POOL_SIZE: 'many' })).toEqual(['DATABASE_POOL_SIZE must be a whole number']);
  });

  it('reads the SMTP port allowlist', () => {
    expect(parsed({ SMTP_ALLOWED_PORTS: '587, 2587' }).smtpAllowedPorts).toEqual([587, 2587]);
    expect(problems({ SMTP_ALLOWED_PORTS: '587,smtp' })).toHaveLength(1);
  });
});
