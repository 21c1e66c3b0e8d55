import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { nodeFernetKey } from '../adapters/crypto/node-fernet-key.js';
import { nodeSha256Hex } from '../adapters/crypto/node-sha256.js';
import { ImapflowMailboxReader } from '../adapters/gateways/imap/imapflow-mailbox-reader.js';
import { nodeHttpExchange } from '../adapters/gateways/node-http-exchange.js';
import { NodemailerMailSender } from '../adapters/gateways/smtp/nodemailer-mail-sender.js';
import { NodemailerMailVerifier } from '../adapters/gateways/smtp/nodemailer-mail-verifier.js';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { migrateDatabase, pendingMigrations } from '../adapters/persistence/migrate.js';
import { openPglite } from '../adapters/persistence/pglite.js';
import { PgliteDirectoryInUse } from '../adapters/persistence/pglite-directory-lock.js';
import { nodeWebhookFetch } from '../adapters/webhooks/node-webhook-fetch.js';
import { compose, createServiceLog, type RuntimeDrivers, type ServiceLog } from '../composition.js';
import { type Config, parseConfig } from '../config.js';
import { pgliteInUse } from './collisions.js';
import { loadOrCreateDevelopmentKey } from './development-key.js';
import { shareAmong } from './node-cluster.js';
import { nodeStaticAssets } from './node-static-assets.js';
import {
  describePostgres,
  invalidConfiguration,
  missingKeyProblem,
  openKeyring,
  openServicePostgres,
} from './service-start.js';

// What the Node server and the commands share, so they start up the same way.

/** Ends start-up with one line on stderr. */
export function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

export function loadConfig(): Config {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) stop(invalidConfiguration(parsed.problems));
  return parsed.config;
}

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database kept in DATA_DIR. */
export async function openConfiguredDatabase(
  config: Config,
): Promise<{ handle: DatabaseHandle; description: string }> {
  const { databaseUrl } = config;
  if (databaseUrl !== null) {
    return {
      handle: openServicePostgres({ ...config, databaseUrl }, availableParallelism()),
      description: describePostgres(databaseUrl),
    };
  }
  const directory = resolve(config.dataDir, 'pglite');
  const handle = await openPglite(directory).catch((error: unknown) =>
    error instanceof PgliteDirectoryInUse ? stop(pgliteInUse(error)) : Promise.reject(error),
  );
  return { handle, description: `embedded PGlite database in ${directory}` };
}

/**
 * The configured database with every migration applied: PGlite (and PostgreSQL for `npm run db:migrate`)
 * migrated here, PostgreSQL otherwise refused until it is migrated.
 */
async function openReadyDatabase(
  config: Config,
  migrate: boolean,
): Promise<{ handle: DatabaseHandle; description: string }> {
  const { handle, description } = await openConfiguredDatabase(config);
  if (handle.driver === 'pglite' || migrate) await migrateDatabase(handle);
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

/** The keyring from ENCRYPTION_KEY, or outside production the development key kept in DATA_DIR. */
async function loadCipher(config: Config, { logger, secrets }: ServiceLog) {
  let keyList = config.encryptionKey;
  if (keyList === null) {
    const developmentKey = await loadOrCreateDevelopmentKey(config.dataDir);
    keyList = developmentKey.key;
    secrets.keep(developmentKey.key);
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
  const keyring = await openKeyring(keyList, nodeFernetKey);
  return keyring.ok ? keyring.cipher : stop(invalidConfiguration([keyring.problem]));
}

/**
 * The start-up the server and the commands share: configuration, the redacting logger (writing to
 * `write`), the keyring, a fully migrated database whose stored secrets the keyring opens (unless
 * `checkKeys` is false: key rotation reports unreadable secrets itself; `migrate` applies what is
 * pending on PostgreSQL too), and the composed service, configured as one of `workers` processes. Any
 * problem stops the process with one line.
 */
export async function startNode(
  write: (line: string) => void,
  {
    checkKeys = true,
    migrate = false,
    workers = 1,
    metrics,
  }: {
    checkKeys?: boolean;
    migrate?: boolean;
    workers?: number;
    /** The server's metrics, from its database; none for the commands. */
    metrics?: (config: Config, handle: DatabaseHandle) => RuntimeDrivers['metrics'];
  } = {},
) {
  const config = shareAmong(loadConfig(), workers, availableParallelism());
  const log = createServiceLog(config, write);
  const cipher = await loadCipher(config, log);
  const { handle, description } = await openReadyDatabase(config, migrate);
  const smtp = {
    timeoutMs: config.outboundTimeoutMs,
    allowPrivateHosts: config.smtpAllowPrivateHosts,
    allowPort: (port: number) => config.smtpAllowedPorts.includes(port),
  };
  const service = compose(config, {
    db: handle.db,
    cipher,
    mailVerifier: new NodemailerMailVerifier(smtp),
    mailSender: new NodemailerMailSender(smtp),
    // The SMTP policy and timeout, with IMAP's ports (143, 993).
    mailboxReader: new ImapflowMailboxReader({
      timeoutMs: config.outboundTimeoutMs,
      allowPrivateHosts: config.smtpAllowPrivateHosts,
    }),
    staticAssets: nodeStaticAssets,
    socketAddress: (c) => getConnInfo(c).remote.address,
    log,
    webhookFetch: nodeWebhookFetch({ allowPrivateHosts: config.webhooks.allowPrivateHosts }),
    httpExchange: nodeHttpExchange(),
    sha256Hex: nodeSha256Hex,
    ...(metrics === undefined ? {} : { metrics: metrics(config, handle) }),
  });
  const problem = checkKeys ? await missingKeyProblem(service.jobs, description) : null;
  if (problem !== null) stop(problem);
  return { config, handle, description, ...service };
}
