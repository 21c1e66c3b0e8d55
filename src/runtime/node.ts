import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { createServiceLog, type RuntimeDrivers } from '../composition.js';
import { startBackgroundJobs } from './background-jobs.js';
import { pgliteServesOneWorker, portInUse } from './collisions.js';
import { runsJobs, superviseWorkers, workerCount } from './node-cluster.js';
import { aggregateWorkerMetrics, metricsEnabled, processMetrics, serveMetricsPort } from './node-metrics.js';
import { onShutdownSignal, stopServing } from './node-process.js';
import { loadConfig, startNode, stop } from './node-start.js';
import { startupWarnings } from './service-start.js';

const write = (line: string) => process.stdout.write(`${line}\n`);
const startedAt = performance.now();
const config = loadConfig();
const workers = workerCount(config, availableParallelism());
if (workers > 1 && config.databaseUrl === null) stop(pgliteServesOneWorker(workers));

if (cluster.isPrimary && workers > 1) {
  const { logger } = createServiceLog(config, write);
  // The primary sums the workers' metrics; with METRICS_PORT it serves them itself.
  if (metricsEnabled(config)) serveMetricsPort(config, aggregateWorkerMetrics(), logger, stop);
  superviseWorkers(workers, logger);
} else await serveOneProcess();

async function serveOneProcess() {
  let metrics: RuntimeDrivers['metrics'];
  const { handle, description, app, jobs, logger } = await startNode(write, {
    workers,
    metrics: (shared, database) => {
      metrics = processMetrics(shared, database);
      return metrics;
    },
  });
  if (runsJobs()) {
    logger.info('database ready', { database: description });
    for (const { message, hint } of startupWarnings(config)) logger.warn(message, { hint });
    if (!config.backgroundJobs) {
      logger.info('background jobs are off (BACKGROUND_JOBS=false)', {
        hint: 'run npm run jobs beside this server (PostgreSQL only)',
      });
    }
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
  // A cluster's workers leave METRICS_PORT to the primary.
  const metricsServer =
    metrics === undefined || cluster.worker !== undefined
      ? null
      : serveMetricsPort(config, metrics.scrape, logger, stop);

  const stopping = onShutdownSignal(logger, async () => {
    await Promise.all([stopServing(server), metricsServer === null ? undefined : stopServing(metricsServer)]);
    // The jobs stop taking work; what they hold (a renewal in flight) is saved before the database closes.
    await (await background)?.stop();
    await handle.close();
  });
  // BACKGROUND_JOBS=false leaves them to npm run jobs; a cluster runs them in its first worker.
  const background =
    config.backgroundJobs && runsJobs()
      ? startBackgroundJobs(config, handle, jobs, logger, stopping, metrics?.recorder)
      : null;
  await background;
}
