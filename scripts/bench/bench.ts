// npm run bench [-- --smoke]: seeds a PostgreSQL database, starts the built service as production runs it,
// drives it with wrk from separate cores (reads, creates, outreach sends to a fake Meta and an SMTP sink),
// measures the bare-Hono and pgbench ceilings in the same run, and prints one table. See docs/performance.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { TikTokFake } from '../../test/fakes/tiktok-fake.js';
import { benchUserId, recreateDatabase, seedDatabase } from './bench-database.js';
import { capabilitiesStatements, pgbenchScript } from './capabilities-sql.js';
import { fernetRoundTripsPerSecond } from './fernet-bench.js';
import {
  type LoadShape,
  type Measurement,
  measureHttp,
  measurePgbench,
  measureSideBySide,
  type SideBySideMeasurement,
} from './load.js';
import {
  allArrived,
  clearOutbox,
  lagQuantiles,
  lags,
  type OutboxFigures,
  startBenchReceiver,
  writeEvents,
} from './outbox.js';
import { observed, startBareHono, startJobs, startService, treeMegabytes } from './processes.js';
import { printReport, type Row } from './report.js';
import { startSendSinks } from './send-targets.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    // A comma-separated subset of bare,pgbench,capabilities,list,create,precheck,send-meta,send-email,outbox,
    // for measuring one change quickly.
    only: { type: 'string' },
    // --no-pin leaves every process to the scheduler.
    pin: { type: 'boolean', default: true },
    // Comma-separated WEB_CONCURRENCY values to measure the service with, one run each (e.g. 1,2 --no-pin).
    workers: { type: 'string', default: '1' },
  },
  allowNegative: true,
});
const smoke = flags.smoke;
const selected = (scenario: string) => flags.only === undefined || flags.only.split(',').includes(scenario);
const users = smoke ? 200 : 10_000;
const workerCounts = flags.workers.split(',').map(Number);
if (workerCounts.some((count) => !Number.isInteger(count) || count < 1)) {
  throw new Error(`--workers takes whole numbers of at least 1, comma-separated: ${flags.workers}`);
}
// Outreach email goes out in runs from a few mailboxes, each over its own kept connection; a random one of
// 10,000 per message would measure a TLS handshake and login per message instead.
const EMAIL_SENDERS = 100;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench';

// Two halves of the machine: the server under test on the first, wrk / pgbench / this process on the
// second; PostgreSQL is left to the scheduler. With one core (or no taskset) nothing is pinned.
const cores = availableParallelism();
const canPin = flags.pin && cores >= 2 && commandExists('taskset');
const serverCpus = canPin ? `0-${Math.floor(cores / 2) - 1}` : null;
const loadCpus = canPin ? `${Math.floor(cores / 2)}-${cores - 1}` : null;
const shape: LoadShape = {
  connections: smoke ? 16 : 64,
  warmupSeconds: smoke ? 1 : 5,
  seconds: smoke ? 2 : 20,
  cpus: loadCpus,
  threads: canPin ? cores - Math.floor(cores / 2) : 2,
};
// Capabilities and the pre-checks again, interleaved (in a full run 18 s per scenario in all, a row measures 20).
const SIDE_BY_SIDE = smoke ? { rounds: 3, seconds: 1 } : { rounds: 9, seconds: 2 };

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const step = (text: string) => process.stdout.write(`· ${text} (load ${loadAverage()})\n`);

if (canPin)
  execFileSync('taskset', ['-a', '-p', '-c', loadCpus ?? '', String(process.pid)], { stdio: 'ignore' });
for (const tool of ['wrk', 'pgbench']) {
  if (!commandExists(tool))
    throw new Error(`${tool} is missing: apt-get install wrk postgresql-15 (pgbench)`);
}

