import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { portInUse } from './collisions.js';
import { backfillWhileServing } from './mask-backfill.js';
import { onShutdownSignal, stopServing } from './node-process.js';
import { startNode, stop } from './node-start.js';
import { startRefresher } from './periodic-job.js';
import { startupWarnings } from './service-start.js';

const startedAt = performance.now();
const { config, handle, description, app, jobs, logger } = await startNode((line) =>
  process.stdout.write(`${line}\n`),
);
logger.info('database ready', { database: description });
for (const { message, hint } of startupWarnings(config)) logger.warn(message, { hint });

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
