import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { joseTokenVerifier } from '../adapters/auth/jose-token-verifier.js';
import { errorFields } from '../application/error-fields.js';
import { buildApp } from '../composition.js';
import { portInUse } from './collisions.js';
import { shutDownOnSignal, stopServing } from './graceful-shutdown.js';
import { backfillTokenMasks } from './mask-backfill.js';
import { startNode } from './node-setup.js';
import { logRefreshRun, startPeriodicJob } from './periodic-job.js';
import { stop } from './stop.js';

async function main() {
  const startedAt = performance.now();
  const { config, logger, handle, description, adapters, jobs } = await startNode((line) =>
    process.stdout.write(`${line}\n`),
  );
  logger.info('database ready', { database: description });
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

  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') stop(portInUse(config.host, config.port));
    throw error;
  });

  // Jobs stop taking new work at the first signal; what they hold in hand is saved before the exit.
  const stopping = shutDownOnSignal(logger, async () => {
    await stopServing(server as Server);
    await Promise.all([refresher?.stop(), backfill]);
    await handle.close();
  });

  // While serving: until it is done, listing an integration without stored masks decrypts its tokens.
  const backfill = backfillTokenMasks(jobs, stopping).then(
    (line) => line !== null && logger.info(line),
    (error) => logger.error('token mask backfill failed', errorFields(error)),
  );

  const refresher = config.lifecycle.enabled
    ? startPeriodicJob(
        async () => logRefreshRun(logger, await jobs.refreshDueIntegrations({ signal: stopping })),
        config.lifecycle.intervalMs,
        (error) => logger.error('refresh run failed', errorFields(error)),
      )
    : null;
  if (refresher === null) {
    logger.info('background refresh is off (REFRESH_ENABLED=false)', {
      hint: 'run npm run refresh from a scheduler instead',
    });
  }
}

await main();
