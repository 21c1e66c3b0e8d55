import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleOAuthStateStore } from '../../src/adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleSealedSecretStore } from '../../src/adapters/persistence/drizzle-sealed-secret-store.js';
import { oauthStates, socialIntegrations } from '../../src/adapters/persistence/schema.js';
import type { SealedRow, SealedSecretStore } from '../../src/application/ports/sealed-secret-store.js';
import type { SecretCipher } from '../../src/application/ports/secret-cipher.js';
import { checkEncryptionKeys } from '../../src/application/use-cases/check-encryption-keys.js';
import { rotateSecrets } from '../../src/application/use-cases/rotate-secrets.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { readFernetFixture } from '../support/fernet-fixtures.js';
import { emailDraft, instagramDraft } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';

interface Interop {
  readonly cases: { key_name: string; binary: boolean; plaintext: string | null; token: string }[];
  readonly multifernet: {
    keys: { A_old: string; B_new: string };
    plaintext: string;
    token_by_A: string;
    token_by_C: string;
  };
}

const interop = readFernetFixture<Interop>('python-interop.json');
const { A_old: KEY_A, B_new: KEY_B } = interop.multifernet.keys;
// Tokens Python's cryptography sealed with key A, as the earlier Python service stored them.
const PYTHON_TOKENS = [
  ...interop.cases
    .filter((entry) => entry.key_name === 'A' && !entry.binary)
    .map((entry) => ({ token: entry.token as EncryptedSecret, plaintext: entry.plaintext ?? '' })),
  { token: interop.multifernet.token_by_A as EncryptedSecret, plaintext: interop.multifernet.plaintext },
];
const ROWS = 120;
const BATCH = 25;

const drivers = await databaseDrivers();
const ciphers = {
  a: await FernetSecretCipher.fromKeyList(KEY_A),
  ba: await FernetSecretCipher.fromKeyList(`${KEY_B},${KEY_A}`),
  b: await FernetSecretCipher.fromKeyList(KEY_B),
};

