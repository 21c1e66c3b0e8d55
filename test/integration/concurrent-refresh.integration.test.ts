import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { createPlatformGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { openPostgres, type PostgresHandle } from '../../src/adapters/persistence/postgres.js';
import { toIntegration, toRow } from '../../src/adapters/persistence/row-mapping.js';
import { socialIntegrations } from '../../src/adapters/persistence/schema.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { dueTikTokDraft } from '../support/integration-builders.js';
import { exchange } from '../support/platform-exchange.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { createTestApp } from '../support/test-app.js';

const INTEGRATIONS = 1000;
const REFRESHERS = 4;
const _MINUTE = 60_000;
const postgresSkip = await postgresUnavailableReason();

describe.skipIf(postgresSkip !== null)('four refreshers at once on real PostgreSQL', () => {
  let fakes: PlatformFakes;
  let database: TestDatabase;
  let cipher: FernetSecretCipher;
  const key = generateFernetKey();
  const handles: PostgresHandle[] = [];

  beforeAll(async () => {
    fakes = await startPlatformFakes([]);
    fakes.tiktok.accessLifetimeSeconds = 7200;
    database = await postgresTestDatabase();
    cipher = await FernetSecretCipher.fromKeyList(key);
  });
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await database.dispose();
    await fakes.close();
  });

  /** One service instance: its own connection pool, store, gateways and job. */
  async function refresher() {
    const handle = openPostgres(database.url ?? '', { maxConnections: 5, connectTimeoutSeconds: 5 });
    handles.push(handle);
    const instance = await createTestApp(
      { handle, url: null, dispose: () => handle.close() },
      {
        keys: key,
        env: { REFRESH_BATCH_SIZE: '10', LOG_LEVEL: 'silent' },
        gateways: createPlatformGateways(fakes.settings, { exchange, clock: systemClock, timeoutMs: 10_000 }),
      },
    );
    return instance.jobs;
  }

  it('renews each of 1,000 due TikTok integrations exactly once and keeps every newest refresh token', async () => {
    const now = new Date();
    const seeded = await Promise.all(
      Array.from({ length: INTEGRATIONS }, async (_, index) => {
        const openId = `open-${index}`;
        const tokens = { openId, ...fakes.tiktok.issueTokens(openId) };
        return { ...tokens, row: toRow(await dueTikTokDraft(cipher, tokens, now)) };
      }),
    );
    await database.handle.db.insert(socialIntegrations).values(seeded.map((entry) => entry.row));

    const reports = await Promise.all(
      Array.from({ length: REFRESHERS }, async () => (await refresher()).refreshDueIntegrations()),
    );

    const grants = fakes.tiktok.server
      .requestsTo('token')
      .filter((request) => request.form.grant_type === 'refresh_token');
    expect(grants).toHaveLength(INTEGRATIONS);
    expect(new Set(grants.map((request) => request.form.refresh_token))).toEqual(
      new Set(seeded.map((entry) => entry.refreshToken)),
    );
    expect(reports.reduce((sum, report) => sum + report.renewed, 0)).toBe(INTEGRATIONS);
    for (const report of reports) {
      expect(report).toMatchObject({ lease_lost: 0, failed: 0, refused: 0, retrying: 0 });
    }
    // The work was shared, not done by one instance while the others found nothing.
    expect(reports.filter((report) => report.renewed > 0).length).toBeGreaterThanOrEqual(2);

    const rows = (await database.handle.db.select().from(socialIntegrations)).map(toIntegration);
    expect(rows).toHaveLength(INTEGRATIONS);
    const stored = await Promise.all(
      rows.map(async (row) => ({
        openId: row.accountId ?? '',
        status: row.connectionStatus,
        refreshToken: row.refreshToken === null ? null : await cipher.open(row.refreshToken),
      })),
    );
    const stale = stored.filter(
      (row) =>
        row.status !== 'connected' ||
        JSON.stringify(fakes.tiktok.liveRefreshTokens(row.openId)) !== JSON.stringify([row.refreshToken]),
    );
    expect(stale).toEqual([]);
  }, 120_000);
});
