import { DrizzleRateLimitStore } from '../adapters/persistence/drizzle-rate-limit-store.js';
import { defaultPoolSize, openPostgres } from '../adapters/persistence/postgres.js';
import { InMemoryRateLimitStore } from '../adapters/rate-limit/in-memory-rate-limit-store.js';
import { errorFields } from '../application/error-fields.js';
import { buildApp, buildLifecycleJobs } from '../composition.js';
import { edgeAdapters, edgeSecurity, invalidConfiguration, startEdgeService } from './edge-service.js';
import { nodeStaticAssets } from './node-static-assets.js';
import { logRefreshRun, startPeriodicJob } from './periodic-job.js';

// The Deno entry, for `deno serve` (see the README): the same app and refresh job as the Node server, on
// a pooled PostgreSQL connection. Deno runs the Node server's static file middleware through its Node
// compatibility layer.

declare const Deno: {
  readonly env: { toObject(): Record<string, string> };
  exit(code: number): never;
  addSignalListener(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
};

/** The second argument `deno serve` passes to fetch, which Hono exposes as `c.env`. */
interface ServeInfo {
  readonly remoteAddr?: { readonly hostname?: string };
}

const write = (line: string) => console.log(line);

const started = await startEdgeService(Deno.env.toObject(), 'Deno', write);
if (!started.ok) {
  console.error(invalidConfiguration(started.problems));
  Deno.exit(1);
}
const { service } = started;
const { config, logger } = service;
const { db } = openPostgres(config.databaseUrl, {
  maxConnections: config.databasePoolSize ?? defaultPoolSize(navigator.hardwareConcurrency),
  connectTimeoutSeconds: 1,
});
const adapters = edgeAdapters(service, db, {
  rateLimitStore:
    config.rateLimits.store === 'database' ? new DrizzleRateLimitStore(db) : new InMemoryRateLimitStore(),
  staticAssets: nodeStaticAssets,
});
const app = buildApp(
  adapters,
  edgeSecurity(service, (c) => (c.env as ServeInfo | undefined)?.remoteAddr?.hostname),
);

if (config.lifecycle.enabled) {
  const jobs = buildLifecycleJobs(adapters);
  const refresher = startPeriodicJob(
    async () => logRefreshRun(logger, await jobs.refreshDueIntegrations()),
    config.lifecycle.intervalMs,
    (error) => logger.error('refresh run failed', errorFields(error)),
  );
  // Its timer would keep the process alive; a renewal in flight is saved before it exits.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    Deno.addSignalListener(signal, () => {
      logger.info('shutting down', { signal });
      void refresher.stop().then(() => Deno.exit(0));
    });
  }
}

export default { fetch: app.fetch };
