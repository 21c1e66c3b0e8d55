import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { joseTokenVerifier } from './adapters/auth/jose-token-verifier.js';
import { createPlatformGateways } from './adapters/gateways/platform-gateways.js';
import { createApp, type HttpSecurity } from './adapters/http/app.js';
import { createJsonLogger } from './adapters/logging/json-logger.js';
import { SecretValues } from './adapters/logging/secret-values.js';
import type { Database } from './adapters/persistence/database.js';
import { reachable } from './adapters/persistence/database-errors.js';
import { DrizzleAuditLog } from './adapters/persistence/drizzle-audit-log.js';
import { DrizzleIntegrationRepository } from './adapters/persistence/drizzle-integration-repository.js';
import { DrizzleLifecycleStore } from './adapters/persistence/drizzle-lifecycle-store.js';
import { DrizzleOAuthStateStore } from './adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleRateLimitStore } from './adapters/persistence/drizzle-rate-limit-store.js';
import { DrizzleSealedSecretStore } from './adapters/persistence/drizzle-sealed-secret-store.js';
import { InMemoryRateLimitStore } from './adapters/rate-limit/in-memory-rate-limit-store.js';
import { type Clock, systemClock } from './application/ports/clock.js';
import type { IntegrationRepository } from './application/ports/integration-repository.js';
import type { Logger } from './application/ports/logger.js';
import type { MailVerifier } from './application/ports/mail-verifier.js';
import type { PlatformGateways } from './application/ports/platform-gateway.js';
import type { RateLimitStore } from './application/ports/rate-limit-store.js';
import type { SecretCipher } from './application/ports/secret-cipher.js';
import { checkEncryptionKeys } from './application/use-cases/check-encryption-keys.js';
import { completeOAuth } from './application/use-cases/complete-oauth.js';
import { deleteIntegration } from './application/use-cases/delete-integration.js';
import { getAllCapabilities, getPlatformCapability } from './application/use-cases/get-capabilities.js';
import { listAuditEntries } from './application/use-cases/list-audit-entries.js';
import { listIntegrations } from './application/use-cases/list-integrations.js';
import { refreshDueIntegrations } from './application/use-cases/refresh-due-integrations.js';
import { rotateSecrets } from './application/use-cases/rotate-secrets.js';
import { saveIntegration } from './application/use-cases/save-integration.js';
import { startOAuth } from './application/use-cases/start-oauth.js';
import type { LifecycleJobs, UseCases } from './application/use-cases/use-cases.js';
import { validateIntegration } from './application/use-cases/validate-integration.js';
import type { Config } from './config.js';

// The one place that builds adapters and binds use cases to them. Web-standard code only: the Workers
// and Deno entries import it as the Node one does.

/** The JSON logger and the registry of values it redacts (requests add the secrets they carry). */
export interface ServiceLog {
  readonly logger: Logger;
  readonly secrets: SecretValues;
}

/** Values no log line may contain for as long as the process (or isolate) runs. */
function configuredSecrets(config: Config): string[] {
  const secrets = (config.encryptionKey ?? '').split(',').map((key) => key.trim());
  if (config.jwt !== null && 'secret' in config.jwt.key) secrets.push(config.jwt.key.secret);
  if (config.databaseUrl !== null) secrets.push(decodeURIComponent(new URL(config.databaseUrl).password));
  for (const app of Object.values(config.platforms.apps)) if (app !== null) secrets.push(app.clientSecret);
  return secrets;
}

/** The logger at LOG_LEVEL writing to `write`, redacting the configured secrets (and `alsoSecret`). */
export function createServiceLog(
  config: Config,
  write: (line: string) => void,
  alsoSecret: readonly string[] = [],
): ServiceLog {
  const secrets = new SecretValues([...configuredSecrets(config), ...alsoSecret]);
  return { logger: createJsonLogger(config.logLevel, write, secrets), secrets };
}

