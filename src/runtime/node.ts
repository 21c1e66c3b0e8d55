import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { portInUse } from './collisions.js';
import { backfillWhileServing } from './mask-backfill.js';
import { onShutdownSignal, stopServing } from './node-process.js';
import { startNode, stop } from './node-start.js';
import { startRefresher } from './periodic-job.js';

const startedAt = performance.now();
const { config, handle, description, app, jobs, logger } = await startNode((line) =>
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

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
  logger.info('listening', {
    url: `http://${config.host}:${address.port}`,
    startup_ms: Math.round(performance.now() - startedAt),
  });
}) as Server;
server.once('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') stop(portInUse(config.host, config.port));
  throw error;
});

const stopping = onShutdownSignal(logger, async () => {
  await stopServing(server);
  // The jobs stop taking work; what they hold (a renewal in flight) is saved before the database closes.
  await Promise.all([refresher?.stop(), backfill]);
  await handle.close();
});
const backfill = backfillWhileServing(jobs, logger, stopping);
const refresher = startRefresher(config, jobs, logger, stopping);
