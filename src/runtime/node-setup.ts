import { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { NodemailerMailSender } from '../adapters/gateways/smtp/nodemailer-mail-sender.js';
import { NodemailerMailVerifier } from '../adapters/gateways/smtp/nodemailer-mail-verifier.js';
import type { SecretValues } from '../adapters/logging/secret-values.js';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { DrizzleRateLimitStore } from '../adapters/persistence/drizzle-rate-limit-store.js';
import { migrateDatabase, pendingMigrations } from '../adapters/persistence/migrate.js';
import { InMemoryRateLimitStore } from '../adapters/rate-limit/in-memory-rate-limit-store.js';
import type { Logger } from '../application/ports/logger.js';
import type { LifecycleJobs } from '../application/use-cases/use-cases.js';
import { type Adapters, buildLifecycleJobs } from '../composition.js';
import { type Config, parseConfig } from '../config.js';
import { loadOrCreateDevelopmentKey } from './development-key.js';
import { openConfiguredDatabase } from './node-database.js';
import { nodeStaticAssets } from './node-static-assets.js';
import { serviceAdapters, serviceLogger } from './service-adapters.js';

// What the server and the commands (refresh, rotate-keys) share, so they start up the same way.

/** Ends start-up with one line on stderr. */
export function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

export function loadConfig(): Config {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) stop(`Invalid configuration: ${parsed.problems.join('; ')}`);
  return parsed.config;
}

/** The keyring from ENCRYPTION_KEY, or outside production the development key kept in DATA_DIR. */
export async function loadCipher(
  config: Config,
  { logger, secrets }: { readonly logger: Logger; readonly secrets: SecretValues },
): Promise<FernetSecretCipher> {
  let keyList = config.encryptionKey;
  if (keyList === null) {
    const developmentKey = await loadOrCreateDevelopmentKey(config.dataDir);
    keyList = developmentKey.key;
    secrets.hold([developmentKey.key]);
    logger.warn(
      developmentKey.created
        ? 'generated a development encryption key'
        : 'using the development encryption key',
      {
        path: developmentKey.path,
        hint: 'set ENCRYPTION_KEY (npm run generate-key) before storing real secrets',
      },
    );
  }
  return FernetSecretCipher.fromKeyList(keyList).catch((error: Error) =>
    stop(`Invalid configuration: ENCRYPTION_KEY: ${error.message}`),
  );
}

/** The configured database with every migration applied (PGlite migrates itself; PostgreSQL must be migrated). */
export async function openReadyDatabase(
  config: Config,
): Promise<{ handle: DatabaseHandle; description: string }> {
  const { handle, description } = await openConfiguredDatabase(config);
  if (handle.driver === 'pglite') await migrateDatabase(handle);
  else {
    const pending = await pendingMigrations(handle).catch((error: Error) =>
      stop(`Cannot reach ${description}: ${error.message}`),
    );
    if (pending.length > 0) {
      stop(
        `The database at ${description} lacks migrations ${pending.join(', ')}: run npm run db:migrate first.`,
      );
    }
  }
  return { handle, description };
}

export function nodeAdapters(
  config: Config,
  handle: DatabaseHandle,
  {
    cipher,
    logger,
    secrets,
  }: { readonly cipher: FernetSecretCipher; readonly logger: Logger; readonly secrets: SecretValues },
): Adapters {
  const smtp = {
    timeoutMs: config.outboundTimeoutMs,
    allowPrivateHosts: config.smtpAllowPrivateHosts,
    allowPort: (port: number) => config.smtpAllowedPorts.includes(port),
  };
  return serviceAdapters(config, handle.db, {
    cipher,
    logger,
    secrets,
    mailVerifier: new NodemailerMailVerifier(smtp),
    mailSender: new NodemailerMailSender(smtp),
    rateLimitStore:
      config.rateLimits.store === 'database'
        ? new DrizzleRateLimitStore(handle.db)
        : new InMemoryRateLimitStore(),
    staticAssets: nodeStaticAssets,
  });
}

const SAMPLED_ROWS_PER_TABLE = 20;

/** Stops start-up when sampled secrets were sealed with a key ENCRYPTION_KEY lacks. */
async function refuseMissingKeys(jobs: LifecycleJobs, description: string): Promise<void> {
  const check = await jobs.checkEncryptionKeys(SAMPLED_ROWS_PER_TABLE);
  if (!check.keyMissing) return;
  stop(
    `Stored secrets in ${description} were encrypted with a key that ENCRYPTION_KEY lacks (${check.unreadableRows} of ${check.sampledRows} sampled rows unreadable): add that key after the new one (ENCRYPTION_KEY=new,old), then run npm run rotate-keys.`,
  );
}

/**
 * The start-up the server and `npm run refresh` share: configuration, the redacting logger (writing to
 * `write`), the keyring, a fully migrated database whose stored secrets the keyring opens, the adapters
 * and the lifecycle jobs. Any problem stops the process with one line.
 */
export async function startNode(write: (line: string) => void) {
  const config = loadConfig();
  const { logger, secrets } = serviceLogger(config, write);
  const cipher = await loadCipher(config, { logger, secrets });
  const { handle, description } = await openReadyDatabase(config);
  const adapters = nodeAdapters(config, handle, { cipher, logger, secrets });
  const jobs = buildLifecycleJobs(adapters);
  await refuseMissingKeys(jobs, description);
  return { config, logger, handle, description, adapters, jobs };
}
