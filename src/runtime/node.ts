import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { joseTokenVerifier } from '../adapters/auth/jose-token-verifier.js';
import { errorFields } from '../application/error-fields.js';
import { buildApp } from '../composition.js';
import { startNode } from './node-setup.js';
import { logRefreshRun, startPeriodicJob } from './periodic-job.js';

async function main() {
  const startedAt = performance.now();
  const { config, logger, handle, description, adapters, jobs } = await startNode((line) =>
    process.stdout.write(`${line}\n`),
  );
  logger.info('database ready', { database: description });
  if (config.outreach.publicBaseUrl === null) {
    logger.warn('no PUBLIC_BASE_URL: outreach email goes out without one-click unsubscribe', {
      hint: 'set it to the service’s public origin, e.g. https://outreach.example.com',
    });
  }
  if (config.jwt === null) {
    logger.warn('no AUTH_JWT_SECRET or AUTH_JWKS_URL: any caller can act as any user_id', {
      hint: 'development only; set one of them before exposing the service',
    });
  }

  const app = buildApp(adapters, {
    verifyBearer: config.jwt === null ? null : joseTokenVerifier(config.jwt),
    corsOrigins: config.corsOrigins,
    rateLimits: config.rateLimits,
    socketAddress: (c) => getConnInfo(c).remote.address,
    clientAddressHeader: config.clientAddressHeader,
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
    logger.info('listening', {
      url: `http://${config.host}:${address.port}`,
      startup_ms: Math.round(performance.now() - startedAt),
    });
  });

  const refresher = config.lifecycle.enabled
    ? startPeriodicJob(
        async () => logRefreshRun(logger, await jobs.refreshDueIntegrations()),
        config.lifecycle.intervalMs,
        (error) => logger.error('refresh run failed', errorFields(error)),
      )
    : null;
  if (refresher === null) {
    logger.info('background refresh is off (REFRESH_ENABLED=false)', {
      hint: 'run npm run refresh from a scheduler instead',
    });
  }

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(async () => {
      // A refresh in flight finishes first, so a renewed token is saved rather than lost.
      await refresher?.stop();
      await handle.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
