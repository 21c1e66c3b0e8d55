import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { migrateDatabase } from '../../src/adapters/persistence/migrate.js';
import { openPglite } from '../../src/adapters/persistence/pglite.js';
import type { Integration } from '../../src/domain/integration.js';
import { dueTikTokDraft } from '../support/integration-builders.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { failedStart, runCommand, startServer } from '../support/server-process.js';

const KEY_A = generateFernetKey();
const KEY_B = generateFernetKey();

// Each test starts processes that open an embedded database, which is slow on a busy machine.
const PROCESS_TEST_MS = 90_000;

let fakes: PlatformFakes;
let workDir: string;
let template: string;

beforeAll(async () => {
  fakes = await startPlatformFakes([]);
  workDir = mkdtempSync(join(tmpdir(), 'social-integrations-lifecycle-e2e-'));
  // Creating an embedded database takes seconds; every test copies this migrated one instead.
  template = join(workDir, 'template');
  mkdirSync(template);
  const handle = await openPglite(join(template, 'pglite'));
  await migrateDatabase(handle);
  await handle.close();
}, 120_000);
afterAll(async () => {
  await fakes.close();
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * A fresh data directory whose embedded database holds `count` TikTok integrations sealed with `key`,
 * their access tokens 20 minutes from expiry (so due for renewal). The database is closed again, so a
 * server or command can open it.
 */
async function dataDirWith(key: string, count: number) {
  const dataDir = mkdtempSync(join(workDir, 'data-'));
  cpSync(template, dataDir, { recursive: true });
  const handle = await openPglite(join(dataDir, 'pglite'));
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const repository = new DrizzleIntegrationRepository(handle.db);
  const seeded: { openId: string; accessToken: string; refreshToken: string }[] = [];
  for (let index = 0; index < count; index++) {
    const openId = `open-${index}-${Date.now()}`;
    const tokens = { openId, ...fakes.tiktok.issueTokens(openId) };
    await repository.upsert(await dueTikTokDraft(cipher, tokens, new Date()));
    seeded.push(tokens);
  }
  await handle.close();
  return { dataDir, seeded };
}

async function storedIntegrations(dataDir: string): Promise<Integration[]> {
  const handle = await openPglite(join(dataDir, 'pglite'));
  try {
    const { rows } = await handle.client.query<{ user_id: string }>(
      'select user_id from social_integrations',
    );
    const repository = new DrizzleIntegrationRepository(handle.db);
    return (await Promise.all(rows.map((row) => repository.listByUser(row.user_id)))).flat();
  } finally {
    await handle.close();
  }
}

const refreshGrants = () =>
  fakes.tiktok.server.requestsTo('token').filter((request) => request.form.grant_type === 'refresh_token');

const jsonLines = (output: string) =>
  output
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('start-up and stored secrets', () => {
  it(
    'refuses with one line when stored secrets need a key ENCRYPTION_KEY lacks, and starts with new,old',
    async () => {
      const { dataDir } = await dataDirWith(KEY_A, 3);

      const { code, output } = await failedStart({ DATA_DIR: dataDir, ENCRYPTION_KEY: KEY_B });

      expect(code).toBe(1);
      expect(output.trim().split('\n')).toHaveLength(1);
      expect(output.trim()).toBe(
        `Stored secrets in embedded PGlite database in ${join(dataDir, 'pglite')} were encrypted with a key that ENCRYPTION_KEY lacks (3 of 3 sampled rows unreadable): add that key after the new one (ENCRYPTION_KEY=new,old), then run npm run rotate-keys.`,
      );
      expect(output).not.toContain(KEY_A);
      expect(output).not.toContain(KEY_B);

      const server = await startServer({
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: `${KEY_B},${KEY_A}`,
        REFRESH_ENABLED: 'false',
      });
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
      expect(server.output()).toContain('background refresh is off (REFRESH_ENABLED=false)');
      expect(await server.stop()).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'npm run rotate-keys moves every secret to the first key with progress, after which the old key can go',
    async () => {
      const { dataDir } = await dataDirWith(KEY_A, 25);
      const env = { DATA_DIR: dataDir, ENCRYPTION_KEY: `${KEY_B},${KEY_A}` };

      const first = await runCommand('rotate-keys', ['--batch-size', '10'], env);
      const lines = first.output.trim().split('\n');

      expect(first.code).toBe(0);
      expect(lines[0]).toBe(
        `Re-encrypting every stored secret in embedded PGlite database in ${join(dataDir, 'pglite')} with the first key, 10 rows a batch.`,
      );
      expect(lines.slice(1, 6)).toEqual([
        'social_integrations: 10 rows read, 20 secrets re-encrypted, 0 already current, 0 unreadable, 0 kept changing',
        'social_integrations: 20 rows read, 40 secrets re-encrypted, 0 already current, 0 unreadable, 0 kept changing',
        'social_integrations: 25 rows read, 50 secrets re-encrypted, 0 already current, 0 unreadable, 0 kept changing',
        // Rows stored without token masks (as the Python service left them) get them on the way.
        'Stored the token masks of 25 integrations',
        expect.stringMatching(
          /^Done in \d+\.\d s: 25 rows read, 50 secrets re-encrypted, 0 already current, 0 unreadable, 0 kept changing\.$/,
        ),
      ]);
      expect(lines[6]).toBe(
        'Every secret opens with the first key: older keys can now be removed from ENCRYPTION_KEY.',
      );
      expect(first.output).not.toContain(KEY_A);

      const rerun = await runCommand('rotate-keys', [], env);
      expect(rerun.code).toBe(0);
      expect(rerun.output).toMatch(
        /: 25 rows read, 0 secrets re-encrypted, 50 already current, 0 unreadable/,
      );

      const server = await startServer({
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: KEY_B,
        REFRESH_ENABLED: 'false',
      });
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'npm run rotate-keys exits 1 and keeps the old key needed when a secret is unreadable',
    async () => {
      const { dataDir } = await dataDirWith(KEY_A, 2);

      const { code, output } = await runCommand('rotate-keys', [], {
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: KEY_B,
      });

      expect(code).toBe(1);
      expect(output).toMatch(/: 2 rows read, 0 secrets re-encrypted, 0 already current, 4 unreadable/);
      expect(output).toContain('Keep the older keys: some secrets are not on the first key yet.');
    },
    PROCESS_TEST_MS,
  );
});

describe('refreshing from cron and in the background', () => {
  it(
    'npm run refresh renews each due token once and reports the counts',
    async () => {
      const { dataDir, seeded } = await dataDirWith(KEY_A, 3);
      const env = { DATA_DIR: dataDir, ENCRYPTION_KEY: KEY_A, ...fakes.environment };
      const before = refreshGrants().length;

      const first = await runCommand('refresh', [], env);

      expect(first.code).toBe(0);
      expect(jsonLines(first.output).find((line) => line.msg === 'refresh run finished')).toMatchObject({
        renewed: 3,
        retrying: 0,
        refused: 0,
        failed: 0,
      });
      expect(
        refreshGrants()
          .slice(before)
          .map((request) => request.form.refresh_token)
          .sort(),
      ).toEqual(seeded.map((entry) => entry.refreshToken).sort());
      const cipher = await FernetSecretCipher.fromKeyList(KEY_A);
      for (const integration of await storedIntegrations(dataDir)) {
        expect([await cipher.open(integration.refreshToken ?? ('' as never))]).toEqual(
          fakes.tiktok.liveRefreshTokens(integration.accountId ?? ''),
        );
      }
      for (const entry of seeded) expect(first.output).not.toContain(entry.refreshToken);

      const second = await runCommand('refresh', [], env);
      expect(jsonLines(second.output).find((line) => line.msg === 'refresh run finished')).toMatchObject({
        renewed: 0,
      });
      expect(refreshGrants().length - before).toBe(3);
    },
    PROCESS_TEST_MS,
  );

  it(
    'renews in the server on its interval; SIGTERM lets a renewal in flight finish and save',
    async () => {
      const { dataDir, seeded } = await dataDirWith(KEY_A, 1);
      const [entry] = seeded;
      const before = refreshGrants().length;
      fakes.tiktok.fail('token', { kind: 'slow', ms: 2000 });
      const server = await startServer({
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: KEY_A,
        REFRESH_INTERVAL_SECONDS: '1',
        ...fakes.environment,
      });

      const deadline = Date.now() + 15_000;
      while (refreshGrants().length === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // TikTok has the old refresh token and is about to answer with a new one: stop now.
      expect(await server.stop()).toBe(0);
      fakes.tiktok.heal();

      expect(
        refreshGrants()
          .slice(before)
          .map((request) => request.form.refresh_token),
      ).toEqual([entry?.refreshToken]);
      expect(jsonLines(server.output()).find((line) => line.msg === 'refresh run')).toMatchObject({
        renewed: 1,
      });
      const [stored] = await storedIntegrations(dataDir);
      const cipher = await FernetSecretCipher.fromKeyList(KEY_A);
      expect([await cipher.open(stored?.refreshToken ?? ('' as never))]).toEqual(
        fakes.tiktok.liveRefreshTokens(entry?.openId ?? ''),
      );
    },
    PROCESS_TEST_MS,
  );
});
