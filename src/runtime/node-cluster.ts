import cluster from 'node:cluster';
import { defaultPoolSize } from '../adapters/persistence/postgres.js';
import type { Logger } from '../application/ports/logger.js';
import type { Config } from '../config.js';
import { onShutdownSignal } from './node-process.js';

// Several worker processes serving one port through node:cluster: the primary only starts and stops them.

/** WEB_CONCURRENCY, or else one worker per core in production on PostgreSQL, and one process otherwise. */
export function workerCount(config: Config, cores: number): number {
  if (config.webConcurrency !== null) return config.webConcurrency;
  return config.environment === 'production' && config.databaseUrl !== null ? cores : 1;
}

/**
 * The configuration one of `workers` processes runs with: its share of the database pool, so the total
 * stays what one process would open, and rate limits counted in the database, which every process shares.
 */
export function shareAmong(config: Config, workers: number, cores: number): Config {
  if (workers === 1) return config;
  const total = config.databasePoolSize ?? defaultPoolSize(cores);
  return {
    ...config,
    databasePoolSize: Math.max(1, Math.floor(total / workers)),
    rateLimits: { ...config.rateLimits, store: 'database' },
  };
}

/** The worker that runs the background jobs (refresh, mask backfill): the first, or the only process. */
export const runsJobs = () => cluster.worker === undefined || cluster.worker.id === 1;

const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);

/** Resolves once every worker has exited. */
function allExited(): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (liveWorkers().length > 0) return;
      cluster.off('exit', check);
      resolve();
    };
    cluster.on('exit', check);
    check();
  });
}

function stopWorkers(): Promise<void> {
  for (const worker of liveWorkers()) worker.process.kill('SIGTERM');
  return allExited();
}

/**
 * In the primary: the first worker starts alone (so a start-up problem prints its one line once and the
 * start-up work runs once), the others once it listens. SIGTERM or SIGINT stops them all gracefully; a
 * worker that ends on its own ends the service, for the process manager to restart whole.
 */
export function superviseWorkers(workers: number, logger: Logger): void {
  let ending = false;
  cluster.once('listening', () => {
    for (let index = 1; index < workers; index += 1) cluster.fork();
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping.aborted || ending) return;
    ending = true;
    if (code !== 1) logger.error('a worker exited: stopping the others', { worker: worker.id, code, signal });
    void stopWorkers().then(() => process.exit(code === 0 || code === null ? 1 : code));
  });
  const stopping = onShutdownSignal(logger, stopWorkers);
  cluster.fork();
}
