import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { migrateDatabase } from '../../src/adapters/persistence/migrate.js';
import { openPostgres } from '../../src/adapters/persistence/postgres.js';
import { toRow } from '../../src/adapters/persistence/row-mapping.js';
import { socialIntegrations } from '../../src/adapters/persistence/schema.js';
import { sealToken } from '../../src/application/sealed-token.js';
import type { IntegrationDraft } from '../../src/domain/integration.js';

/** The bench's users are named 1…N, so pgbench (integer variables only) can pick them as the service sees them. */
export const benchUserId = (index: number) => String(index);

/**
 * Drops and recreates the bench database, so every run starts from the same state. Only a database whose
 * name starts with `bench` is ever dropped: pointing BENCH_DATABASE_URL at anything else is refused.
 */
export async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^bench[A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`Refusing to recreate database "${name}": the bench only drops databases named bench*`);
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

const token = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Where the seeded accounts send: each Page's token (as the fake Meta minted it) and the SMTP sink. */
export interface SendTargets {
  pageToken(pageId: string, platform: 'facebook' | 'instagram'): string;
  readonly smtp: { readonly host: string; readonly port: number };
}

/** The Facebook Page of a bench user (Instagram sends through it too). */
export const benchPageId = (userId: string) => `1000${userId.padStart(11, '0')}`;

/** One user's four integrations as the service stores them after connecting each, secrets sealed. */
async function userDrafts(
  userId: string,
  cipher: FernetSecretCipher,
  now: Date,
  targets: SendTargets,
): Promise<IntegrationDraft[]> {
  const pageId = benchPageId(userId);
  // TikTok's access and refresh tokens are ~70 characters.
  const [instagramToken, facebookToken, tiktokAccess, tiktokRefresh] = await Promise.all([
    sealToken(cipher, targets.pageToken(pageId, 'instagram')),
    sealToken(cipher, targets.pageToken(pageId, 'facebook')),
    sealToken(cipher, token('act.', 50)),
    sealToken(cipher, token('rft.', 50)),
  ]);
  const smtpPassword = await cipher.seal(token('', 12));
  const common = {
    userId,
    connectionStatus: 'connected',
    statusDetail: null,
    refreshToken: null,
    accessTokenMask: null,
    refreshTokenMask: null,
    tokenExpiresAt: null,
    tokenIssuedAt: now,
    lastVerifiedAt: now,
    smtp: null,
    smtpPassword: null,
    imap: null,
    imapPassword: null,
    metadata: {},
  } as const;
  return [
    {
      ...common,
      platform: 'instagram',
      loginType: 'facebook',
      scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
      accountId: `1784${userId.padStart(13, '0')}`,
      pageId,
      businessId: null,
      metaUserId: null,
      accessToken: instagramToken.sealed,
      accessTokenMask: instagramToken.mask,
    },
    {
      ...common,
      platform: 'facebook',
      loginType: 'facebook',
      scopesGranted: ['pages_messaging', 'pages_show_list'],
      accountId: pageId,
      pageId,
      businessId: null,
      metaUserId: null,
      accessToken: facebookToken.sealed,
      accessTokenMask: facebookToken.mask,
    },
    {
      ...common,
      platform: 'tiktok',
      loginType: null,
      scopesGranted: ['user.info.basic'],
      accountId: `-000${userId}`,
      pageId: null,
      businessId: null,
      metaUserId: null,
      accessToken: tiktokAccess.sealed,
      accessTokenMask: tiktokAccess.mask,
      refreshToken: tiktokRefresh.sealed,
      refreshTokenMask: tiktokRefresh.mask,
      tokenExpiresAt: new Date(now.getTime() + 86_400_000),
    },
    {
      ...common,
      platform: 'email',
      loginType: null,
      scopesGranted: [],
      accountId: null,
      pageId: null,
      businessId: null,
      metaUserId: null,
      accessToken: null,
      smtp: {
        emailAddress: `user${userId}@example.com`,
        host: targets.smtp.host,
        port: targets.smtp.port,
        username: `user${userId}@example.com`,
      },
      smtpPassword,
    },
  ];
}

const ROWS_PER_INSERT = 2000;

/**
 * Migrates the database and stores `users` users with all four platforms, through the repository's own
 * row mapping, their Meta and email accounts sending to `targets`. Rows were checked recently (next check in a day), so the in-server refresher, which
 * production runs, has nothing to do during the measurement.
 */
export async function seedDatabase(
  url: string,
  users: number,
  cipher: FernetSecretCipher,
  targets: SendTargets,
): Promise<void> {
  const handle = openPostgres(url, { maxConnections: 4, connectTimeoutSeconds: 5 });
  try {
    await migrateDatabase(handle);
    const db = drizzle(handle.sql);
    const now = new Date();
    const nextCheckAt = new Date(now.getTime() + 86_400_000);
    const pending: Promise<unknown>[] = [];
    let batch: (typeof socialIntegrations.$inferInsert)[] = [];
    for (let index = 1; index <= users; index += 1) {
      for (const draft of await userDrafts(benchUserId(index), cipher, now, targets)) {
        batch.push({ ...toRow(draft), nextCheckAt });
      }
      if (batch.length >= ROWS_PER_INSERT || index === users) {
        pending.push(db.insert(socialIntegrations).values(batch));
        batch = [];
      }
    }
    await Promise.all(pending);
    await handle.sql`vacuum analyze social_integrations`;
  } finally {
    await handle.close();
  }
}
