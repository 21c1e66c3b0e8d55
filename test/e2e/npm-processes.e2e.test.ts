import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { migrateDatabase } from '../../src/adapters/persistence/migrate.js';
import { openPglite } from '../../src/adapters/persistence/pglite.js';
import { socialIntegrations } from '../../src/adapters/persistence/schema.js';
import { pgliteRunsNoJobsProcess } from '../../src/runtime/collisions.js';
import { dueTikTokDraft } from '../support/integration-builders.js';
import { descendants, isAlive, type NpmProcess, runNpm } from '../support/npm-process.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { freePort } from '../support/server-process.js';

// What a process manager or container does to the process it started: SIGTERM to npm's own pid.
// npm passes the signal to its script's shell, which passes it to nobody; `exec` in the scripts makes
// the service that shell. Everything started must be gone within 10 s, with the work in hand saved.
const KEY = generateFernetKey();
const STOP_WITHIN_MS = 10_000;
const PROCESS_TEST_MS = 120_000;

let fakes: PlatformFakes;
let workDir: string;
let template: string;

beforeAll(async () => {
  // npm start and the commands run dist/; build it now so no test's timing includes a compile.
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' });
  fakes = await startPlatformFakes([]);
  workDir = mkdtempSync(join(tmpdir(), 'social-integrations-signals-e2e-'));
  template = join(workDir, 'template');
  mkdirSync(template);
  const handle = await openPglite(join(template, 'pglite'));
  await migrateDatabase(handle);
  await handle.close();
}, 180_000);
afterAll(async () => {
  await fakes.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** A data directory whose database holds one TikTok integration due for renewal, and its tokens. */
async function dataDirWithDueRenewal() {
  const dataDir = mkdtempSync(join(workDir, 'data-'));
  cpSync(template, dataDir, { recursive: true });
  const handle = await openPglite(join(dataDir, 'pglite'));
  const openId = `open-${Date.now()}`;
  const tokens = { openId, ...fakes.tiktok.issueTokens(openId) };
  await new DrizzleIntegrationRepository(handle.db).upsert(
    await dueTikTokDraft(await FernetSecretCipher.fromKeyList(KEY), tokens, new Date()),
  );
  await handle.close();
  return { dataDir, tokens };
}

async function storedRefreshToken(dataDir: string): Promise<string> {
  const handle = await openPglite(join(dataDir, 'pglite'));
  try {
    const [row] = await handle.db.select().from(socialIntegrations);
    const cipher = await FernetSecretCipher.fromKeyList(KEY);
    return cipher.open((row?.refreshToken ?? '') as never);
  } finally {
    await handle.close();
  }
}

const refreshGrants = () =>
  fakes.tiktok.server.requestsTo('token').filter((request) => request.form.grant_type === 'refresh_token');

async function untilRenewalInFlight(since: number, npm: NpmProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (refreshGrants().length === since) {
    if (Date.now() > deadline) throw new Error(`no renewal started:\n${npm.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * SIGTERM to npm's pid; how long until npm and every process below it had exited (some, like tsx's
 * esbuild service, exit when their parent's pipe closes), npm's exit code, and any still running after
 * STOP_WITHIN_MS.
 */
async function terminate(npm: NpmProcess) {
  const started = descendants(npm.pid);
  expect(started.length).toBeGreaterThan(0);
  const signalledAt = Date.now();
  process.kill(npm.pid, 'SIGTERM');
  const code = await npm.exited;
  while (started.some(isAlive) && Date.now() - signalledAt < STOP_WITHIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { code, elapsedMs: Date.now() - signalledAt, leftRunning: started.filter(isAlive) };
}

describe('SIGTERM to npm', () => {
  it.each([
    {
      title: 'npm start: the renewal in flight is saved, then the server and everything it started exit',
      script: 'start',
      environment: async () => ({
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        REFRESH_INTERVAL_SECONDS: '1',
      }),
      ready: '"msg":"listening"',
      runLine: /"msg":"refresh run".*"renewed":1/,
    },
    {
      title: 'npm run refresh: ends the pass once the renewal in hand is saved',
      script: 'refresh',
      environment: async () => ({}),
      ready: null,
      runLine: /"msg":"refresh run stopped".*"renewed":1/,
    },
  ])(
    '$title',
    async ({ script, environment, ready, runLine }) => {
      const { dataDir, tokens } = await dataDirWithDueRenewal();
      const before = refreshGrants().length;
      fakes.tiktok.fail('token', { kind: 'slow', ms: 2000 });
      const npm = runNpm(script, {
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: KEY,
        ...(await environment()),
        ...fakes.environment,
      });
      try {
        if (ready !== null) await npm.waitFor(ready);
        await untilRenewalInFlight(before, npm);

        const { code, elapsedMs, leftRunning } = await terminate(npm);

        expect(leftRunning).toEqual([]);
        expect(elapsedMs).toBeLessThan(STOP_WITHIN_MS);
        expect(code).toBe(0);
        expect(npm.output()).toContain('"msg":"shutting down","signal":"SIGTERM"');
        expect(npm.output()).toMatch(runLine);
        expect([await storedRefreshToken(dataDir)]).toEqual(fakes.tiktok.liveRefreshTokens(tokens.openId));
      } finally {
        fakes.tiktok.heal();
        npm.child.kill('SIGKILL');
      }
    },
    PROCESS_TEST_MS,
  );

  it(
    'npm run demo: the service, the fakes and the SMTP server all stop',
    async () => {
      const port = await freePort();
      const npm = runNpm('demo', {
        PORT: String(port),
        DEMO_SMTP_PORT: String(await freePort()),
        DATA_DIR: mkdtempSync(join(workDir, 'demo-')),
      });
      try {
        await npm.waitFor('Demo ready');

        const { code, elapsedMs, leftRunning } = await terminate(npm);

        expect(leftRunning).toEqual([]);
        expect(elapsedMs).toBeLessThan(STOP_WITHIN_MS);
        expect(code).toBe(0);
        // The demo's own line, and the service's (its log is echoed).
        expect(npm.output().match(/"msg":"shutting down","signal":"SIGTERM"/g)).toHaveLength(2);
        await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      } finally {
        npm.child.kill('SIGKILL');
      }
    },
    PROCESS_TEST_MS,
  );
});

/** A port another process holds for the length of `use`. */
async function withTakenPort(use: (port: number) => Promise<void>): Promise<void> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    await use((holder.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
}

/** Runs `npm run <script>` expecting it to refuse; its exit code and output. */
async function refused(script: string, env: Record<string, string>) {
  const npm = runNpm(script, env);
  const code = await npm.exited;
  return { code, output: npm.output() };
}

describe('collisions: one line naming the fix', () => {
  it(
    'a second npm start or npm run refresh on a PGlite directory in use, and npm start on a taken port',
    async () => {
      const { dataDir } = await dataDirWithDueRenewal();
      const env = { DATA_DIR: dataDir, ENCRYPTION_KEY: KEY, HOST: '127.0.0.1', REFRESH_ENABLED: 'false' };
      const port = await freePort();
      const first = runNpm('start', { ...env, PORT: String(port) });
      try {
        await first.waitFor('"msg":"listening"');
        const directory = join(dataDir, 'pglite');
        const inUse = `The embedded PGlite database in ${directory} is in use by process ${descendants(first.pid)[0]}, and PGlite serves one process at a time: stop that process first (a running server refreshes integrations itself), or set DATABASE_URL to a PostgreSQL database to run several processes (npm start, npm run refresh) on it.`;

        for (const script of ['start', 'refresh']) {
          const second = await refused(script, { ...env, PORT: String(await freePort()) });
          expect(second.code).toBe(1);
          expect(second.output.split('\n')).toContain(inUse);
          expect(second.output).not.toMatch(/^\s+at /m);
        }

        const taken = await refused('start', {
          ...env,
          DATA_DIR: mkdtempSync(join(workDir, 'other-')),
          PORT: String(port),
        });
        expect(taken.code).toBe(1);
        expect(taken.output.split('\n')).toContain(
          `Port ${port} on 127.0.0.1 is in use, by another process (a second npm start?): stop it, or set PORT to a free port.`,
        );
        expect(taken.output).not.toMatch(/^\s+at /m);
      } finally {
        first.child.kill('SIGTERM');
        await first.exited;
      }
      // The lock goes with the process: the directory opens again.
      const reopened = await openPglite(join(dataDir, 'pglite'));
      await reopened.close();
    },
    PROCESS_TEST_MS,
  );

  it(
    'npm run jobs without DATABASE_URL: PGlite serves one process',
    async () => {
      const jobs = await refused('jobs', {
        DATA_DIR: mkdtempSync(join(workDir, 'jobs-')),
        ENCRYPTION_KEY: KEY,
      });
      expect(jobs.code).toBe(1);
      expect(jobs.output.split('\n')).toContain(pgliteRunsNoJobsProcess());
      expect(jobs.output).not.toMatch(/^\s+at /m);
    },
    PROCESS_TEST_MS,
  );

  it(
    'npm run demo and demo:smtp on taken ports',
    async () => {
      const dataDir = mkdtempSync(join(workDir, 'demo-'));
      await withTakenPort(async (port) => {
        const line = (setting: string) =>
          `Port ${port} on 127.0.0.1 is in use, by another process (a second npm start?): stop it, or set ${setting} to a free port.`;
        const cases = [
          {
            script: 'demo',
            env: { PORT: String(port), DEMO_SMTP_PORT: String(await freePort()) },
            setting: 'PORT',
          },
          {
            script: 'demo',
            env: { PORT: String(await freePort()), DEMO_SMTP_PORT: String(port) },
            setting: 'DEMO_SMTP_PORT',
          },
          { script: 'demo:smtp', env: { DEMO_SMTP_PORT: String(port) }, setting: 'DEMO_SMTP_PORT' },
        ];
        for (const { script, env, setting } of cases) {
          const { code, output } = await refused(script, { ...env, DATA_DIR: dataDir });
          expect(code).toBe(1);
          expect(output.split('\n')).toContain(line(setting));
          expect(output).not.toMatch(/^\s+at /m);
        }
      });
    },
    PROCESS_TEST_MS,
  );
});
