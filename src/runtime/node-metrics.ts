import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { AggregatorRegistry } from 'prom-client';
import { metricsRoutes } from '../adapters/http/metrics-routes.js';
import type { MetricsText } from '../adapters/metrics/metrics-recorder.js';
import { PromClientMetrics } from '../adapters/metrics/prom-client-metrics.js';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { DrizzleMetricsQueries } from '../adapters/persistence/drizzle-metrics-queries.js';
import type { Logger } from '../application/ports/logger.js';
import type { RuntimeDrivers } from '../composition.js';
import type { Config } from '../config.js';
import { portInUse } from './collisions.js';

// prom-client on Node. With several workers each keeps its own counts; the primary sums them
// (AggregatorRegistry over IPC), so any scrape, on any worker or on METRICS_PORT, shows the whole service.

const REQUEST = 'social-integrations:metrics-request';
const ANSWER = 'social-integrations:metrics-answer';
const ANSWER_WITHIN_MS = 10_000;

interface Answer {
  readonly type: typeof ANSWER;
  readonly id: string;
  readonly text: MetricsText | null;
}

/** Metrics are on when someone may read them: METRICS_TOKEN or METRICS_PORT is set. */
export const metricsEnabled = (config: Config) =>
  config.metrics.token !== null || config.metrics.port !== null;

/** This process's metrics, or undefined when they are off. A cluster worker's scrape asks the primary. */
export function processMetrics(config: Config, handle: DatabaseHandle): RuntimeDrivers['metrics'] {
  if (!metricsEnabled(config)) return undefined;
  const metrics = new PromClientMetrics({
    queries: new DrizzleMetricsQueries(handle.db),
    poolSize: handle.driver === 'postgres' ? handle.sql.options.max : 1,
    driver: handle.driver,
  });
  if (cluster.worker === undefined) return { recorder: metrics, scrape: () => metrics.scrape() };
  AggregatorRegistry.setRegistries([metrics.registry]);
  // Constructing one is what makes prom-client answer the primary's requests for this worker's metrics.
  new AggregatorRegistry();
  return { recorder: metrics, scrape: askPrimary };
}

function askPrimary(): Promise<MetricsText> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(null), ANSWER_WITHIN_MS);
    const listen = (message: Answer) => {
      if (message?.type === ANSWER && message.id === id) settle(message.text);
    };
    const settle = (text: MetricsText | null) => {
      clearTimeout(timer);
      process.off('message', listen);
      if (text === null) reject(new Error('The primary process did not answer with the metrics'));
      else resolve(text);
    };
    process.on('message', listen);
    process.send?.({ type: REQUEST, id });
  });
}

/** In the primary: the sum over every worker, which it answers workers' scrapes with too. */
export function aggregateWorkerMetrics(): () => Promise<MetricsText> {
  const aggregator = new AggregatorRegistry();
  const scrape = async (): Promise<MetricsText> => ({
    contentType: aggregator.contentType,
    body: await aggregator.clusterMetrics(),
  });
  cluster.on('message', (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== REQUEST || typeof message.id !== 'string') return;
    const reply = (text: MetricsText | null) => worker.send({ type: ANSWER, id: message.id, text });
    scrape().then(reply, () => reply(null));
  });
  return scrape;
}

/** A second listener on METRICS_PORT that serves `GET /metrics` and nothing else; null without one. */
export function serveMetricsPort(
  config: Config,
  scrape: () => Promise<MetricsText>,
  logger: Logger,
  stop: (line: string) => never,
): Server | null {
  const { port, token } = config.metrics;
  if (port === null) return null;
  const routes = metricsRoutes(scrape, token);
  const server = serve({ fetch: routes.fetch, port, hostname: config.host }, (address) => {
    logger.info('metrics listening', { url: `http://${config.host}:${address.port}/metrics` });
  }) as Server;
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') stop(portInUse(config.host, port, 'METRICS_PORT'));
    throw error;
  });
  return server;
}
