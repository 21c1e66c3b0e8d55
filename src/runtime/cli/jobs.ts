import type { RuntimeDrivers } from '../../composition.js';
import { startBackgroundJobs } from '../background-jobs.js';
import { pgliteRunsNoJobsProcess } from '../collisions.js';
import { processMetrics, serveMetricsPort } from '../node-metrics.js';
import { onShutdownSignal, stopServing } from '../node-process.js';
import { loadConfig, startNode, stop } from '../node-start.js';

// The background jobs without HTTP (the worker of a web/worker split): the refresher, webhook delivery,
// the event purge, the IMAP poller and the mask backfill, beside servers started with
// BACKGROUND_JOBS=false (which this process ignores). SIGTERM or SIGINT lets each job finish what it
// holds, closes the database and exits 0. With METRICS_PORT it serves its own /metrics there.
if (loadConfig().databaseUrl === null) stop(pgliteRunsNoJobsProcess());

let metrics: RuntimeDrivers['metrics'];
const { config, logger, handle, description, jobs } = await startNode(
  (line) => process.stdout.write(`${line}\n`),
  {
    metrics: (shared, database) => {
      metrics = processMetrics(shared, database);
      return metrics;
    },
  },
);
logger.info('database ready', { database: description });
const metricsServer = metrics === undefined ? null : serveMetricsPort(config, metrics.scrape, logger, stop);
const stopping = onShutdownSignal(logger, async () => {
  await Promise.all([
    (await background).stop(),
    metricsServer === null ? undefined : stopServing(metricsServer),
  ]);
  await handle.close();
});
const background = startBackgroundJobs(config, handle, jobs, logger, stopping, metrics?.recorder);
logger.info('background jobs started', { jobs: (await background).running.join(', ') });