/** Every stored secret by `table/key/column`. */
type Secrets = Map<string, EncryptedSecret>;

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`key rotation on ${driver.name}`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await driver.open();
    });
    afterAll(() => database.dispose());
    beforeEach(async () => {
      await database.handle.db.delete(socialIntegrations);
      await database.handle.db.delete(oauthStates);
    });

    // The two key jobs bound as the composition binds them, on a store a test may replace.
    const jobs = (cipher: SecretCipher, sealedSecrets: SealedSecretStore = realStore()) => ({
      rotateSecrets: rotateSecrets({ sealedSecrets, cipher }),
      checkEncryptionKeys: checkEncryptionKeys({ sealedSecrets, cipher }),
    });
    const realStore = () => new DrizzleSealedSecretStore(database.handle.db);

    /** Rows written with key A: Python-made tokens first, then TikTok, email and Meta rows sealed here, and a sign-in in flight. */
    async function seedWithKeyA(): Promise<Map<string, string>> {
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      const seal = (text: string) => ciphers.a.seal(text);
      for (let index = 0; index < ROWS; index++) {
        const python = PYTHON_TOKENS[index];
        const kind = index % 3;
        await repository.upsert(
          python !== undefined
            ? instagramDraft({ accessToken: python.token })
            : kind === 0
              ? instagramDraft({
                  platform: 'tiktok',
                  accessToken: await seal(`act.access-${index}`),
                  refreshToken: await seal(`rft.refresh-${index}`),
                })
              : kind === 1
                ? emailDraft({ smtpPassword: await seal(`password-${index}`) })
                : instagramDraft({ accessToken: await seal(`EAAG-page-${index}`) }),
        );
      }
      await new DrizzleOAuthStateStore(database.handle.db).save({
        stateHash: 'a'.repeat(64),
        userId: 'user-signing-in',
        platform: 'tiktok',
        loginType: null,
        redirectUri: 'https://app.example.com/cb',
        codeVerifier: await seal('pkce-verifier-in-flight'),
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 600_000),
      });
      return openAll(await storedSecrets(), ciphers.a);
    }

    async function storedSecrets(): Promise<Secrets> {
      const secrets: Secrets = new Map();
      const integrations = await database.handle.db.select().from(socialIntegrations);
      for (const row of integrations) {
        for (const column of ['accessToken', 'refreshToken', 'smtpPassword'] as const) {
          const value = row[column];
          if (value !== null)
            secrets.set(`social_integrations/${row.id}/${column}`, value as EncryptedSecret);
        }
      }
      for (const row of await database.handle.db.select().from(oauthStates)) {
        if (row.codeVerifier !== null) {
          secrets.set(`oauth_states/${row.stateHash}/codeVerifier`, row.codeVerifier as EncryptedSecret);
        }
      }
      return secrets;
    }

    /** What each secret opens to with `cipher`, or UNREADABLE. */
    async function openAll(secrets: Secrets, cipher: SecretCipher): Promise<Map<string, string>> {
      const opened = new Map<string, string>();
      for (const [where, sealed] of secrets) {
        opened.set(where, await cipher.open(sealed).catch(() => 'UNREADABLE'));
      }
      return opened;
    }

    const timestampOf = (token: string) =>
      Buffer.from(token, 'base64url').subarray(1, 9).readBigUInt64BE().toString();

    it('rotates rows written with key A (Python-made included) to B: readable with B,A before, B alone after', async () => {
      const plaintexts = await seedWithKeyA();
      const before = await storedSecrets();
      const total = before.size;
      expect(total).toBeGreaterThan(ROWS);
      expect([...plaintexts.values()]).not.toContain('UNREADABLE');
      expect(plaintexts.get([...before.keys()][0] ?? '')).toBe(PYTHON_TOKENS[0]?.plaintext);

      expect(await openAll(before, ciphers.ba)).toEqual(plaintexts);
      expect(new Set((await openAll(before, ciphers.b)).values())).toEqual(new Set(['UNREADABLE']));

      const progress: string[] = [];
      const report = await jobs(ciphers.ba).rotateSecrets({
        batchSize: BATCH,
        onProgress: (step) => progress.push(`${step.table}:${step.rows}`),
      });

      expect(report).toEqual({
        tables: {
          social_integrations: { rows: ROWS, resealed: total - 1, current: 0, unreadable: 0, unsettled: 0 },
          oauth_states: { rows: 1, resealed: 1, current: 0, unreadable: 0, unsettled: 0 },
        },
        total: { rows: ROWS + 1, resealed: total, current: 0, unreadable: 0, unsettled: 0 },
        complete: true,
      });
      expect(progress).toEqual([
        'social_integrations:25',
        'social_integrations:50',
        'social_integrations:75',
        'social_integrations:100',
        'social_integrations:120',
        'oauth_states:1',
      ]);

      const after = await storedSecrets();
      expect(await openAll(after, ciphers.b)).toEqual(plaintexts);
      expect(new Set((await openAll(after, ciphers.a)).values())).toEqual(new Set(['UNREADABLE']));
      // Like MultiFernet.rotate, the token keeps its original timestamp.
      for (const [where, sealed] of before)
        expect(timestampOf(after.get(where) ?? '')).toBe(timestampOf(sealed));

      const again = await jobs(ciphers.b).rotateSecrets({ batchSize: BATCH });
      expect(again.total).toEqual({
        rows: ROWS + 1,
        resealed: 0,
        current: total,
        unreadable: 0,
        unsettled: 0,
      });
      expect(await jobs(ciphers.b).checkEncryptionKeys(20)).toMatchObject({
        unreadableRows: 0,
        keyMissing: false,
      });

      const served = await createTestApp(database, { keys: KEY_B });
      const [first] = await database.handle.db.select().from(socialIntegrations).limit(1);
      const list = await (await served.app.request(`/api/integrations?user_id=${first?.userId}`)).json();
      expect(list[0].connection_status).toBe('connected');
    });

    it('loses nothing when it crashes half way, and a rerun finishes the rest', async () => {
      const plaintexts = await seedWithKeyA();
      const total = plaintexts.size;
      let writes = 0;
      const sent: Promise<unknown>[] = [];
      const crashing: SealedSecretStore = Object.assign(Object.create(realStore()) as SealedSecretStore, {
        replace(row: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>) {
          writes += 1;
          if (writes > 60) return Promise.reject(new Error('killed half way'));
          const write = realStore().replace(row, replacements);
          sent.push(write);
          return write;
        },
      });

      await expect(jobs(ciphers.ba, crashing).rotateSecrets({ batchSize: BATCH })).rejects.toThrow(
        'killed half way',
      );
      // A killed process writes nothing more; here the writes it had already sent finish first.
      await Promise.allSettled(sent);

      const halfway = await storedSecrets();
      expect(await openAll(halfway, ciphers.ba)).toEqual(plaintexts);
      const onB = [...(await openAll(halfway, ciphers.b)).values()].filter((text) => text !== 'UNREADABLE');
      expect(onB.length).toBeGreaterThan(0);
      expect(onB.length).toBeLessThan(total);

      const rerun = await jobs(ciphers.ba).rotateSecrets({ batchSize: BATCH });

      expect(rerun.complete).toBe(true);
      expect(rerun.total).toEqual({
        rows: ROWS + 1,
        resealed: total - onB.length,
        current: onB.length,
        unreadable: 0,
        unsettled: 0,
      });
      expect(await openAll(await storedSecrets(), ciphers.b)).toEqual(plaintexts);
    });

    it('never overwrites a secret the service wrote meanwhile', async () => {
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      const { integration } = await repository.upsert(
        instagramDraft({
          platform: 'tiktok',
          accessToken: await ciphers.a.seal('act.old'),
          refreshToken: await ciphers.a.seal('rft.old'),
        }),
      );
      let interfered = false;
      const racing: SealedSecretStore = Object.assign(Object.create(realStore()) as SealedSecretStore, {
        async replace(row: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>) {
          if (!interfered) {
            interfered = true;
            // A refresh saves new tokens (sealed with the newest key) between rotation's read and write.
            await repository.upsert(
              instagramDraft({
                userId: integration.userId,
                platform: 'tiktok',
                accessToken: await ciphers.ba.seal('act.renewed'),
                refreshToken: await ciphers.ba.seal('rft.renewed'),
              }),
            );
          }
          return realStore().replace(row, replacements);
        },
      });

      const report = await jobs(ciphers.ba, racing).rotateSecrets({ batchSize: BATCH });

      expect(report.total).toEqual({ rows: 1, resealed: 0, current: 2, unreadable: 0, unsettled: 0 });
      const stored = await repository.find(integration.userId, 'tiktok');
      expect(await ciphers.b.open(stored?.accessToken as EncryptedSecret)).toBe('act.renewed');
      expect(await ciphers.b.open(stored?.refreshToken as EncryptedSecret)).toBe('rft.renewed');
    });

    it('leaves secrets no configured key opens as they are, and says the rotation is incomplete', async () => {
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      await repository.upsert(
        instagramDraft({ accessToken: interop.multifernet.token_by_C as EncryptedSecret }),
      );
      await repository.upsert(instagramDraft({ accessToken: await ciphers.a.seal('EAAG-readable') }));

      const report = await jobs(ciphers.ba).rotateSecrets({ batchSize: BATCH });

      expect(report).toMatchObject({
        total: { rows: 2, resealed: 1, current: 0, unreadable: 1, unsettled: 0 },
        complete: false,
      });
      expect([...(await storedSecrets()).values()]).toContain(interop.multifernet.token_by_C);
    });

    describe('the start-up key check', () => {
      it('finds secrets sealed with a key that is not configured, from a small sample', async () => {
        await seedWithKeyA();

        expect(await jobs(ciphers.b).checkEncryptionKeys(20)).toEqual({
          sampledRows: 21,
          unreadableRows: 21,
          keyMissing: true,
        });
        expect(await jobs(ciphers.ba).checkEncryptionKeys(20)).toEqual({
          sampledRows: 21,
          unreadableRows: 0,
          keyMissing: false,
        });
      });

      it('takes one damaged row among readable ones for damage, not a missing key', async () => {
        const repository = new DrizzleIntegrationRepository(database.handle.db);
        for (let index = 0; index < 5; index++) {
          await repository.upsert(instagramDraft({ accessToken: await ciphers.b.seal(`EAAG-${index}`) }));
        }
        const tampered = await ciphers.b.seal('EAAG-tampered');
        await repository.upsert(
          instagramDraft({ accessToken: `${tampered.slice(0, -6)}AAAAA=` as EncryptedSecret }),
        );

        expect(await jobs(ciphers.b).checkEncryptionKeys(20)).toEqual({
          sampledRows: 6,
          unreadableRows: 1,
          keyMissing: false,
        });
        expect(await jobs(ciphers.a).checkEncryptionKeys(20)).toMatchObject({ keyMissing: true });
      });

      it('passes an empty database', async () => {
        expect(await jobs(ciphers.b).checkEncryptionKeys(20)).toEqual({
          sampledRows: 0,
          unreadableRows: 0,
          keyMissing: false,
        });
      });
    });
  });
}
