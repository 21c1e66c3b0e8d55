import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { instagramDraft } from '../support/integration-builders.js';
import { type NpmProcess, runNpm } from '../support/npm-process.js';
import { freePort } from '../support/server-process.js';

// The deploy sequence docs/production.md gives, on a fresh clone of this repository's committed HEAD:
// install, build, drop the development dependencies, then start, migrate, make a key, run the jobs, refresh and rotate
// with production dependencies only (no TypeScript, no tsx). The install uses npm's cache where it can.
const repository = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL_MS = 300_000;
const COMMAND_MS = 60_000;

const postgresSkip = await postgresUnavailableReason();
let clone: string;
let database: TestDatabase;
let env: Record<string, string>;

const run = (command: string, args: readonly string[]) =>
  execFileSync(command, args, { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** `npm run -s <script>` in the clone to its end: exit code and everything it printed. */
async function npmRun(script: string, extraEnv: Record<string, string> = {}, args: readonly string[] = []) {
  const npm = runNpm(script, { ...env, ...extraEnv }, { cwd: clone, args });
  return { code: await npm.exited, output: npm.output() };
}

/**
 * `npm run <script>` in the clone until it prints `ready`, then `whileRunning`, then SIGTERM to npm's pid,
 * which must reach the process and stop it gracefully; it ran dist/ without compiling.
 */
async function runUntilSigterm(
  script: string,
  extraEnv: Record<string, string>,
  ready: string,
  whileRunning: (npm: NpmProcess) => Promise<void> = async () => {},
) {
  const npm = runNpm(script, { ...env, ...extraEnv }, { cwd: clone });
  try {
    await npm.waitFor(ready);
    await whileRunning(npm);
    process.kill(npm.pid, 'SIGTERM');
    expect(await npm.exited).toBe(0);
    expect(npm.output()).toContain('"msg":"shutting down"');
    expect(npm.output()).not.toContain('Compiling');
  } finally {
    npm.child.kill('SIGKILL');
  }
}

describe.skipIf(postgresSkip !== null)('a production install from a fresh clone', () => {
  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), 'social-integrations-clone-'));
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repository, encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', '--no-checkout', repository, clone]);
    run('git', ['checkout', '--quiet', head]);
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline']);
    run('npm', ['run', 'build']);
    run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund']);

    database = await postgresTestDatabase();
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url ?? '',
      ENCRYPTION_KEY: generateFernetKey(),
      AUTH_JWT_SECRET: 'a-production-signing-secret-of-32-chars',
      HOST: '127.0.0.1',
    };
  }, INSTALL_MS);
  afterAll(async () => {
    await database?.dispose();
    if (clone !== undefined) rmSync(clone, { recursive: true, force: true });
  });

  it('has no development dependency left', () => {
    for (const tool of ['tsc', 'tsx', 'vitest', 'biome']) {
      expect(existsSync(join(clone, 'node_modules', '.bin', tool))).toBe(false);
    }
  });

  it(
    'makes a key: npm run -s generate-key prints one Fernet key and nothing else',
    async () => {
      const { code, output } = await npmRun('generate-key');
      expect(code).toBe(0);
      // runNpm's npm run prints its header; the key is the last line, as $(npm run -s generate-key) sees it.
      expect(output.trim().split('\n').at(-1)).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      const silent = execFileSync('npm', ['run', '-s', 'generate-key'], { cwd: clone, encoding: 'utf8' });
      expect(silent).toMatch(/^[A-Za-z0-9_-]{43}=\n$/);
    },
    COMMAND_MS,
  );

  it(
    'migrates, and stores the masks of tokens a Python-era row holds without them',
    async () => {
      const first = await npmRun('db:migrate');
      expect(first.code).toBe(0);
      expect(first.output).toContain('Migrations applied to PostgreSQL at 127.0.0.1:');
      expect(first.output).not.toContain('Compiling');

      const cipher = await FernetSecretCipher.fromKeyList(env.ENCRYPTION_KEY ?? '');
      await new DrizzleIntegrationRepository(database.handle.db).upsert(
        instagramDraft({ accessToken: await cipher.seal('EAAG-python-era-token-7777') }),
      );
      const second = await npmRun('db:migrate');
      expect(second.code).toBe(0);
      expect(second.output).toContain('Stored the token masks of 1 integrations');
    },
    COMMAND_MS,
  );

  it(
    'starts from dist/ without compiling, serves, and stops on SIGTERM to npm',
    async () => {
      await runUntilSigterm('start', { PORT: String(await freePort()) }, '"msg":"listening"', async (npm) => {
        const url = /"url":"([^"]+)"/.exec(npm.output())?.[1];
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
      });
    },
    COMMAND_MS,
  );

  it(
    'runs the background jobs without HTTP (npm run jobs) and stops on SIGTERM to npm',
    async () => {
      await runUntilSigterm('jobs', {}, '"msg":"background jobs started"');
    },
    COMMAND_MS,
  );

  it(
    'refreshes, rotates keys and re-queues failed webhook deliveries',
    async () => {
      const refresh = await npmRun('refresh');
      expect(refresh.code).toBe(0);
      expect(refresh.output).toContain('"msg":"refresh run finished"');

      const rotate = await npmRun('rotate-keys', {
        ENCRYPTION_KEY: `${generateFernetKey()},${env.ENCRYPTION_KEY}`,
      });
      expect(rotate.code).toBe(0);
      expect(rotate.output).toMatch(/Done in \d+\.\d s: 1 rows read, 1 secrets re-encrypted/);

      const redeliver = await npmRun('redeliver', {}, ['--since', '2026-01-01T00:00:00Z']);
      expect(redeliver.code).toBe(0);
      expect(redeliver.output).toContain('0 failed deliveries of events since 2026-01-01T00:00:00.000Z');
      const refused = await npmRun('redeliver', {}, ['--since', 'yesterday']);
      expect([refused.code, refused.output]).toEqual([
        1,
        expect.stringContaining('--since must be an ISO time'),
      ]);
    },
    COMMAND_MS,
  );
});