const work = mkdtempSync(join(tmpdir(), 'bench-'));
const loadBefore = loadAverage();
try {
  step('building (npm run build)');
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });

  const encryptionKey = generateFernetKey();
  const cipher = await FernetSecretCipher.fromKeyList(encryptionKey);
  const sinks = await startSendSinks(work);
  step(`seeding ${users} users × 4 platforms into ${new URL(databaseUrl).pathname.slice(1)}`);
  const seedStarted = performance.now();
  await recreateDatabase(databaseUrl);
  await seedDatabase(databaseUrl, users, cipher, sinks);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const statements = await capabilitiesStatements(databaseUrl, benchUserId(1));
  const [statement] = statements;
  if (statement === undefined) throw new Error('GET /capabilities sent no statement');
  const pgbenchFile = join(work, 'capabilities.sql');
  writeFileSync(pgbenchFile, pgbenchScript(statement, users));

  // One bearer token per user (HS256, as production authenticates) and a TikTok token the fake accepts.
  const jwtSecret = randomBytes(32).toString('base64url');
  const tiktok = await TikTokFake.start([]);
  const signingKey = new TextEncoder().encode(jwtSecret);
  const lines: string[] = [];
  for (let index = 1; index <= users; index += 1) {
    const userId = benchUserId(index);
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('2h')
      .sign(signingKey);
    lines.push(`${userId} ${jwt} ${tiktok.issueTokens(`-000${userId}`).accessToken}`);
  }
  const usersFile = join(work, 'users.txt');
  writeFileSync(usersFile, `${lines.join('\n')}\n`);

  step('Fernet micro-benchmark');
  const fernetOps = await fernetRoundTripsPerSecond(encryptionKey, smoke ? 0.3 : 3);

  const rows: Row[] = [];
  const measure = async (name: string, run: () => Promise<Measurement>, pid?: number) => {
    step(`${name}: ${shape.warmupSeconds} s warm-up, ${shape.seconds} s measured`);
    if (pid === undefined) rows.push({ name, ...(await run()), peakRssMb: null, cpuPercent: null });
    else {
      const { result, peakRssMb, cpuPercent } = await observed(pid, run);
      rows.push({ name, ...result, peakRssMb, cpuPercent });
    }
  };

  if (selected('bare')) {
    const bare = await startBareHono(
      fileURLToPath(new URL('./bare-hono-server.ts', import.meta.url)),
      serverCpus,
    );
    try {
      await measure(
        'bare Hono (ceiling)',
        () => measureHttp(bare.url, 'get:/', usersFile, shape),
        bare.process.pid,
      );
    } finally {
      await bare.close();
    }
  }
  if (selected('pgbench')) {
    await measure('pgbench, capabilities SQL (ceiling)', () =>
      measurePgbench(databaseUrl, pgbenchFile, shape, work),
    );
  }

  const serviceEnv = (workers: number, extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATA_DIR: work,
    ENCRYPTION_KEY: encryptionKey,
    AUTH_JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'info',
    // Limits are per minute and per user or address; one wrk client would hit them within a second.
    RATE_LIMIT_PER_MINUTE: '0',
    TIKTOK_API_URL: tiktok.baseUrl,
    TIKTOK_CLIENT_KEY: tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: tiktok.clientSecret,
    ...sinks.environment,
    // Passed on when set, to compare pool sizes; otherwise the service's default applies.
    WEB_CONCURRENCY: String(workers),
    ...(process.env.DATABASE_POOL_SIZE === undefined
      ? {}
      : { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }),
    // Passed on when set, to measure the service with its metrics recorded.
    ...(process.env.METRICS_TOKEN === undefined ? {} : { METRICS_TOKEN: process.env.METRICS_TOKEN }),
    ...extra,
  });

  const sideBySide: SideBySideMeasurement[] = [];
  let startRssMb = Number.NaN;
  let endRssMb = Number.NaN;
  for (const workers of workerCounts) {
    const service = await startService(
      serviceEnv(workers),
      join(work, 'service.log'),
      serverCpus,
      // e.g. BENCH_NODE_ARGS=--cpu-prof to profile the service under load (the profile lands in the cwd).
      process.env.BENCH_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [],
      workers,
    );
    try {
      const pid = service.process.pid;
      // The report's memory line is about the first run.
      const first = workers === workerCounts[0];
      if (first) startRssMb = pid === undefined ? Number.NaN : treeMegabytes(pid);
      const suffix = workerCounts.length > 1 ? `, ${workers} worker${workers > 1 ? 's' : ''}` : '';
      const reads = [
        { key: 'capabilities', name: 'GET capabilities', mode: 'get:/api/integrations/capabilities' },
        { key: 'list', name: 'GET list', mode: 'get:/api/integrations/' },
        { key: 'create', name: 'POST create (TikTok, fake)', mode: 'create' },
        { key: 'precheck', name: 'GET pre-check (Facebook)', mode: 'precheck:facebook' },
        { key: 'precheck', name: 'GET pre-check (email)', mode: 'precheck:email' },
      ];
      const sends = [
        { key: 'send-meta', name: 'POST send (Facebook, fake Meta)', mode: 'send:facebook' },
        {
          key: 'send-email',
          name: `POST send (email, SMTP sink, ${EMAIL_SENDERS} mailboxes)`,
          mode: `send:email:${EMAIL_SENDERS}`,
        },
      ];
      const measureEach = async (scenarios: typeof reads) => {
        for (const { key, name, mode } of scenarios) {
          if (selected(key)) {
            await measure(`${name}${suffix}`, () => measureHttp(service.url, mode, usersFile, shape), pid);
          }
        }
      };
      await measureEach(reads);
      // On the same warm service, before the sends add to its heap and tables.
      if (selected('capabilities') && selected('precheck')) {
        const compared = reads.filter(({ key }) => key === 'capabilities' || key === 'precheck');
        step(
          `${compared.map(({ name }) => name).join(', ')} side by side: ${SIDE_BY_SIDE.rounds} rounds of ` +
            `${SIDE_BY_SIDE.seconds} s each, the order rotating`,
        );
        const measured = await measureSideBySide(
          service.url,
          compared.map(({ name, mode }) => ({ name: `${name}${suffix}`, mode })),
          usersFile,
          shape,
          SIDE_BY_SIDE.rounds,
          SIDE_BY_SIDE.seconds,
        );
        sideBySide.push(...measured);
      }
      await measureEach(sends);
      if (first) endRssMb = pid === undefined ? Number.NaN : treeMegabytes(pid);
    } finally {
      await service.close();
    }
  }

  let outbox: OutboxFigures | null = null;
  if (selected('outbox')) {
    // The send scenarios' message.sent events are not this scenario's to deliver.
    await clearOutbox(databaseUrl);
    const receiver = await startBenchReceiver();
    const webhooks = serviceEnv(1, {
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true',
    });
    try {
      // The burst: one delivering process (npm run jobs) alone on the server's CPUs.
      const burstEvents = smoke ? 1000 : 20_000;
      step(`outbox: a burst of ${burstEvents} events, delivered to a local receiver by npm run jobs`);
      const burstJobs = await startJobs(webhooks, join(work, 'jobs-burst.log'), serverCpus);
      const burstStarted = Date.now();
      let burstEnded: number;
      try {
        const burst = await writeEvents(databaseUrl, burstEvents, null);
        burstEnded = await allArrived(receiver, burst, 300_000);
      } finally {
        await burstJobs.close();
      }

      // The deployment docs/production.md recommends: the service only serves HTTP (BACKGROUND_JOBS=false)
      // on its CPUs, and npm run jobs delivers beside it, on the load's CPUs (the service's are taken).
      const service = await startService(
        { ...webhooks, BACKGROUND_JOBS: 'false' },
        join(work, 'service-webhooks.log'),
        serverCpus,
        [],
      );
      const jobs = await startJobs(webhooks, join(work, 'jobs.log'), loadCpus);
      try {
        const steadyRate = smoke ? 200 : 1000;
        const steadyEvents = steadyRate * (shape.warmupSeconds + shape.seconds);
        const steady = writeEvents(databaseUrl, steadyEvents, steadyRate);
        const jobsPid = jobs.process.pid;
        if (jobsPid === undefined) throw new Error('npm run jobs has no pid');
        const { cpuPercent: jobsCpuPercent } = await observed(jobsPid, () =>
          measure(
            `GET capabilities, ${steadyRate} events/s delivering`,
            () => measureHttp(service.url, 'get:/api/integrations/capabilities', usersFile, shape),
            service.process.pid,
          ),
        );
        const written = await steady;
        await allArrived(receiver, written, 300_000);
        outbox = {
          burstEvents,
          burstEventsPerSecond: burstEvents / ((burstEnded - burstStarted) / 1000),
          steadyEvents,
          steadyRatePerSecond: steadyRate,
          ...lagQuantiles(lags(receiver, written)),
          jobsCpuPercent,
          jobsCpus: loadCpus,
        };
      } finally {
        await jobs.close();
        await service.close();
      }
    } finally {
      await receiver.close();
    }
  }
  await tiktok.close();
  await sinks.close();

  const failed = printReport({
    rows,
    sideBySide: sideBySide.length === 0 ? null : { ...SIDE_BY_SIDE, rows: sideBySide },
    outbox,
    fernetOps,
    startRssMb,
    endRssMb,
    statements,
    seedSeconds,
    users,
    shape,
    serverCpus,
    loadBefore,
    loadAfter: loadAverage(),
    checkTargets: !smoke,
  });
  if (failed) process.exitCode = 1;
  if (failed) process.stdout.write(`Service log: ${join(work, 'service.log')}\n`);
} finally {
  if (process.exitCode !== 1) rmSync(work, { recursive: true, force: true });
}
