import { serve } from '@hono/node-server';
import { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { createPlatformGateways } from '../adapters/gateways/platform-gateways.js';
import { NodemailerMailVerifier } from '../adapters/gateways/smtp/nodemailer-mail-verifier.js';
import { createJsonLogger } from '../adapters/logging/json-logger.js';
import { DrizzleIntegrationRepository } from '../adapters/persistence/drizzle-integration-repository.js';
import { DrizzleOAuthStateStore } from '../adapters/persistence/drizzle-oauth-state-store.js';
import { migrateDatabase } from '../adapters/persistence/migrate.js';
import { systemClock } from '../application/ports/clock.js';
import { buildApp } from '../composition.js';
import { parseConfig } from '../config.js';
import { loadOrCreateDevelopmentKey } from './development-key.js';
import { isDatabaseReady, missingTables, openConfiguredDatabase } from './node-database.js';
import { nodeStaticAssets } from './node-static-assets.js';

function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function main() {
  const startedAt = performance.now();
  const parsed = parseConfig(process.env);
  if (!parsed.ok) stop(`Invalid configuration: ${parsed.problems.join('; ')}`);
  const { config } = parsed;
  const logger = createJsonLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`));

  let keyList = config.encryptionKey;
  if (keyList === null) {
    const developmentKey = await loadOrCreateDevelopmentKey(config.dataDir);
    keyList = developmentKey.key;
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

  const app = buildApp({
    repository: new DrizzleIntegrationRepository(handle.db),
    cipher,
    clock: systemClock,
    mailVerifier: new NodemailerMailVerifier({
      timeoutMs: config.outboundTimeoutMs,
      allowPrivateHosts: config.smtpAllowPrivateHosts,
    }),
    gateways: createPlatformGateways(config.platforms, {
      fetch: globalThis.fetch,
      clock: systemClock,
      timeoutMs: config.outboundTimeoutMs,
    }),
    oauthStates: new DrizzleOAuthStateStore(handle.db),
    oauthRedirectUris: config.oauthRedirectUris,
    logger,
    isDatabaseReady: () => isDatabaseReady(handle),
    staticAssets: nodeStaticAssets,
  });

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
