import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleTokenMaskStore } from '../../src/adapters/persistence/drizzle-token-mask-store.js';
import { socialIntegrations } from '../../src/adapters/persistence/schema.js';
import { presentIntegration } from '../../src/application/integration-view.js';
import type { SecretCipher } from '../../src/application/ports/secret-cipher.js';
import type { TokenMaskStore } from '../../src/application/ports/token-mask-store.js';
import { backfillTokenMasks } from '../../src/application/use-cases/backfill-token-masks.js';
import { maskToken } from '../../src/domain/masking.js';
import type { Platform } from '../../src/domain/platform.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { emailDraft, instagramDraft } from '../support/integration-builders.js';

const ROWS = 40;
const BATCH = 7;

const drivers = await databaseDrivers();
const cipher = await FernetSecretCipher.fromKeyList(generateFernetKey());
const otherKey = await FernetSecretCipher.fromKeyList(generateFernetKey());

/** A cipher that fails the test on any decryption: listing must need none. */
const refusingToOpen: SecretCipher = {
  seal: (text) => cipher.seal(text),
  open: () => Promise.reject(new Error('listing decrypted a token')),
  isCurrent: (sealed) => cipher.isCurrent(sealed),
  reseal: (sealed) => cipher.reseal(sealed),
};

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`token mask backfill on ${driver.name}`, () => {
    let database: TestDatabase;
    let repository: DrizzleIntegrationRepository;
    let store: DrizzleTokenMaskStore;

    beforeAll(async () => {
      database = await driver.open();
      repository = new DrizzleIntegrationRepository(database.handle.db);
      store = new DrizzleTokenMaskStore(database.handle.db);
    });
    afterAll(() => database.dispose());
    beforeEach(() => database.handle.db.delete(socialIntegrations));

    /**
     * Rows as the Python service left them (tokens, no masks; TikTok ones with a refresh token), an email
     * row (no token), a row already masked and one sealed with a key the service lacks. Returns each
     * stored access token's plaintext by user.
     */
    async function seedUnmaskedRows(): Promise<Map<string, { access: string; refresh: string | null }>> {
      const tokens = new Map<string, { access: string; refresh: string | null }>();
      for (let index = 0; index < ROWS; index++) {
        const access = `EAAG-python-era-access-token-${index}`;
        const refresh = index % 2 === 0 ? `rft.python-era-refresh-${index}` : null;
        const { integration } = await repository.upsert(
          instagramDraft({
            platform: refresh === null ? 'instagram' : 'tiktok',
            accessToken: await cipher.seal(access),
            refreshToken: refresh === null ? null : await cipher.seal(refresh),
          }),
        );
        tokens.set(integration.userId, { access, refresh });
      }
      await repository.upsert(emailDraft({ smtpPassword: await cipher.seal('smtp-password') }));
      const masked = 'EAAG-already-masked-token-0001';
      const { integration } = await repository.upsert(
        instagramDraft({ accessToken: await cipher.seal(masked), accessTokenMask: maskToken(masked) }),
      );
      tokens.set(integration.userId, { access: masked, refresh: null });
      await repository.upsert(instagramDraft({ accessToken: await otherKey.seal('EAAG-unreadable-0001') }));
      return tokens;
    }

    const storedRows = () =>
      database.handle.db.select().from(socialIntegrations).orderBy(asc(socialIntegrations.id));

    it('stores every readable token’s mask in batches, after which listing decrypts nothing', async () => {
      const tokens = await seedUnmaskedRows();

      const report = await backfillTokenMasks({ tokenMasks: store, cipher })({ batchSize: BATCH });

      expect(report).toEqual({ rows: ROWS + 1, masked: ROWS, unreadable: 1, changed: 0 });
      for (const row of await storedRows()) {
        const plaintext = tokens.get(row.userId);
        if (plaintext === undefined) continue;
        expect(row.accessTokenMask).toBe(maskToken(plaintext.access));
        expect(row.refreshTokenMask).toBe(maskToken(plaintext.refresh));
        const [integration] = await repository.listByUser(row.userId);
        if (integration === undefined) throw new Error('row not listed');
        const view = await presentIntegration(integration, refusingToOpen, new Date());
        expect(view.accessToken).toBe(maskToken(plaintext.access));
        expect(view.refreshToken).toBe(maskToken(plaintext.refresh));
      }
      // Run again (the next start): only the row no key opens is still without a mask.
      expect(await backfillTokenMasks({ tokenMasks: store, cipher })({ batchSize: BATCH })).toEqual({
        rows: 1,
        masked: 0,
        unreadable: 1,
        changed: 0,
      });
    });

    it('resumes after a crash, reading again only the rows still without masks', async () => {
      await seedUnmaskedRows();
      let pages = 0;
      const crashing: TokenMaskStore = {
        pageUnmasked: (after, limit) => {
          pages += 1;
          if (pages === 3) return Promise.reject(new Error('the process died'));
          return store.pageUnmasked(after, limit);
        },
        writeMasks: (row, masks) => store.writeMasks(row, masks),
      };

      await expect(
        backfillTokenMasks({ tokenMasks: crashing, cipher })({ batchSize: BATCH }),
      ).rejects.toThrow('the process died');
      // Two batches were done: their readable rows (the unreadable one may be among them) have masks.
      const maskedBefore = (await storedRows()).filter(
        (row) => row.accessToken !== null && row.accessTokenMask !== null,
      ).length;
      expect([2 * BATCH, 2 * BATCH - 1]).toContain(maskedBefore - 1);
      const rerun = await backfillTokenMasks({ tokenMasks: store, cipher })({ batchSize: BATCH });

      // One row of the seed had its mask already.
      expect(rerun).toEqual({
        rows: ROWS + 2 - maskedBefore,
        masked: ROWS + 1 - maskedBefore,
        unreadable: 1,
        changed: 0,
      });
      const unmasked = (await storedRows()).filter(
        (row) => row.accessToken !== null && row.accessTokenMask === null,
      );
      expect(unmasked).toHaveLength(1);
    });

    it('leaves alone a row the service rewrote while the backfill read it', async () => {
      const tokens = await seedUnmaskedRows();
      // A row the backfill will write: not the one sealed under the other key, which it only counts.
      const rows = await storedRows();
      const stored = rows.find((row) => row.accessTokenMask === null && tokens.has(row.userId));
      if (stored === undefined) throw new Error('nothing readable unmasked');
      const first = { id: stored.id };
      let rewritten = false;
      const racing: TokenMaskStore = {
        pageUnmasked: (after, limit) => store.pageUnmasked(after, limit),
        writeMasks: async (row, masks) => {
          if (row.id === first.id && !rewritten) {
            rewritten = true;
            // The service saves a reconnected account's new token, with its mask, in between.
            await repository.upsert(
              instagramDraft({
                userId: stored.userId,
                platform: stored.platform as Platform,
                accessToken: await cipher.seal('act.reconnected-token-9999'),
                accessTokenMask: maskToken('act.reconnected-token-9999'),
                refreshToken: null,
              }),
            );
          }
          return store.writeMasks(row, masks);
        },
      };

      const report = await backfillTokenMasks({ tokenMasks: racing, cipher })({ batchSize: BATCH });

      expect(report).toMatchObject({ masked: ROWS - 1, unreadable: 1, changed: 1 });
      const [after] = (await storedRows()).filter((row) => row.id === first.id);
      expect(after?.accessTokenMask).toBe('****9999');
      expect(after?.refreshTokenMask).toBeNull();
    });
  });
}
