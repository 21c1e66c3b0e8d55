import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { joseTokenVerifier } from '../adapters/auth/jose-token-verifier.js';
import { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { createPlatformGateways } from '../adapters/gateways/platform-gateways.js';
import { NodemailerMailVerifier } from '../adapters/gateways/smtp/nodemailer-mail-verifier.js';
import { createJsonLogger } from '../adapters/logging/json-logger.js';
import { SecretValues } from '../adapters/logging/secret-values.js';
import { DrizzleAuditLog } from '../adapters/persistence/drizzle-audit-log.js';
import { DrizzleIntegrationRepository } from '../adapters/persistence/drizzle-integration-repository.js';
import { DrizzleOAuthStateStore } from '../adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleRateLimitStore } from '../adapters/persistence/drizzle-rate-limit-store.js';
import { migrateDatabase } from '../adapters/persistence/migrate.js';
import { InMemoryRateLimitStore } from '../adapters/rate-limit/in-memory-rate-limit-store.js';
import { systemClock } from '../application/ports/clock.js';
import { buildApp } from '../composition.js';
import { type Config, parseConfig } from '../config.js';
import { loadOrCreateDevelopmentKey } from './development-key.js';
import { isDatabaseReady, missingTables, openConfiguredDatabase } from './node-database.js';
import { nodeStaticAssets } from './node-static-assets.js';

function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** Values no log line may contain for as long as the process runs. */
function configuredSecrets(config: Config): string[] {
  const secrets = (config.encryptionKey ?? '').split(',').map((key) => key.trim());
  if (config.jwt !== null && 'secret' in config.jwt.key) secrets.push(config.jwt.key.secret);
  if (config.databaseUrl !== null) secrets.push(decodeURIComponent(new URL(config.databaseUrl).password));
  for (const app of Object.values(config.platforms.apps)) if (app !== null) secrets.push(app.clientSecret);
  return secrets;
}

async function main() {
  const startedAt = performance.now();
  const parsed = parseConfig(process.env);
  if (!parsed.ok) stop(`Invalid configuration: ${parsed.problems.join('; ')}`);
  const { config } = parsed;
  const secrets = new SecretValues(configuredSecrets(config));
  const logger = createJsonLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`), secrets);

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
  const cipher = await FernetSecretCipher.fromKeyList(keyList).catch((error: Error) =>
    stop(`Invalid configuration: ENCRYPTION_KEY: ${error.message}`),
  );

  const { handle, description } = await openConfiguredDatabase(config);
  if (handle.driver === 'pglite') await migrateDatabase(handle);
  else {
    const missing = await missingTables(handle).catch((error: Error) =>
      stop(`Cannot reach ${description}: ${error.message}`),
    );
    if (missing.length > 0) {
      stop(
        `The database at ${description} has no ${missing.join(' or ')} table: run npm run db:migrate first.`,
      );
    }
  }
  logger.info('database ready', { database: description });
  if (config.jwt === null) {
    logger.warn('no AUTH_JWT_SECRET or AUTH_JWKS_URL: any caller can act as any user_id', {
      hint: 'development only; set one of them before exposing the service',
    });
  }

  const app = buildApp(
    {
      repository: new DrizzleIntegrationRepository(handle.db),
      cipher,
      clock: systemClock,
      mailVerifier: new NodemailerMailVerifier({
        timeoutMs: config.outboundTimeoutMs,
        allowPrivateHosts: config.smtpAllowPrivateHosts,
        allowPort: (port) => config.smtpAllowedPorts.includes(port),
      }),
      gateways: createPlatformGateways(config.platforms, {
        fetch: globalThis.fetch,
        clock: systemClock,
        timeoutMs: config.outboundTimeoutMs,
      }),
      oauthStates: new DrizzleOAuthStateStore(handle.db),
      oauthRedirectUris: config.oauthRedirectUris,
      auditLog: new DrizzleAuditLog(handle.db),
      rateLimitStore:
        config.rateLimits.store === 'database'
          ? new DrizzleRateLimitStore(handle.db)
          : new InMemoryRateLimitStore(),
      logger,
      secrets,
      isDatabaseReady: () => isDatabaseReady(handle),
      staticAssets: nodeStaticAssets,
    },
    {
      verifyBearer: config.jwt === null ? null : joseTokenVerifier(config.jwt),
      corsOrigins: config.corsOrigins,
      rateLimits: config.rateLimits,
      socketAddress: (c) => getConnInfo(c).remote.address,
      clientAddressHeader: config.clientAddressHeader,
    },
  );

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
    logger.info('listening', {
      url: `http://${config.host}:${address.port}`,
      startup_ms: Math.round(performance.now() - startedAt),
    });
  });

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(async () => {
      await handle.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
