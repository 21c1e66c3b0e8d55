import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { listenForOutboxCommits } from '../adapters/persistence/outbox-notifications.js';
import { createServiceLog } from '../composition.js';
import { pgliteServesOneWorker, portInUse } from './collisions.js';
import { backfillWhileServing } from './mask-backfill.js';
import { runsJobs, superviseWorkers, workerCount } from './node-cluster.js';
import { onShutdownSignal, stopServing } from './node-process.js';
import { loadConfig, startNode, stop } from './node-start.js';
import { startRefresher, startWebhookDelivery } from './periodic-job.js';
import { startupWarnings } from './service-start.js';

const write = (line: string) => process.stdout.write(`${line}\n`);
const startedAt = performance.now();
const config = loadConfig();
const workers = workerCount(config, availableParallelism());
if (workers > 1 && config.databaseUrl === null) stop(pgliteServesOneWorker(workers));

if (cluster.isPrimary && workers > 1) superviseWorkers(workers, createServiceLog(config, write).logger);
else await serveOneProcess();

async function serveOneProcess() {
  const { handle, description, app, jobs, logger } = await startNode(write, { workers });
  if (runsJobs()) {
    logger.info('database ready', { database: description });
    for (const { message, hint } of startupWarnings(config)) logger.warn(message, { hint });
  }

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
    logger.info('listening', {
      url: `http://${config.host}:${address.port}`,
      ...(cluster.worker === undefined ? {} : { worker: cluster.worker.id, workers }),
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
    await unlisten?.();
    await Promise.all([refresher?.stop(), delivery?.stop(), backfill]);
    await handle.close();
  });
  const background = runsJobs();
  const backfill = background ? backfillWhileServing(jobs, logger, stopping) : undefined;
  const refresher = background ? startRefresher(config, jobs, logger, stopping) : null;
  const delivery = background ? startWebhookDelivery(config, jobs, logger, stopping) : null;
  const unlisten = delivery === null ? null : await listenForOutboxCommits(handle, () => delivery.wake());
}