/** What only the runtime knows: its database connection, keyring, SMTP, files, sockets, output and time. */
export interface RuntimeDrivers {
  readonly db: Database;
  readonly cipher: SecretCipher;
  /** Nodemailer on Node; a verifier that answers 501 where SMTP cannot be checked honestly. */
  readonly mailVerifier: MailVerifier;
  /** Serves the browser pages' files under `/assets/`. */
  readonly staticAssets: MiddlewareHandler;
  readonly socketAddress: HttpSecurity['socketAddress'];
  readonly log: ServiceLog;
  readonly clock?: Clock;
}

/** What tests put in place of the real adapters; production passes none. */
export interface Overrides {
  readonly repository?: IntegrationRepository;
  readonly gateways?: PlatformGateways;
  readonly rateLimitStore?: RateLimitStore;
}

async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await reachable<unknown>(() => db.execute(sql`select 1`));
    return true;
  } catch {
    return false;
  }
}

/** The HTTP app and the lifecycle jobs of one service, from its configuration and its runtime's drivers. */
export function compose(config: Config, drivers: RuntimeDrivers, overrides: Overrides = {}) {
  const { db, cipher, mailVerifier, log } = drivers;
  const clock = drivers.clock ?? systemClock;
  const repository = overrides.repository ?? new DrizzleIntegrationRepository(db);
  const gateways =
    overrides.gateways ??
    createPlatformGateways(config.platforms, {
      // Bound: workerd refuses a fetch called as another object's method.
      fetch: globalThis.fetch.bind(globalThis),
      clock,
      timeoutMs: config.outboundTimeoutMs,
    });
  const auditLog = new DrizzleAuditLog(db);
  const oauthStates = new DrizzleOAuthStateStore(db);
  const oauthRedirectUris = config.oauthRedirectUris;
  const lifecycleSettings = config.lifecycle.settings;

  const useCases: UseCases = {
    listIntegrations: listIntegrations({ repository, cipher, clock }),
    getAllCapabilities: getAllCapabilities({ repository, clock, mailVerifier }),
    getPlatformCapability: getPlatformCapability({ repository, clock, mailVerifier }),
    saveIntegration: saveIntegration({ repository, cipher, clock, mailVerifier, gateways }),
    validateIntegration: validateIntegration({ repository, cipher, clock, mailVerifier, gateways }),
    deleteIntegration: deleteIntegration({ repository }),
    listAuditEntries: listAuditEntries({ auditLog }),
    startOAuth: startOAuth({ gateways, oauthStates, oauthRedirectUris, cipher, clock }),
    completeOAuth: completeOAuth({ repository, gateways, oauthStates, cipher, clock }),
  };
  const sealedSecrets = new DrizzleSealedSecretStore(db);
  const jobs: LifecycleJobs = {
    refreshDueIntegrations: refreshDueIntegrations({
      lifecycle: new DrizzleLifecycleStore(db),
      cipher,
      clock,
      mailVerifier,
      gateways,
      logger: log.logger,
      lifecycleSettings,
    }),
    checkEncryptionKeys: checkEncryptionKeys({ sealedSecrets, cipher }),
    rotateSecrets: rotateSecrets({ sealedSecrets, cipher }),
  };

  const rateLimitStore =
    overrides.rateLimitStore ??
    (config.rateLimits.store === 'database' ? new DrizzleRateLimitStore(db) : new InMemoryRateLimitStore());
  const app = createApp({
    useCases,
    logger: log.logger,
    secrets: log.secrets,
    auditLog,
    rateLimitStore,
    clock,
    isDatabaseReady: () => databaseAnswers(db),
    staticAssets: drivers.staticAssets,
    security: {
      verifyBearer: config.jwt === null ? null : joseTokenVerifier(config.jwt),
      corsOrigins: config.corsOrigins,
      rateLimits: config.rateLimits,
      socketAddress: drivers.socketAddress,
      clientAddressHeader: config.clientAddressHeader,
    },
  });
  return { app, jobs, logger: log.logger };
}

export type Service = ReturnType<typeof compose>;
